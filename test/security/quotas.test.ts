import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../db/ids.ts';
import { boardOf, signInActor, snapshotKanban, textOf, type Actor } from '../support/kanban-actors.ts';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';

// Security catalogue RV-06: what one person may keep (boards, cards) and how big one board's
// answer may grow (characters of card descriptions on a board, all sent with every get_board).
// Each limit refuses with a message the person can act on, and the refused write leaves nothing.

const DESCRIPTION_BUDGET = 10_000;

let kanban: RunningKanban;
beforeAll(async () => {
  kanban = await startKanban({ env: { QUOTA_BOARDS_PER_USER: '2', QUOTA_CARDS_PER_USER: '4', QUOTA_DESCRIPTION_CHARS_PER_BOARD: String(DESCRIPTION_BUDGET) } });
});
afterAll(async () => {
  await kanban.stop();
  removeDataDir(kanban.dataDir);
});

async function refusedWithoutChange(actor: Actor, tool: string, args: Record<string, unknown>): Promise<string> {
  const before = await snapshotKanban(kanban);
  const result = await actor.call(tool, args);
  expect(result.isError).toBe(true);
  expect(await snapshotKanban(kanban)).toBe(before);
  return textOf(result);
}

describe('quotas', () => {
  it('boards per user: the next create_board is refused; another user is not held; deleting one makes room', async () => {
    const alice = await signInActor(kanban, 'alice');
    const first = boardOf(await alice.call('create_board', { title: 'One' }));
    await alice.call('create_board', { title: 'Two' });
    expect(await refusedWithoutChange(alice, 'create_board', { title: 'Three' })).toBe(
      'You already have 2 boards, the most one person can keep. Delete a board you no longer need, then try again.',
    );
    const bob = await signInActor(kanban, 'bob');
    expect((await bob.call('create_board', { title: 'Bob one' })).isError).toBeFalsy();
    await alice.call('delete_board', { boardId: first.id });
    expect((await alice.call('create_board', { title: 'Three' })).isError).toBeFalsy();
  });

  it('cards per user, across all their boards', async () => {
    const carol = await signInActor(kanban, 'carol');
    const board = boardOf(await carol.call('create_board', { title: 'Cards' }));
    for (const title of ['a', 'b', 'c']) expect((await carol.call('create_card', { boardId: board.id, title })).isError).toBeFalsy();
    // The fourth lands on the personal board (made on first use, outside the board quota).
    expect((await carol.call('create_card', { title: 'd' })).isError).toBeFalsy();
    expect(await refusedWithoutChange(carol, 'create_card', { boardId: board.id, title: 'e' })).toBe(
      'Your boards already hold 4 cards, the most one person can keep. Delete cards you no longer need, then try again.',
    );
  });

  it('characters of descriptions per board: creates and growing updates past it are refused; shrinking is not', async () => {
    const dave = await signInActor(kanban, 'dave');
    const board = boardOf(await dave.call('create_board', { title: 'Words' }));
    const created = boardOf(await dave.call('create_card', { boardId: board.id, title: 'long', description: 'x'.repeat(6000) }));
    const cardId = created.columns[0]!.cards[0]!.id;
    expect(await refusedWithoutChange(dave, 'create_card', { boardId: board.id, title: 'longer', description: 'é'.repeat(4001) })).toBe(
      `Board "Words" has room for 4000 more characters of card descriptions (its limit is ${DESCRIPTION_BUDGET}), and this needs 4001. Shorten the description, or put the card on another board.`,
    );
    expect((await dave.call('create_card', { boardId: board.id, title: 'fits', description: 'é'.repeat(4000) })).isError).toBeFalsy();
    // Counted in characters, as the database counts them: an emoji is one.
    expect(await refusedWithoutChange(dave, 'update_card', { cardId, description: '🙂'.repeat(6001) })).toMatch(/^Board "Words" has room for 0 more characters .* this needs 1\./);
    expect((await dave.call('update_card', { cardId, description: '🙂'.repeat(6000) })).isError).toBeFalsy();
    expect((await dave.call('update_card', { cardId, description: 'short now' })).isError).toBeFalsy();
  });
});

describe('the largest answer one board can give', () => {
  it('at the default limits, a full board (5 000 cards, every field at its longest) answers get_board in under 8 MB', async () => {
    const full = await startKanban();
    try {
      const owner = await signInActor(full, 'owner');
      const board = boardOf(await owner.call('create_board', { title: 'Full', visibility: 'public' }));
      const column = board.columns[0]!.id;
      const { descriptionCharsPerBoard, cardsPerUser } = full.config.usage;
      const descriptions = Math.floor(descriptionCharsPerBoard / 10_000); // longest descriptions that fit
      const { database } = full.runtime;
      const labels = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(40, 'l'));
      const rows = Array.from({ length: cardsPerUser - 1 }, (_, i) => ({
        id: newId('card'), boardId: board.id, columnId: column, title: `${i} `.padEnd(200, 't'), labels, dueDate: '2026-12-31',
        description: i < descriptions ? 'd'.repeat(10_000) : '', position: (i + 1) * 1024, createdAt: new Date(0), updatedAt: new Date(0),
      }));
      await database.write(async (db) => {
        for (let start = 0; start < rows.length; start += 500) await db.insert(database.tables.cards).values(rows.slice(start, start + 500));
      });
      // The last card fits; one more description character does not.
      expect((await owner.call('create_card', { boardId: board.id, title: 'last', description: '' })).isError).toBeFalsy();
      expect(textOf(await owner.call('update_card', { cardId: rows[descriptions]!.id, description: 'd' }))).toMatch(/^Board "Full" has room for 0 more characters/);

      const answer = await fetch(full.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_board', arguments: { boardId: board.id } } }),
      });
      const bytes = (await answer.arrayBuffer()).byteLength;
      expect(answer.status).toBe(200);
      expect(bytes).toBeGreaterThan(5_000_000); // the board really is full
      expect(bytes).toBeLessThan(8_000_000);
    } finally {
      await full.stop();
      removeDataDir(full.dataDir);
    }
  });
});
