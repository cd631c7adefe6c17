import { describe, expect, it } from 'vitest';
import { TEST_ENGINE } from '../support/test-database.ts';
import { boardOf, cardByTitle } from '../support/kanban-actors.ts';
import { A, anonymous, dbColumnsOf, expectBareError, fixtures, makeBoard, shared, targetOf, unchanged, useKanbanAccess, WRITE_TOOLS, writeArgs } from './fixtures.ts';

// Ids that cannot be guessed, headers and _meta that unlock nothing, database errors that say nothing,
// unknown tools (AU-03, AU-11, AU-14, AU-15).

useKanbanAccess();

describe('ids and odd requests (AU-03, AU-11, AU-15)', () => {
  function idBits(id: string): Buffer {
    const bytes = Buffer.from(id.slice(4), 'base64url');
    expect(bytes).toHaveLength(16);
    return bytes;
  }
  function differingBits(a: Buffer, b: Buffer): number {
    let bits = 0;
    for (let i = 0; i < a.length; i++) for (let x = a[i]! ^ b[i]!; x; x >>= 1) bits += x & 1;
    return bits;
  }

  it('board, column and card ids are 128 random bits, not sequential (AU-11)', async () => {
    const boardIds: string[] = [];
    const cardIds: string[] = [];
    const own = await makeBoard(A, 'private', 'A-private');
    for (let i = 0; i < 5; i++) {
      boardIds.push(boardOf(await A.call('create_board', { title: `Id ${i}` })).id);
      cardIds.push(cardByTitle(boardOf(await A.call('create_card', { boardId: own.id, title: `Id card ${i}` })), `Id card ${i}`).id);
    }
    const columnIds = (await dbColumnsOf(boardIds[0]!)).map((column) => column.id);
    for (const [prefix, ids] of [['brd_', boardIds], ['crd_', cardIds], ['col_', columnIds]] as const) {
      expect(ids.length, prefix).toBeGreaterThan(1);
      for (const id of ids) expect(id).toMatch(new RegExp(`^${prefix}[A-Za-z0-9_-]{22}$`));
      expect(new Set(ids).size).toBe(ids.length);
      // Consecutive ids share about half their bits, as random ones do; a counter would share almost all.
      for (let i = 1; i < ids.length; i++) expect(differingBits(idBits(ids[i - 1]!), idBits(ids[i]!))).toBeGreaterThan(30);
    }
  });

  it('Mcp-Method/Mcp-Name headers naming a harmless tool do not unlock a write in the body (AU-03)', async () => {
    const response = await unchanged(() =>
      anonymous.raw('delete_board', { boardId: fixtures['A-public'].id }, { headers: { 'mcp-method': 'tools/call', 'mcp-name': 'list_boards' } }),
    );
    expect(response.status).toBe(401);
  });

  it('ChatGPT (openai/* request _meta) gets the in-band sign-in challenge for every write tool, and nothing runs', async () => {
    for (const tool of WRITE_TOOLS) {
      const response = await unchanged(() => anonymous.raw(tool, writeArgs(tool, targetOf(fixtures['A-public']), 'chatgpt'), { meta: { 'openai/userAgent': 'ChatGPT/1.2026.1' } }));
      expect(response.status).toBe(200);
      expect(response.body.result).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/^Sign in to /) }] });
      expect(response.body.result._meta['mcp/www_authenticate']).toEqual([expect.stringMatching(/error="insufficient_scope".*scope="kanban\.write"$/)]);
      expect(response.body.result.structuredContent).toBeUndefined();
    }
  });

  it('a database error reaches the caller as a generic message with a request id, never the database text (AU-14)', async () => {
    // A real database error, on either engine: a trigger that refuses one title, with a message that
    // reads like the engine's own. Input validation lets the title through; the database does not.
    const database = shared.kanban.runtime.database;
    const title = 'trips a database trigger';
    const refusal = 'sqlite constraint CHECK boards_title_length failed in INSERT INTO boards';
    if (TEST_ENGINE === 'sqlite') {
      await database.query(`CREATE TRIGGER au14_refuse BEFORE INSERT ON boards WHEN NEW.title = '${title}' BEGIN SELECT RAISE(ABORT, '${refusal}'); END`);
    } else {
      await database.query(`CREATE FUNCTION au14_refuse() RETURNS trigger AS $$ BEGIN IF NEW.title = '${title}' THEN RAISE EXCEPTION '${refusal}'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await database.query('CREATE TRIGGER au14_refuse BEFORE INSERT ON boards FOR EACH ROW EXECUTE FUNCTION au14_refuse()');
    }
    try {
      const result = await unchanged(() => A.call('create_board', { title }));
      const text = expectBareError(result);
      expect(text).toMatch(/^Something went wrong on our side \(request req_[0-9a-f-]{36}\)\. Try again in a moment/);
      expect(text).not.toMatch(/sqlite|constraint|CHECK|boards_title_length|SELECT|INSERT/i);
    } finally {
      if (TEST_ENGINE === 'sqlite') await database.query('DROP TRIGGER au14_refuse');
      else await database.query('DROP TRIGGER au14_refuse ON boards; DROP FUNCTION au14_refuse()');
    }
  });

  it('an unknown tool is a JSON-RPC error -32602, not a tool result (AU-15)', async () => {
    const response = await unchanged(() => A.raw('drop_all_boards', {}));
    expect(response.status).toBe(200);
    expect(response.body.error).toMatchObject({ code: -32602, message: expect.stringContaining('Unknown tool "drop_all_boards"') });
    expect(response.body.result).toBeUndefined();
  });
});
