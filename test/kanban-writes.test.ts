import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { newId } from '../db/ids.ts';
import { boardOutput, listBoardsOutput, type BoardResult } from '../server/mcp/tools/schemas.ts';
import { LOAD_LIMITS, useKanban } from './support/kanban-server.ts';
import { signedInClient } from './support/oauth-steps.ts';

// The write tools through the real server, the SDK client and a real token from the embedded
// issuer: what a signed-in user does to keep a board.

// Fills a board to its 5 000 cards: more than one person's card quota.
const shared = useKanban({ env: { QUOTA_CARDS_PER_USER: LOAD_LIMITS.QUOTA_CARDS_PER_USER } });
let client: Client;
beforeAll(async () => {
  const { tokens } = await signedInClient(shared.kanban);
  client = new Client({ name: 'writer', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(shared.kanban.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } } }));
});
afterAll(async () => {
  await client.close();
});

async function call(name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as { text: string }[]).map((part) => part.text).join('\n');
  return { result, text, isError: result.isError === true };
}

async function board(name: string, args: Record<string, unknown>): Promise<{ board: BoardResult['board']; text: string }> {
  const { result, text, isError } = await call(name, args);
  expect(isError, text).toBe(false);
  return { board: boardOutput.parse(result.structuredContent).board, text };
}

const titles = (b: BoardResult['board']) => b.columns.map((column) => [column.title, column.cards.map((card) => card.title)]);

describe('the personal board', () => {
  it('is made on the first create_card without a board, private, with To do / Doing / Done, and reused after', async () => {
    const first = await board('create_card', { title: 'Call the plumber' });
    expect(first.board).toMatchObject({ title: 'My board', visibility: 'private', owned: true, canEdit: true });
    expect(titles(first.board)).toEqual([['To do', ['Call the plumber']], ['Doing', []], ['Done', []]]);
    const cardId = first.board.columns[0]!.cards[0]!.id;
    expect(first.text).toBe(`Added "Call the plumber" (${cardId}) to To do on board "My board". Board id ${first.board.id}.`);
    const second = await board('create_card', { title: 'Buy paint', column: 'doing', position: 'top' });
    expect(second.board.id).toBe(first.board.id);
    expect(titles(second.board)).toEqual([['To do', ['Call the plumber']], ['Doing', ['Buy paint']], ['Done', []]]);
  });
});

describe('requestId', () => {
  it('makes a retried create_card return the first result instead of a second card', async () => {
    const requestId = 'retry-test-0001';
    const once = await board('create_card', { title: 'Only once', requestId });
    const again = await board('create_card', { title: 'Only once', requestId });
    expect(again.board).toEqual(once.board);
    const [count] = (await shared.kanban.runtime.database.query("select count(*) as n from cards where title = 'Only once'")) as [{ n: number }];
    expect(count.n).toBe(1);
    const other = await call('create_board', { title: 'Other', requestId });
    expect(other).toMatchObject({ isError: true });
    expect(other.text).toBe(`requestId ${requestId} was already used for a different call (create_card): use a new requestId for each new call.`);
    const differentArguments = await call('create_card', { title: 'Something else', requestId });
    expect(differentArguments.text).toContain('was already used for a different call');
  });

  it('is remembered for a day: an older requestId counts as new, and the call is made again', async () => {
    const { board: b } = await board('create_board', { title: 'Day-old retries' });
    const requestId = 'retry-after-a-day';
    await board('create_card', { boardId: b.id, title: 'Daily', requestId });
    const { database } = shared.kanban.runtime;
    await database.write((db) => db.update(database.tables.toolRequests).set({ createdAt: new Date(Date.now() - 25 * 60 * 60 * 1000) }).where(eq(database.tables.toolRequests.requestId, requestId)));
    const again = await board('create_card', { boardId: b.id, title: 'Daily', requestId });
    expect(again.board.columns[0]!.cards.map((card) => card.title)).toEqual(['Daily', 'Daily']);
    // And the new call is remembered in turn.
    const replay = await board('create_card', { boardId: b.id, title: 'Daily', requestId });
    expect(replay.board.columns[0]!.cards).toHaveLength(2);
  });

  it('replays show the board as it is now, and a deleted board as gone; the record is small', async () => {
    const { board: b } = await board('create_board', { title: 'Replays' });
    const requestId = 'replay-after-move';
    const first = await board('create_card', { boardId: b.id, title: 'Moving target', description: 'x'.repeat(5000), requestId });
    const cardId = first.board.columns[0]!.cards[0]!.id;
    await board('move_card', { cardId, column: 'Done' });
    const replay = await board('create_card', { boardId: b.id, title: 'Moving target', description: 'x'.repeat(5000), requestId });
    expect(replay.board.columns[2]!.cards.map((card) => card.id)).toEqual([cardId]);
    expect(replay.text).toContain(`Added "Moving target" (${cardId})`);
    const [stored] = (await shared.kanban.runtime.database.query('select length(cast(result as text)) as bytes from tool_requests where request_id = ?', [requestId])) as [{ bytes: number }];
    expect(stored.bytes).toBeLessThan(400);
    await call('delete_board', { boardId: b.id });
    const gone = await call('create_card', { boardId: b.id, title: 'Moving target', description: 'x'.repeat(5000), requestId });
    expect(gone.isError).toBe(true);
    expect(gone.text).toContain(`No board ${b.id} is visible to you`);
  });
});

