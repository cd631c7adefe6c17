import { describe, expect, it } from 'vitest';
import { anonymousActor, signInActor, type Actor } from './support/kanban-actors.ts';
import { LOAD_LIMITS, postMcp, useKanban } from './support/kanban-server.ts';

// 50 simulated users at once for a bounded time: 25 anonymous readers (list, open, search the
// public boards, the writers' among them) and 25 signed-in writers (add, move, edit cards on
// their own public boards, read them back). No 5xx, no error that was not asked for, and
// afterwards every acknowledged write is there: each card once, each move and label change held.

const shared = useKanban({ env: { LOG_LEVEL: 'warn', ...LOAD_LIMITS } });
const SECONDS = 12;

interface Tally {
  requests: number;
  serverErrors: string[];
  unexpected: string[];
}

async function send(actor: Actor, tally: Tally, name: string, args: Record<string, unknown>) {
  tally.requests++;
  const response = await postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: tally.requests, method: 'tools/call', params: { name, arguments: args } }, actor.token ? { authorization: `Bearer ${actor.token}` } : {});
  const text = await response.text();
  if (response.status >= 500) {
    tally.serverErrors.push(`${name}: ${response.status} ${text.slice(0, 200)}`);
    return undefined;
  }
  const body = JSON.parse(text) as { result?: { isError?: boolean; structuredContent?: any; content?: { text: string }[] } };
  if (response.status !== 200 || !body.result || body.result.isError) tally.unexpected.push(`${name}: ${response.status} ${text.slice(0, 200)}`);
  return body.result;
}

describe('mixed load', () => {
  it(`50 users for ${SECONDS} s: no 5xx, no unexpected error, every acknowledged write there exactly once`, { timeout: 90_000 }, async () => {
    const readers = await Promise.all(Array.from({ length: 25 }, () => anonymousActor(shared.kanban)));
    const writers: Actor[] = [];
    for (let index = 0; index < 25; index++) writers.push(await signInActor(shared.kanban, `load-${index}`));
    const tally: Tally = { requests: 0, serverErrors: [], unexpected: [] };
    const acknowledged: string[] = [];
    // The cards whose move to Doing, and whose new labels, the server acknowledged.
    const moved: string[] = [];
    const labelled: string[] = [];
    const deadline = Date.now() + SECONDS * 1000;

    // The writers' boards are public and made first, so the readers read what is being written.
    const writerBoards = await Promise.all(writers.map(async (actor, index) => (await send(actor, tally, 'create_board', { title: `Load ${index}`, visibility: 'public' }))!.structuredContent.board));
    const reader = async (actor: Actor, index: number) => {
      let boards: { id: string }[] = [];
      for (let step = 0; Date.now() < deadline; step++) {
        if (step % 4 === 0) boards = (await send(actor, tally, 'list_boards', { limit: 100 }))?.structuredContent.boards ?? boards;
        else if (step % 4 === 3) await send(actor, tally, 'search_cards', { query: 'Load card' });
        else if (boards.length > 0) await send(actor, tally, 'get_board', { boardId: boards[(index + step) % boards.length]!.id });
      }
    };
    const writtenBy = new Map<number, number>();
    const writer = async (actor: Actor, index: number) => {
      const board = writerBoards[index]!;
      for (let step = 0; Date.now() < deadline; step++) {
        const title = `Load ${index} card ${step}`;
        const created = await send(actor, tally, 'create_card', { boardId: board.id, title, requestId: `load-${index}-${step}` });
        if (created && !created.isError) {
          acknowledged.push(title);
          writtenBy.set(index, (writtenBy.get(index) ?? 0) + 1);
        }
        const cardId = created?.structuredContent?.board.columns[0].cards.at(-1)?.id as string | undefined;
        if (cardId && step % 2 === 0) {
          const move = await send(actor, tally, 'move_card', { cardId, column: 'Doing', position: 'top' });
          if (move && !move.isError) moved.push(cardId);
        }
        if (cardId && step % 5 === 0) {
          const update = await send(actor, tally, 'update_card', { cardId, labels: ['load'] });
          if (update && !update.isError) labelled.push(cardId);
        }
        if (step % 4 === 0) await send(actor, tally, 'get_board', { boardId: board.id });
      }
    };
    await Promise.all([...readers.map(reader), ...writers.map(writer)]);

    expect(tally.serverErrors).toEqual([]);
    expect(tally.unexpected).toEqual([]);
    // Every writer got writes through, and the readers saw the writers' boards.
    expect(writtenBy.size).toBe(writers.length);
    const stored = await shared.kanban.runtime.database.query<{ title: string; n: number }>("select title, count(*) as n from cards where title like 'Load % card %' group by title");
    const counts = new Map(stored.map((row) => [row.title, row.n]));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const title of acknowledged) expect(counts.get(title), title).toBe(1);
    expect(stored.length).toBe(acknowledged.length);
    // And every acknowledged move and update is what the card now holds (each card is moved and
    // labelled once at most, so nothing later undoes it).
    expect([moved.length > 0, labelled.length > 0]).toEqual([true, true]);
    const cards = await shared.kanban.runtime.database.query<{ id: string; column_title: string; labels: string }>(
      "select cards.id, columns.title as column_title, cards.labels from cards join columns on columns.id = cards.column_id where cards.title like 'Load % card %'",
    );
    const byId = new Map(cards.map((card) => [card.id, card]));
    for (const id of moved) expect(byId.get(id)?.column_title, id).toBe('Doing');
    for (const id of labelled) expect(JSON.parse(byId.get(id)!.labels), id).toEqual(['load']);
    for (const actor of [...readers, ...writers]) await actor.client.close();
  });
});
