import { describe, expect, it } from 'vitest';
import { absentId, boardOf, listAllBoards, randomWord, type BoardView } from '../support/kanban-actors.ts';
import { A, B, dbBoard, dbCard, expectBareError, expectNothingOf, fixtures, makeBoard, unchanged, useKanbanAccess } from './fixtures.ts';

// Whose a board or card is comes from the token, never from the arguments (AU-08, AU-09).

useKanbanAccess();

describe('the owner comes from the token, never from arguments (AU-08, AU-09)', () => {
  const injected = () => ({ ownerSub: B.subject, userId: B.subject, ownerId: B.subject, owner_sub: B.subject, user_id: B.subject, createdBySub: B.subject });

  it('create_board ignores ownerSub/userId/__proto__ and makes the board the caller’s', async () => {
    const title = `Injected ${randomWord()}`;
    // A JSON text, so "__proto__" goes over the wire as an ordinary key.
    const args = JSON.stringify({ title, visibility: 'private', ...injected(), personal: true, id: fixtures['B-private'].id }).replace(/}$/, `,"__proto__":{"ownerSub":${JSON.stringify(B.subject)}}}`);
    expect(args).toContain('"__proto__"');
    const response = await A.raw('create_board', args);
    const board = response.body.result.structuredContent.board as BoardView;
    expect(board).toMatchObject({ title, owned: true, canEdit: true });
    expect(board.id).not.toBe(fixtures['B-private'].id);
    expect(await dbBoard(board.id)).toMatchObject({ owner_sub: A.subject, personal: 0 });
    expect((await listAllBoards(B)).map((entry) => entry.id)).not.toContain(board.id);
    expect(expectBareError(await B.call('get_board', { boardId: board.id }))).toMatch(/^No board/);
  });

  it('update_board with ownerSub/userId/personal/id keeps the owner and the row', async () => {
    const own = await makeBoard(A, 'private', 'A-private');
    const before = (await dbBoard(own.id))!;
    const result = await A.call('update_board', { boardId: own.id, title: 'Still mine', ...injected(), personal: true, id: absentId('brd') });
    expect(boardOf(result)).toMatchObject({ id: own.id, title: 'Still mine', owned: true });
    expect(await dbBoard(own.id)).toEqual({ ...before, title: 'Still mine', updated_at: expect.any(Number) });
    expect(expectBareError(await B.call('get_board', { boardId: own.id }))).toMatch(/^No board/);
  });

  it('update_card with boardId/columnId/position/createdBySub of someone else moves nothing (mass assignment)', async () => {
    const own = await makeBoard(A, 'private', 'A-private');
    const before = (await dbCard(own.cardId))!;
    const victim = fixtures['B-private'];
    const result = await A.call('update_card', { cardId: own.cardId, title: 'Edited', boardId: victim.id, columnId: victim.columnIds[0], position: -5, ...injected() });
    expect(boardOf(result).id).toBe(own.id);
    expect(await dbCard(own.cardId)).toEqual({ ...before, title: 'Edited', search_text: `edited\n${before.description.toLowerCase()}`, updated_at: expect.any(Number) });
  });

  it('create_card and move_card cannot reach into another user’s columns or cards by id', async () => {
    const own = await makeBoard(A, 'private', 'A-private');
    const victim = fixtures['B-private'];
    const intoColumn = await unchanged(() => A.call('create_card', { boardId: own.id, column: victim.columnIds[0], title: 'sneaky' }));
    expect(expectBareError(intoColumn)).toMatch(/has no column/);
    expectNothingOf(victim, { column: victim.columnIds[0] }, intoColumn);
    const moveInto = await unchanged(() => A.call('move_card', { cardId: own.cardId, column: victim.columnIds[0] }));
    expect(expectBareError(moveInto)).toMatch(/has no column/);
    expectNothingOf(victim, { column: victim.columnIds[0] }, moveInto);
    // relativeTo another user's card answers exactly as for a card that does not exist.
    const beside = await unchanged(() => A.call('move_card', { cardId: own.cardId, position: 'after', relativeTo: victim.cardId }));
    const absent = absentId('crd');
    const besideNothing = await unchanged(() => A.call('move_card', { cardId: own.cardId, position: 'after', relativeTo: absent }));
    expect(expectBareError(beside)).toContain('is not in that column');
    expect(JSON.stringify(beside).replaceAll(victim.cardId, '<card>')).toBe(JSON.stringify(besideNothing).replaceAll(absent, '<card>'));
  });

  it('a requestId is the caller’s own: B repeating A’s requestId gets a board of B’s, not A’s stored result', async () => {
    const requestId = `shared-${randomWord()}`;
    const mine = boardOf(await A.call('create_board', { title: 'A with request id', requestId }));
    const theirs = await B.call('create_board', { title: 'B with request id', requestId });
    const board = boardOf(theirs);
    expect(board).toMatchObject({ title: 'B with request id', owned: true });
    expect(board.id).not.toBe(mine.id);
    expect(JSON.stringify(theirs)).not.toContain(mine.id);
    expect((await dbBoard(board.id))?.owner_sub).toBe(B.subject);
  });
});