describe('boards', () => {
  it('create, rename, publish, add/rename/reorder/remove columns, set WIP limits, delete', async () => {
    const created = await board('create_board', { title: 'Launch', columns: ['Ideas', 'Now'] });
    expect(created.board).toMatchObject({ title: 'Launch', visibility: 'private', owned: true });
    const [ideas, now] = created.board.columns;
    const changed = await board('update_board', {
      boardId: created.board.id,
      title: 'Launch plan',
      visibility: 'public',
      addColumns: [{ title: 'Later', wipLimit: 3 }],
      renameColumns: [{ columnId: now!.id, title: 'Doing' }],
      columnOrder: [now!.id, ideas!.id],
    });
    expect(changed.board).toMatchObject({ title: 'Launch plan', visibility: 'public' });
    expect(changed.board.columns.map((column) => [column.title, column.wipLimit])).toEqual([['Doing', null], ['Ideas', null], ['Later', 3]]);
    expect(changed.text).toContain('renamed it "Launch plan"; made it public; reordered the columns; added column "Later"; renamed column "Now" to "Doing"');

    await board('create_card', { boardId: created.board.id, column: 'Ideas', title: 'Keep me' });
    const refused = await call('update_board', { boardId: created.board.id, removeColumns: [ideas!.id] });
    expect(refused.isError).toBe(true);
    expect(refused.text).toBe('Column "Ideas" still holds 1 card: move or delete them first.');
    const wrongOrder = await call('update_board', { boardId: created.board.id, columnOrder: [ideas!.id] });
    expect(wrongOrder.text).toBe('columnOrder must list every column id of the board exactly once. Call get_board to see them.');
    const nothing = await call('update_board', { boardId: created.board.id });
    expect(nothing.text).toBe('Nothing to change: give a title, a visibility, or column changes.');

    const deleted = await call('delete_board', { boardId: created.board.id });
    expect(deleted.text).toBe('Deleted board "Launch plan" and its cards.');
    const remaining = listBoardsOutput.parse(deleted.result.structuredContent);
    expect(remaining.boards.map((b) => b.id)).not.toContain(created.board.id);
    expect((await call('get_board', { boardId: created.board.id })).text).toContain('is visible to you');
  });
});

describe('cards', () => {
  it('edit title, description, labels and due date (null clears it), then delete', async () => {
    const { board: b } = await board('create_board', { title: 'Edits' });
    const added = await board('create_card', { boardId: b.id, title: 'Draft', dueDate: '2026-12-31', labels: ['a'] });
    const cardId = added.board.columns[0]!.cards[0]!.id;
    const edited = await call('update_card', { cardId, title: 'Final', description: 'All of it', labels: ['x', 'y'] });
    expect(edited.isError).toBe(false);
    expect(boardOutput.parse(edited.result.structuredContent).board.columns[0]!.cards[0]).toEqual({ id: cardId, title: 'Final', labels: ['x', 'y'], dueDate: '2026-12-31' });
    expect((edited.result._meta as { cardDescriptions: Record<string, string> }).cardDescriptions[cardId]).toBe('All of it');
    const cleared = await board('update_card', { cardId, dueDate: null });
    expect(cleared.board.columns[0]!.cards[0]!.dueDate).toBeNull();
    const gone = await board('delete_card', { cardId });
    expect(gone.board.columns[0]!.cards).toEqual([]);
    expect((await call('delete_card', { cardId })).text).toBe(`No card ${cardId} is visible to you. Call get_board to see a board's cards and their ids.`);
  });

  it('move before or after a card in another column without naming the column', async () => {
    const { board: b } = await board('create_board', { title: 'Neighbours' });
    const a = (await board('create_card', { boardId: b.id, title: 'a' })).board.columns[0]!.cards[0]!.id;
    const d = (await board('create_card', { boardId: b.id, title: 'd', column: 'Done' })).board.columns[2]!.cards[0]!.id;
    const moved = await board('move_card', { cardId: a, position: 'before', relativeTo: d });
    expect(moved.board.columns[2]!.cards.map((card) => card.id)).toEqual([a, d]);
    expect(moved.text).toContain('Moved "a" to Done (before "d")');
  });

  it('name the missing column and list the real ones', async () => {
    const { board: b } = await board('create_board', { title: 'Columns' });
    expect((await call('create_card', { boardId: b.id, title: 'x', column: 'Backlog' })).text).toBe('Board "Columns" has no column "Backlog". Its columns are: To do, Doing, Done.');
  });
});

