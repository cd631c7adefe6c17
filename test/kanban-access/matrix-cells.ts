import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';
import { boardOf, cardByTitle, cardsOf, listAllBoards, randomWord, textOf, type Actor, type BoardSummary, type SearchHit } from '../support/kanban-actors.ts';
import { absentTarget, dbBoard, dbCard, dbColumnsOf, expectBareError, expectNothingOf, isPublic, makeBoard, metadataUrl, normalise, ownerOf, READ_TOOLS, targetOf, unchanged, writeArgs, type ActorName, type Fixture, type Kind, type Target, type ToolName } from './fixtures.ts';

// One cell of the access matrix (matrix.test.ts): what a tool call by one actor on one kind of board
// must give, written out once as rules, and the checks that the server's answer is that outcome.

export type Outcome = 'allowed' | 'by id only' | 'not found' | 'read-only' | 'sign-in challenge';

/** The rules of issue 4, written out once: matrix.test.ts checks the server against them. */
export function expectedOutcome(tool: ToolName, actor: ActorName, kind: Kind): Outcome {
  const owns = ownerOf(kind) === actor;
  // RV-08: listing and search cover one's own boards and the featured (demo) ones; another
  // user's public board is read by its id only.
  if (READ_TOOLS.includes(tool)) {
    if (owns || kind === 'demo' || (isPublic(kind) && tool === 'get_board')) return 'allowed';
    return isPublic(kind) ? 'by id only' : 'not found';
  }
  if (actor === 'anonymous') return 'sign-in challenge';
  // create_board names no board: it always makes a new one for the caller (the stray boardId is ignored).
  if (tool === 'create_board' || owns) return 'allowed';
  return isPublic(kind) ? 'read-only' : 'not found';
}

export async function readCell(tool: ToolName, actor: Actor, actorName: ActorName, fixture: Fixture, outcome: Outcome): Promise<void> {
  const owns = ownerOf(fixture.kind) === actorName;
  if (tool === 'list_boards') {
    const listed = await unchanged(() => listAllBoards(actor));
    const entry = listed.find((board) => board.id === fixture.id);
    if (outcome === 'allowed') {
      expect(entry).toMatchObject({ title: fixture.title, visibility: fixture.visibility, owned: owns, canEdit: owns, cardCount: expect.any(Number) });
    } else {
      expect(entry).toBeUndefined();
      expectNothingOf(fixture, {}, listed);
    }
    return;
  }
  if (tool === 'get_board') {
    const args = { boardId: fixture.id };
    const result = await unchanged(() => actor.call('get_board', args));
    if (outcome === 'allowed') {
      const board = boardOf(result);
      expect(board).toMatchObject({ id: fixture.id, title: fixture.title, visibility: fixture.visibility, owned: owns, canEdit: owns });
      expect(cardsOf(board).map((card) => card.id)).toContain(fixture.cardId);
      return;
    }
    await expectSameAsAbsent(actor, 'get_board', args, fixture, result, (target) => ({ boardId: target.boardId }));
    expect(textOf(result)).toBe(`No board ${fixture.id} is visible to you. Call list_boards to see the boards you can open.`);
    return;
  }
  // search_cards: across all boards, and within this one board.
  const everywhere = await unchanged(() => actor.call('search_cards', { query: fixture.query, limit: 50 }));
  expect(everywhere.isError).toBeFalsy();
  const hits = (everywhere.structuredContent as { results: SearchHit[] }).results;
  const scoped = { query: fixture.query, boardId: fixture.id };
  const inBoard = await unchanged(() => actor.call('search_cards', scoped));
  if (outcome === 'by id only') {
    expect(hits).toEqual([]);
    expectNothingOf(fixture, { query: fixture.query }, everywhere);
    expect((inBoard.structuredContent as { results: SearchHit[] }).results.map((hit) => hit.card.id)).toEqual([fixture.cardId]);
    return;
  }
  if (outcome === 'allowed') {
    expect(hits.map((hit) => hit.card.id)).toContain(fixture.cardId);
    expect(hits.find((hit) => hit.card.id === fixture.cardId)).toMatchObject({ card: { title: fixture.cardTitle }, board: { id: fixture.id, title: fixture.title } });
    expect((inBoard.structuredContent as { results: SearchHit[] }).results.map((hit) => hit.card.id)).toEqual([fixture.cardId]);
    return;
  }
  expect(hits).toEqual([]);
  expectNothingOf(fixture, { query: fixture.query }, everywhere);
  await expectSameAsAbsent(actor, 'search_cards', scoped, fixture, inBoard, (target) => ({ query: fixture.query, boardId: target.boardId }));
}

/** AU-06/AU-07: the refusal is the one a nonexistent id gets, byte for byte but for the id itself. */
async function expectSameAsAbsent(actor: Actor, tool: ToolName, args: Record<string, unknown>, fixture: Fixture, result: CallToolResult, argsFor: (target: Target) => Record<string, unknown>): Promise<void> {
  const text = expectBareError(result);
  expect(text).toMatch(/^No (board|card) \S+ is visible to you\./);
  expectNothingOf(fixture, args, result);
  const absent = absentTarget();
  const absentResult = await unchanged(() => actor.call(tool, argsFor(absent)));
  expect(normalise(result, targetOf(fixture))).toBe(normalise(absentResult, absent));
}

