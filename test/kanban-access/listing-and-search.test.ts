import { describe, expect, it } from 'vitest';
import { dbRow, dbRows } from '../support/kanban-server.ts';
import { listAllBoards, type Actor, type BoardSummary, type SearchHit } from '../support/kanban-actors.ts';
import { A, anonymous, B, dbBoard, dbCard, expectBareError, expectNothingOf, fixtures, shared, useKanbanAccess } from './fixtures.ts';

// What list_boards and search_cards show each caller: featured public boards and their own, nothing
// else, whatever the search words or cursors (AU-10, RV-08).

useKanbanAccess();

describe('listing and search show featured public boards and the caller’s own, nothing else (AU-10, RV-08)', () => {
  type BoardRow = { id: string; owner_sub: string | null; visibility: string; featured: number };
  const visibleRow = (actor: Actor, row: BoardRow): boolean => (row.visibility === 'public' && row.featured === 1) || (actor.subject !== undefined && row.owner_sub === actor.subject);
  async function visibleTo(actor: Actor, boardId: string): Promise<boolean> {
    return visibleRow(actor, (await dbBoard(boardId))!);
  }
  const allBoards = async () => (await dbRows<BoardRow>(shared.kanban, 'SELECT id, owner_sub, visibility, featured FROM boards'));

  it('list_boards lists exactly the listed boards, with owned/canEdit right on every one', async () => {
    for (const actor of [A, B, anonymous]) {
      const listed = await listAllBoards(actor);
      const expected = (await allBoards()).filter((row) => visibleRow(actor, row));
      expect(listed.map((board) => board.id).sort(), actor.label).toEqual(expected.map((row) => row.id).sort());
      expect(listed.length, actor.label).toBeGreaterThan(0);
      for (const board of listed) {
        const owned = actor.subject !== undefined && (await dbBoard(board.id))!.owner_sub === actor.subject;
        expect({ owned: board.owned, canEdit: board.canEdit }, `${actor.label} ${board.id}`).toEqual({ owned, canEdit: owned });
      }
    }
    // The others' private boards exist, so the filter above had something to hide.
    expect((await allBoards()).filter((row) => !visibleRow(A, row)).length).toBeGreaterThan(0);
  });

  for (const wildcard of ['%', '_']) {
    it(`search "${wildcard}" is a literal character, and finds only cards of listed boards`, async () => {
      let foundAny = false;
      for (const actor of [A, B, anonymous]) {
        const result = await actor.call('search_cards', { query: wildcard, limit: 50 });
        const hits = (result.structuredContent as { results: SearchHit[] }).results;
        foundAny ||= hits.length > 0;
        for (const hit of hits) {
          expect(await visibleTo(actor, hit.board.id), `${actor.label} sees ${hit.board.id}`).toBe(true);
          const row = (await dbCard(hit.card.id))!;
          expect(row.title.includes(wildcard) || row.description.includes(wildcard)).toBe(true);
        }
        const found = new Set(hits.map((hit) => hit.card.id));
        for (const kind of ['A-private', 'A-public', 'B-private', 'B-public'] as const) {
          const fixture = fixtures[kind];
          expect(found.has(fixture.cardId), `${actor.label} finds ${kind}`).toBe(await visibleTo(actor, fixture.id));
        }
      }
      // The loops above checked something: the fixtures' cards hold the character.
      expect(foundAny).toBe(true);
    });
  }

  it('a cursor is no key: A’s cursor used by B, or a forged one naming B’s private board, pages only through the caller’s own view', async () => {
    const first = await A.call('list_boards', { limit: 1 });
    const cursor = (first.structuredContent as { nextCursor?: string }).nextCursor!;
    expect(cursor).toBeTruthy();
    const viaB = (await B.call('list_boards', { cursor, limit: 100 })).structuredContent as { boards: BoardSummary[] };
    expect(viaB.boards.length).toBeGreaterThan(0);
    for (const board of viaB.boards) expect(await visibleTo(B, board.id)).toBe(true);
    const secret = fixtures['B-private'];
    const row = (await dbRow<{ updated_at: number }>(shared.kanban, 'SELECT updated_at FROM boards WHERE id = ?', [secret.id]));
    const forged = Buffer.from(JSON.stringify([row!.updated_at + 1, secret.id])).toString('base64url');
    const viaForgery = await A.call('list_boards', { cursor: forged, limit: 100 });
    const forgedPage = (viaForgery.structuredContent as { boards: BoardSummary[] }).boards;
    expect(forgedPage.length).toBeGreaterThan(0);
    for (const board of forgedPage) expect(await visibleTo(A, board.id)).toBe(true);
    expectNothingOf(secret, { cursor: forged }, viaForgery);
  });

  it('a cursor list_boards never gave out is refused with an actionable message and no data', async () => {
    // Garbage, and well-formed JSON that would reach the database as an invalid date or as text
    // PostgreSQL refuses (NUL): each is the caller's error, never an internal one.
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of ['not-a-cursor', forged([9e15, fixtures['A-public'].id]), forged([1, 'a\u0000b']), forged([1, 'brd_x'])]) {
      const result = await A.call('list_boards', { cursor });
      expect(expectBareError(result), cursor).toBe('That cursor is not one list_boards gave out. Call list_boards without a cursor to start from the first page.');
    }
  });
});