describe('limits: past each one a clear error, and nothing written', () => {
  it.each([
    ['a 201-character title', { title: 'x'.repeat(201) }, 'title: is too long: use at most 200 characters'],
    ['21 labels', { title: 't', labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }, 'labels: may hold at most 20 labels'],
    ['a 10 001-character description', { title: 't', description: 'd'.repeat(10_001) }, 'description: is too long: use at most 10000 characters'],
    ['a date that does not exist', { title: 't', dueDate: '2026-02-30' }, 'dueDate: is not a real calendar date'],
    ['an empty title', { title: '   ' }, 'title: must not be empty'],
    ['a title starting with NUL', { title: '\u0000abc' }, 'title: must not contain NUL characters'],
    ['a lone surrogate', { title: 'x\ud800y' }, 'title: must be valid Unicode text'],
    ['a lone surrogate in the description', { title: 't', description: 'a\udc00' }, 'description: must be valid Unicode text'],
  ])('create_card with %s', async (_name, args, message) => {
    const before = await shared.kanban.runtime.database.query('select count(*) as n from cards');
    const refused = await call('create_card', args);
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain(message);
    expect(await shared.kanban.runtime.database.query('select count(*) as n from cards')).toEqual(before);
  });

  it('column names that differ only in case, and removing the last column', async () => {
    expect((await call('create_board', { title: 'Twins', columns: ['Done', 'done'] })).text).toBe('Two columns would be named "done": column names must differ (ignoring case).');
    const { board: b } = await board('create_board', { title: 'Single', columns: ['Only'] });
    expect((await call('update_board', { boardId: b.id, addColumns: [{ title: 'ONLY' }] })).text).toContain('column names must differ');
    expect((await call('update_board', { boardId: b.id, removeColumns: [b.columns[0]!.id] })).text).toBe('A board keeps at least one column: add another before removing the last.');
    const filled = await board('update_board', { boardId: b.id, addColumns: Array.from({ length: 49 }, (_, i) => ({ title: `c${i}` })) });
    expect(filled.board.columns).toHaveLength(50);
    expect((await call('update_board', { boardId: b.id, addColumns: [{ title: 'one more' }] })).text).toBe('A board holds at most 50 columns; "Single" has 50, so "one more" does not fit.');
  });

  it('a board of 51 columns', async () => {
    const refused = await call('create_board', { title: 'Wide', columns: Array.from({ length: 51 }, (_, i) => `c${i}`) });
    expect(refused.text).toContain('columns: may hold at most 50 columns');
  });

  it('the 5 001st card of a board', async () => {
    const { board: b } = await board('create_board', { title: 'Full' });
    const column = b.columns[0]!.id;
    const { database } = shared.kanban.runtime;
    const rows = Array.from({ length: 4_999 }, (_, i) => ({ id: newId('card'), boardId: b.id, columnId: column, title: `card ${i}`, position: (i + 1) * 1024, createdAt: new Date(0), updatedAt: new Date(0) }));
    await database.write(async (db) => {
      // In slices: SQLite binds at most 32 766 values per statement.
      for (let start = 0; start < rows.length; start += 1000) await db.insert(database.tables.cards).values(rows.slice(start, start + 1000));
    });
    await board('create_card', { boardId: b.id, title: 'the 5 000th' });
    const refused = await call('create_card', { boardId: b.id, title: 'one too many' });
    expect(refused.text).toBe('Board "Full" already holds 5000 cards, the most a board can hold. Delete some, or start another board.');
  });
});