export async function writeCell(tool: ToolName, actor: Actor, actorName: ActorName, fixture: Fixture, outcome: Outcome): Promise<void> {
  const tag = randomWord('w');
  if (outcome === 'sign-in challenge') {
    const args = writeArgs(tool, targetOf(fixture), tag);
    const response = await unchanged(() => actor.raw(tool, args));
    expect(response.status).toBe(401);
    expect(response.challenge).toBe(`Bearer resource_metadata="${metadataUrl()}", scope="kanban.write"`);
    expect(response.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32001, message: expect.stringMatching(/^Sign in to \w+ (cards|boards)\.$/) } });
    expect(response.body.result).toBeUndefined();
    // Nobody learns whether the board exists: a nonexistent target gets the very same answer.
    const absentResponse = await unchanged(() => actor.raw(tool, writeArgs(tool, absentTarget(), tag)));
    expect({ ...absentResponse, body: { ...absentResponse.body, id: 0 } }).toEqual({ ...response, body: { ...response.body, id: 0 } });
    return;
  }
  if (outcome === 'not found') {
    const args = writeArgs(tool, targetOf(fixture), tag);
    const result = await unchanged(() => actor.call(tool, args));
    await expectSameAsAbsent(actor, tool, args, fixture, result, (target) => writeArgs(tool, target, tag));
    return;
  }
  if (outcome === 'read-only') {
    const args = writeArgs(tool, targetOf(fixture), tag);
    const result = await unchanged(() => actor.call(tool, args));
    const text = expectBareError(result);
    expect(text).toContain(`Board ${fixture.id} is read-only for you: ${fixture.kind === 'demo' ? 'it is a demo board' : 'only its owner can change it'}.`);
    // Not the title either: it is someone else's text, and this message goes to the model (RV-08).
    for (const secret of [fixture.title, fixture.ownerSubject, fixture.ownerUsername, fixture.cardDescription]) if (secret) expect(text).not.toContain(secret);
    return;
  }
  await allowedWrite(tool, actor, actorName, fixture, tag);
}

/** The owner's writes work (on a fresh board of the same kind, so the shared fixtures stay put). */
async function allowedWrite(tool: ToolName, actor: Actor, actorName: ActorName, fixture: Fixture, tag: string): Promise<void> {
  if (tool === 'create_board') {
    const before = JSON.stringify([await dbBoard(fixture.id), await dbColumnsOf(fixture.id), await dbCard(fixture.cardId)]);
    const board = boardOf(await actor.call('create_board', writeArgs(tool, targetOf(fixture), tag)));
    expect(board).toMatchObject({ title: `Board from ${tag}`, visibility: 'private', owned: true, canEdit: true });
    expect(board.id).not.toBe(fixture.id);
    expect(await dbBoard(board.id)).toMatchObject({ owner_sub: actor.subject, visibility: 'private' });
    expect(JSON.stringify([await dbBoard(fixture.id), await dbColumnsOf(fixture.id), await dbCard(fixture.cardId)])).toBe(before);
    return;
  }
  const own = await makeBoard(actor, fixture.visibility, fixture.kind);
  expect(ownerOf(fixture.kind)).toBe(actorName);
  const result = await actor.call(tool, writeArgs(tool, targetOf(own), tag));
  expect(result.isError, textOf(result)).toBeFalsy();
  expect(textOf(result).length).toBeGreaterThan(0);
  if (tool === 'delete_board') {
    expect((result.structuredContent as { view: string; boards: BoardSummary[] }).view).toBe('boards');
    expect((result.structuredContent as { boards: BoardSummary[] }).boards.map((board) => board.id)).not.toContain(own.id);
    expect(await dbBoard(own.id)).toBeUndefined();
    expect(await dbColumnsOf(own.id)).toEqual([]);
    expect(await dbCard(own.cardId)).toBeUndefined();
    return;
  }
  const board = boardOf(result);
  expect(board).toMatchObject({ id: own.id, owned: true, canEdit: true });
  switch (tool) {
    case 'create_card': {
      const card = cardByTitle(board, `Card from ${tag}`);
      expect(await dbCard(card.id)).toMatchObject({ board_id: own.id, column_id: own.columnIds[0], created_by_sub: actor.subject });
      break;
    }
    case 'update_card':
      expect(await dbCard(own.cardId)).toMatchObject({ title: `Overwritten by ${tag}`, labels: '["pwned"]' });
      expect(cardByTitle(board, `Overwritten by ${tag}`).id).toBe(own.cardId);
      break;
    case 'move_card':
      expect((await dbCard(own.cardId))?.column_id).toBe(own.columnIds.at(-1));
      expect(board.columns.at(-1)!.cards[0]!.id).toBe(own.cardId);
      break;
    case 'delete_card':
      expect(await dbCard(own.cardId)).toBeUndefined();
      expect(cardsOf(board).map((card) => card.id)).not.toContain(own.cardId);
      break;
    case 'update_board':
      expect(board).toMatchObject({ title: `Renamed by ${tag}`, visibility: 'public' });
      expect(await dbBoard(own.id)).toMatchObject({ title: `Renamed by ${tag}`, visibility: 'public', owner_sub: actor.subject });
      break;
    default:
      throw new Error(`no check for ${tool}`);
  }
}
