import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { dbRow } from '../support/kanban-server.ts';
import { boardOf, cardByTitle, snapshotKanban, type BoardView, type SearchHit } from '../support/kanban-actors.ts';
import { A, anonymous, dbBoard, dbCard, dbColumnsOf, expectBareError, expectInvalid, own, shared, unchanged, useKanbanAccess, useOwnBoard } from './fixtures.ts';

// Hostile tool arguments: deep and huge JSON, prototype-pollution keys, SQL metacharacters, control
// and bidi characters (docs/security-cases.md group 8, IV-09 to IV-12).

useKanbanAccess();

describe('tool arguments (security-cases group 8, IV-09 to IV-12)', () => {
  useOwnBoard();

  describe('IV-09: deep and huge arguments are refused and the server keeps serving (how fast is pnpm bench\'s business, not a test\'s)', () => {
    it('10 000 and 100 000 levels of nesting in an argument', async () => {
      for (const depth of [10_000, 100_000]) {
        const deep = '['.repeat(depth) + ']'.repeat(depth);
        const asLabels = await unchanged(() => A.raw('create_card', `{"boardId":"${own.id}","title":"deep","labels":${deep}}`));
        expectInvalid(asLabels.body.result as CallToolResult, 'create_card', 'labels.0', 'must be text');
        const asObject = await unchanged(() => A.raw('get_board', `{"boardId":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`));
        expectInvalid(asObject.body.result as CallToolResult, 'get_board', 'boardId', 'must be a board id');
      }
      expect((await anonymous.call('list_boards', { limit: 1 })).isError).toBeFalsy();
    });

    it('a deep or wide unknown key is dropped, and the call does what it says', async () => {
      const deep = '['.repeat(10_000) + ']'.repeat(10_000);
      const wide = `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`;
      const response = await A.raw('create_card', `{"boardId":"${own.id}","title":"Carries junk","junk":${deep},"wide":${wide}}`);
      const card = (await dbCard(cardByTitle(response.body.result.structuredContent.board as BoardView, 'Carries junk').id))!;
      expect(card).toMatchObject({ title: 'Carries junk', description: '', labels: '[]' });
    });

    it('200 000 labels are refused at the count', async () => {
      const response = await unchanged(() => A.raw('create_card', `{"boardId":"${own.id}","title":"many","labels":[${Array(200_000).fill('"x"').join(',')}]}`));
      expectInvalid(response.body.result as CallToolResult, 'create_card', 'labels', 'may hold at most 20 labels');
      expect((await anonymous.call('list_boards', { limit: 1 })).isError).toBeFalsy();
    });
  });

  describe('IV-10: prototype-pollution keys reach neither objects nor queries', () => {
    it('__proto__ and constructor.prototype at the top level and nested in column definitions', async () => {
      const pollution = '"__proto__":{"isAdmin":true,"wipLimit":7},"constructor":{"prototype":{"isAdmin":true}}';
      const top = await A.raw('create_card', `{"boardId":"${own.id}","title":"Polluter",${pollution}}`);
      const card = (await dbCard(cardByTitle(top.body.result.structuredContent.board as BoardView, 'Polluter').id))!;
      expect(card).toMatchObject({ title: 'Polluter', description: '', labels: '[]', created_by_sub: A.subject });
      const nested = await A.raw('update_board', `{"boardId":"${own.id}","addColumns":[{"title":"Proto column",${pollution}}],"wipLimits":[{"columnId":"${own.columnIds[0]}","wipLimit":null,${pollution}}]}`);
      expect(nested.body.result.isError).toBeFalsy();
      const added = (await dbColumnsOf(own.id)).find((column) => column.title === 'Proto column')!;
      expect(added.wip_limit).toBeNull();
      expect((await dbColumnsOf(own.id)).find((column) => column.id === own.columnIds[0])!.wip_limit).toBeNull();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).wipLimit).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'isAdmin')).toBe(false);
    });

    it('labels named __proto__, constructor and prototype are plain text, kept as sent', async () => {
      const labels = ['__proto__', 'constructor', 'prototype', 'toString'];
      const board = boardOf(await A.call('create_card', { boardId: own.id, title: 'Proto labels', labels }));
      expect(cardByTitle(board, 'Proto labels').labels).toEqual(labels);
      expect(JSON.parse((await dbCard(cardByTitle(board, 'Proto labels').id))!.labels)).toEqual(labels);
    });
  });

  describe('IV-11: SQL metacharacters are stored and searched as plain text', () => {
    const sqlish = {
      board: `Robert'); DROP TABLE boards;--`,
      columns: [`' OR 1=1 --`, `"; DROP TABLE cards; --`, `x\\' UNION SELECT owner_sub FROM boards --`],
      card: `' OR 1=1 --`,
      description: `1; DELETE FROM cards WHERE 1=1; -- /* */ %' ESCAPE '\\`,
      labels: [`'; --`, `%_\\`],
    };

    it('round-trips every string exactly and leaves every table in place', async () => {
      const counts = async () => Promise.all((['boards', 'columns', 'cards', 'accounts'] as const).map(async (table) => (await dbRow<{ n: number }>(shared.kanban, `SELECT count(*) AS n FROM ${table}`))!.n));
      const [boards, columns, cards, accounts] = await counts();
      const board = boardOf(await A.call('create_board', { title: sqlish.board, columns: sqlish.columns }));
      expect(board.title).toBe(sqlish.board);
      expect(board.columns.map((column) => column.title)).toEqual(sqlish.columns);
      const withCard = boardOf(await A.call('create_card', { boardId: board.id, column: sqlish.columns[1], title: sqlish.card, description: sqlish.description, labels: sqlish.labels }));
      const card = cardByTitle(withCard, sqlish.card);
      expect(card.columnId).toBe(board.columns[1]!.id);
      expect(card.labels).toEqual(sqlish.labels);
      const stored = (await dbCard(card.id))!;
      expect({ ...stored, labels: JSON.parse(stored.labels) as unknown }).toMatchObject({ title: sqlish.card, description: sqlish.description, labels: sqlish.labels });
      expect((await dbBoard(board.id))?.title).toBe(sqlish.board);
      expect(await counts()).toEqual([boards! + 1, columns! + 3, cards! + 1, accounts]);
      const search = await A.call('search_cards', { query: sqlish.card, limit: 50 });
      expect((search.structuredContent as { results: SearchHit[] }).results.map((hit) => hit.card.id)).toEqual([card.id]);
      const byDescription = await A.call('search_cards', { query: `%' ESCAPE`, limit: 50 });
      expect((byDescription.structuredContent as { results: SearchHit[] }).results.map((hit) => hit.card.id)).toEqual([card.id]);
    });

    it('a column named like an injection matches no column', async () => {
      const result = await unchanged(() => A.call('create_card', { boardId: own.id, column: `' OR '1'='1`, title: 'nowhere' }));
      expect(expectBareError(result)).toContain(`has no column "' OR '1'='1"`);
    });
  });

  describe('IV-12: control and bidi characters round-trip byte for byte', () => {
    const titles = {
      'RTL override': 'invoice\u202Efdp.exe\u202C',
      'CRLF inside': 'line one\r\nSet-Cookie: x=1',
      'zero-width and combining': 'ze\u200Bro e\u0301 \u{1F4CB}',
      'C0 controls': 'bell\u0007tab\tesc\u001B[31m',
    };

    // PostgreSQL's text cannot hold NUL (and SQLite's length() stops at it): refused everywhere, on both engines.
    it('NUL in titles, descriptions, labels and search words is refused with a clear message, and nothing is written', async () => {
      const before = await snapshotKanban(shared.kanban);
      for (const [args, field] of [
        [{ title: 'before\u0000after' }, 'title'],
        [{ title: '\u0000abc' }, 'title'],
        [{ title: 'nul in description', description: '\u0000x\u0000' }, 'description'],
        [{ title: 'nul in a label', labels: ['a\u0000b'] }, 'labels.0'],
      ] as const) {
        const refused = await A.call('create_card', { boardId: own.id, ...args });
        expect(refused.isError).toBe(true);
        expect(JSON.stringify(refused.content)).toContain(`${field}: must not contain NUL characters`);
      }
      const search = await A.call('search_cards', { query: 'a\u0000b' });
      expect(JSON.stringify(search.content)).toContain('query: must not contain NUL characters');
      expect(await snapshotKanban(shared.kanban)).toBe(before);
    });

    for (const [name, title] of Object.entries(titles)) {
      it(`${name} in a card title and a board title`, async () => {
        const created = boardOf(await A.call('create_card', { boardId: own.id, title, description: `${title}\n${title}` }));
        const card = cardByTitle(created, title);
        const row = (await dbCard(card.id))!;
        expect(Buffer.from(row.title, 'utf8').equals(Buffer.from(title, 'utf8'))).toBe(true);
        expect(row.description).toBe(`${title}\n${title}`);
        const read = await A.call('get_board', { boardId: own.id });
        expect(cardByTitle(boardOf(read), title).id).toBe(card.id);
        expect((read._meta as { cardDescriptions: Record<string, string> }).cardDescriptions[card.id]).toBe(`${title}\n${title}`);
        const board = boardOf(await A.call('create_board', { title, columns: [title] }));
        expect({ board: board.title, column: board.columns[0]!.title }).toEqual({ board: title, column: title });
        expect((await dbBoard(board.id))?.title).toBe(title);
      });
    }

    it('CR/LF in a tool name cannot forge a log line', async () => {
      const name = 'x\r\n{"level":60,"msg":"forged"}';
      const response = await A.raw(name, {});
      expect(response.body.error.code).toBe(-32602);
      // The request line is written when the response has gone out.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const logs = shared.kanban.logs;
      expect(logs.some((line) => line.tool === name)).toBe(true);
      expect(logs.some((line) => line.msg === 'forged' || line.level === 60)).toBe(false);
    });
  });
});
