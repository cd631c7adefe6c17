import { describe, expect, it } from 'vitest';
import { signInActor, type Actor } from './support/kanban-actors.ts';
import { useKanban } from './support/kanban-server.ts';
import { TEST_ENGINE } from './support/test-database.ts';

// search_cards through the engines' text indexes (FTS5 trigram table on SQLite, pg_trgm on
// PostgreSQL): the index is kept in step with every change to a card, and what it finds is what
// a card-by-card look finds, for words of any length and with characters the indexes' own query
// languages treat specially. On both engines (TEST_ENGINE).

const shared = useKanban();

async function titlesFound(actor: Actor, query: string, boardId: string): Promise<string[]> {
  const result = await actor.call('search_cards', { query, boardId, limit: 50 });
  expect(result.isError).toBeFalsy();
  return ((result.structuredContent as { results: { card: { title: string } }[] }).results.map((hit) => hit.card.title)).sort();
}

async function boardWith(actor: Actor, titles: string[]): Promise<{ boardId: string; cardIds: string[] }> {
  const board = await actor.call('create_board', { title: 'Search', visibility: 'private' });
  const boardId = (board.structuredContent as { board: { id: string } }).board.id;
  const cardIds: string[] = [];
  for (const title of titles) {
    const created = await actor.call('create_card', { boardId, title });
    cardIds.push((created.structuredContent as { board: { columns: { cards: { id: string; title: string }[] }[] } }).board.columns.flatMap((column) => column.cards).find((card) => card.title === title)!.id);
  }
  return { boardId, cardIds };
}

describe('search_cards', () => {
  it('follows each card through changes: renamed, described, moved off by a delete, its board deleted', async () => {
    const actor = await signInActor(shared.kanban, 'searcher');
    const { boardId, cardIds } = await boardWith(actor, ['Call the plumber', 'Paint the fence', 'Plumbing invoice']);
    expect(await titlesFound(actor, 'plumb', boardId)).toEqual(['Call the plumber', 'Plumbing invoice']);

    await actor.call('update_card', { cardId: cardIds[0]!, title: 'Call the electrician' });
    expect(await titlesFound(actor, 'plumb', boardId)).toEqual(['Plumbing invoice']);
    expect(await titlesFound(actor, 'electric', boardId)).toEqual(['Call the electrician']);

    await actor.call('update_card', { cardId: cardIds[1]!, description: 'Ask the plumber about the tap too' });
    expect(await titlesFound(actor, 'plumber tap', boardId)).toEqual(['Paint the fence']);

    await actor.call('delete_card', { cardId: cardIds[2]! });
    // A new card may take the deleted one's place in the index's numbering: it is found by its own words only.
    await actor.call('create_card', { boardId, title: 'Water the garden' });
    expect(await titlesFound(actor, 'invoice', boardId)).toEqual([]);
    expect(await titlesFound(actor, 'garden', boardId)).toEqual(['Water the garden']);

    const other = await boardWith(actor, ['Garden party']);
    await actor.call('delete_board', { boardId: other.boardId });
    const everywhere = await actor.call('search_cards', { query: 'garden' });
    // Over every board listed to them (the demo boards too), where the index is the only filter on words:
    // a card of a deleted board is not found (its board row is gone too, so this holds the delete as a whole).
    const titles = (everywhere.structuredContent as { results: { card: { title: string } }[] }).results.map((hit) => hit.card.title);
    expect(titles).toContain('Water the garden');
    expect(titles).not.toContain('Garden party');

    // The index itself, after all that: on SQLite, FTS5's check that it holds exactly the cards'
    // search_text (a dropped or wrong trigger fails it, though every result above is rechecked);
    // on PostgreSQL, the trigram index is there (pg_trgm is installed on the test servers).
    const database = shared.kanban.runtime.database;
    if (TEST_ENGINE === 'sqlite') await database.query("INSERT INTO cards_search(cards_search, rank) VALUES ('integrity-check', 1)");
    else expect(await database.query("SELECT indexname FROM pg_indexes WHERE indexname = 'cards_search_text_trigram_idx'")).toEqual([{ indexname: 'cards_search_text_trigram_idx' }]);
  });

  it('finds words of one and two characters, and every word of a query, as a card-by-card look does', async () => {
    const actor = await signInActor(shared.kanban, 'short-words');
    const { boardId } = await boardWith(actor, ['Q3 plan', 'UX review', 'Plan Q4 UX']);
    expect(await titlesFound(actor, 'q3', boardId)).toEqual(['Q3 plan']);
    expect(await titlesFound(actor, 'ux', boardId)).toEqual(['Plan Q4 UX', 'UX review']);
    expect(await titlesFound(actor, 'ux plan', boardId)).toEqual(['Plan Q4 UX']);
    expect(await titlesFound(actor, 'x', boardId)).toEqual(['Plan Q4 UX', 'UX review']);
  });

  it("treats the indexes' own syntax as plain text: quotes, wildcards, operators", async () => {
    const actor = await signInActor(shared.kanban, 'syntax');
    const { boardId } = await boardWith(actor, ['Grow 100% faster', 'Grow 1000 faster', 'snake_case name', 'snakeXcase name', 'Say "hello" AND wave', 'Straße NEAR fix']);
    expect(await titlesFound(actor, '100%', boardId)).toEqual(['Grow 100% faster']);
    expect(await titlesFound(actor, 'snake_case', boardId)).toEqual(['snake_case name']);
    expect(await titlesFound(actor, '"hello"', boardId)).toEqual(['Say "hello" AND wave']);
    expect(await titlesFound(actor, 'AND', boardId)).toEqual(['Say "hello" AND wave']);
    expect(await titlesFound(actor, 'near*', boardId)).toEqual([]);
    expect(await titlesFound(actor, 'STRASSE', boardId)).toEqual([]);
    expect(await titlesFound(actor, 'straße', boardId)).toEqual(['Straße NEAR fix']);
  });
});
