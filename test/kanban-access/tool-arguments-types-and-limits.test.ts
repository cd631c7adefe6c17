import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { boardOf, cardByTitle } from '../support/kanban-actors.ts';
import { A, dbCard, expectBareError, expectInvalid, own, unchanged, useKanbanAccess, useOwnBoard, type ToolName } from './fixtures.ts';

// Tool arguments of the wrong type, missing, out of range or past their limits: an actionable isError
// result, and nothing changed (docs/security-cases.md group 8, IV-07, IV-08).

useKanbanAccess();

describe('tool arguments (security-cases group 8, IV-07 and IV-08)', () => {
  useOwnBoard();

  describe('IV-07: wrong types and missing or out-of-range values give an actionable isError result, and change nothing', () => {
    const cases: [ToolName, () => Record<string, unknown>, string, string | RegExp][] = [
      ['get_board', () => ({ boardId: 123 }), 'boardId', 'must be a board id such as "brd_…" as returned by list_boards'],
      ['get_board', () => ({}), 'boardId', 'must be a board id'],
      ['get_board', () => ({ boardId: `${own.id}' OR '1'='1` }), 'boardId', 'must be a board id'],
      ['create_card', () => ({ boardId: own.id, title: 42 }), 'title', 'must be text'],
      ['create_card', () => ({ boardId: own.id }), 'title', 'must be text'],
      ['create_card', () => ({ boardId: own.id, title: '   ' }), 'title', 'must not be empty'],
      ['create_card', () => ({ boardId: own.id, title: 'x', labels: 'urgent' }), 'labels', 'must be a list of labels'],
      ['create_card', () => ({ boardId: own.id, title: 'x', labels: [1] }), 'labels.0', 'must be text'],
      ['create_card', () => ({ boardId: own.id, title: 'x', position: 'middle' }), 'position', 'must be "top" or "bottom"'],
      ['create_card', () => ({ boardId: own.id, title: 'x', dueDate: '2026-02-30' }), 'dueDate', 'is not a real calendar date'],
      ['create_card', () => ({ boardId: own.id, title: 'x', dueDate: 20261231 }), 'dueDate', 'must be a date such as 2026-12-31'],
      ['create_card', () => ({ boardId: own.id, title: 'x', force: 'yes' }), 'force', 'must be true or false'],
      ['create_card', () => ({ boardId: own.id, title: 'x', requestId: 'abc' }), 'requestId', 'must be 8–100 letters, digits or . _ : -'],
      ['update_card', () => ({ cardId: 'crd_short', title: 'x' }), 'cardId', 'must be a card id such as "crd_…" as returned by get_board'],
      ['update_card', () => ({ cardId: own.cardId, dueDate: true }), 'dueDate', 'must be a date such as 2026-12-31'],
      ['move_card', () => ({ cardId: own.cardId, position: 'sideways' }), 'position', 'must be top, bottom, before or after'],
      ['move_card', () => ({ cardId: own.cardId, relativeTo: own.id, position: 'before' }), 'relativeTo', 'must be a card id'],
      ['delete_card', () => ({ cardId: [own.cardId] }), 'cardId', 'must be a card id'],
      ['create_board', () => ({ title: 'x', columns: [] }), 'columns', 'needs at least one column'],
      ['create_board', () => ({ title: 'x', visibility: 'secret' }), 'visibility', 'must be "public" or "private"'],
      ['update_board', () => ({ boardId: own.id, addColumns: 'Review' }), 'addColumns', 'must be a list of columns'],
      ['update_board', () => ({ boardId: own.id, removeColumns: [{ id: own.columnIds[0] }] }), 'removeColumns.0', 'must be a column id'],
      ['delete_board', () => ({ boardId: null }), 'boardId', 'must be a board id'],
      ['search_cards', () => ({ query: '' }), 'query', 'must not be empty'],
      ['search_cards', () => ({ query: { $ne: null } }), 'query', 'must be text'],
      ['list_boards', () => ({ cursor: 7 }), 'cursor', 'must be a string'],
    ];
    for (const [tool, args, field, message] of cases) {
      it(`${tool} ${field}`, async () => {
        const result = await unchanged(() => A.call(tool, args()));
        expectInvalid(result, tool, field, message);
      });
    }

    it('before/after without relativeTo (and relativeTo without them) is refused in words', async () => {
      for (const args of [{ cardId: own.cardId, position: 'before' }, { cardId: own.cardId, relativeTo: own.cardId }]) {
        const result = await unchanged(() => A.call('move_card', args));
        expect(expectBareError(result)).toBe('relativeTo goes with position "before" or "after", and only with them.');
      }
    });
  });

  describe('IV-08: sizes and numbers at and past their limits', () => {
    it('a title of 200 characters is kept exactly; 201 characters, or 1 MB, are refused', async () => {
      const title = 'é'.repeat(199) + '!';
      expect(title).toHaveLength(200);
      const board = boardOf(await A.call('create_card', { boardId: own.id, title }));
      expect((await dbCard(cardByTitle(board, title).id))?.title).toBe(title);
      for (const tooLong of ['x'.repeat(201), 'x'.repeat(1_000_000)]) {
        expectInvalid(await unchanged(() => A.call('create_card', { boardId: own.id, title: tooLong })), 'create_card', 'title', 'is too long: use at most 200 characters');
        expectInvalid(await unchanged(() => A.call('create_board', { title: tooLong })), 'create_board', 'title', 'is too long: use at most 200 characters');
      }
    });

    it('a body over the 1 MiB limit is refused with HTTP 413 and a JSON-RPC error, before any tool runs', async () => {
      const response = await unchanged(() => A.raw('create_card', { boardId: own.id, title: 'x'.repeat(2_000_000) }));
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 }, id: null });
    });

    it('descriptions, labels and columns stop at their limits', async () => {
      expectInvalid(await unchanged(() => A.call('create_card', { boardId: own.id, title: 'x', description: 'd'.repeat(10_001) })), 'create_card', 'description', 'is too long: use at most 10000 characters');
      expectInvalid(await unchanged(() => A.call('create_card', { boardId: own.id, title: 'x', labels: Array.from({ length: 21 }, (_, i) => `l${i}`) })), 'create_card', 'labels', 'may hold at most 20 labels');
      expectInvalid(await unchanged(() => A.call('create_card', { boardId: own.id, title: 'x', labels: ['l'.repeat(41)] })), 'create_card', 'labels.0', 'must be at most 40 characters');
      expectInvalid(await unchanged(() => A.call('create_board', { title: 'x', columns: Array.from({ length: 51 }, (_, i) => `c${i}`) })), 'create_board', 'columns', 'may hold at most 50 columns');
      const full = boardOf(await A.call('create_card', { boardId: own.id, title: 'At the limits', description: 'd'.repeat(10_000), labels: Array.from({ length: 20 }, (_, i) => `l${i}`.padEnd(40, '.')) }));
      const card = (await dbCard(cardByTitle(full, 'At the limits').id))!;
      expect(card.description).toHaveLength(10_000);
      expect(JSON.parse(card.labels)).toHaveLength(20);
    });

    for (const [tool, field, extra] of [
      ['list_boards', 'limit', {}],
      ['search_cards', 'limit', { query: 'plumber' }],
    ] as const) {
      for (const value of [-1, 0, 1e9, 2.5, 2 ** 53 + 1]) {
        it(`${tool} ${field} ${value} is refused`, async () => {
          const result = await unchanged(() => A.call(tool, { ...extra, [field]: value }));
          expectInvalid(result, tool, field, /must be (at least 1|at most \d+|a whole number)/);
        });
      }
    }

    it('1e309 (Infinity once parsed) is not a number', async () => {
      const response = await unchanged(() => A.raw('list_boards', '{"limit":1e309}'));
      expectInvalid(response.body.result as CallToolResult, 'list_boards', 'limit', 'must be a number');
    });

    it('WIP limits must be whole numbers from 1 to 1000', async () => {
      const columnId = own.columnIds[1]!;
      for (const wipLimit of [-1, 0, 2.5, 1001, 1e9]) {
        const set = await unchanged(() => A.call('update_board', { boardId: own.id, wipLimits: [{ columnId, wipLimit }] }));
        expectInvalid(set, 'update_board', 'wipLimits.0.wipLimit', /must be (at least 1|at most 1000|a whole number)/);
        const add = await unchanged(() => A.call('update_board', { boardId: own.id, addColumns: [{ title: 'Limited', wipLimit }] }));
        expectInvalid(add, 'update_board', 'addColumns.0.wipLimit', /must be (at least 1|at most 1000|a whole number)/);
      }
      const ok = boardOf(await A.call('update_board', { boardId: own.id, wipLimits: [{ columnId, wipLimit: 1000 }] }));
      expect(ok.columns[1]!.wipLimit).toBe(1000);
      boardOf(await A.call('update_board', { boardId: own.id, wipLimits: [{ columnId, wipLimit: null }] }));
    });
  });
});
