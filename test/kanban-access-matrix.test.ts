import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { dbRow, dbRows, useKanban } from './support/kanban-server.ts';
import { TEST_ENGINE } from './support/test-database.ts';
import { exchangeCode, getCode } from './support/oauth-steps.ts';
import {
  absentId,
  actorWithToken,
  anonymousActor,
  boardOf,
  cardByTitle,
  cardsOf,
  listAllBoards,
  rawPost,
  randomWord,
  signInActor,
  snapshotKanban,
  textOf,
  type Actor,
  type BoardSummary,
  type BoardView,
  type SearchHit,
} from './support/kanban-actors.ts';

// Who may do what to which board, through the real server with real tokens from the embedded
// issuer: two users (A and B, two accounts, two OAuth flows) and nobody, against five kinds of
// board, for every tool. Then the rest of docs/security-cases.md group 6 (IDOR) and the tool-argument
// rows of group 8 (input validation). Every refusal is followed by a check that the kanban tables
// are byte for byte what they were.

const shared = useKanban();

type Kind = 'A-private' | 'A-public' | 'B-private' | 'B-public' | 'demo';
type ActorName = 'A' | 'B' | 'anonymous';
type ToolName = 'list_boards' | 'get_board' | 'search_cards' | 'create_card' | 'update_card' | 'move_card' | 'delete_card' | 'create_board' | 'update_board' | 'delete_board';
type Outcome = 'allowed' | 'by id only' | 'not found' | 'read-only' | 'sign-in challenge';

const KINDS: readonly Kind[] = ['A-private', 'A-public', 'B-private', 'B-public', 'demo'];
const ACTORS: readonly ActorName[] = ['A', 'B', 'anonymous'];
const READ_TOOLS: readonly ToolName[] = ['list_boards', 'get_board', 'search_cards'];
const WRITE_TOOLS: readonly ToolName[] = ['create_card', 'update_card', 'move_card', 'delete_card', 'create_board', 'update_board', 'delete_board'];
const TOOLS: readonly ToolName[] = [...READ_TOOLS, ...WRITE_TOOLS];

function ownerOf(kind: Kind): ActorName | null {
  return kind === 'demo' ? null : kind.startsWith('A-') ? 'A' : 'B';
}
function isPublic(kind: Kind): boolean {
  return kind === 'demo' || kind.endsWith('-public');
}

/** The rules of issue 4, written out once: the matrix below checks the server against them. */
function expectedOutcome(tool: ToolName, actor: ActorName, kind: Kind): Outcome {
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

interface Fixture {
  kind: Kind;
  id: string;
  title: string;
  visibility: 'public' | 'private';
  ownerSubject: string | null;
  ownerUsername: string | null;
  columnIds: string[];
  cardId: string;
  cardColumnId: string;
  cardTitle: string;
  cardDescription: string;
  /** A word that finds the card with search_cards, and nothing else. */
  query: string;
}

let A: Actor;
let B: Actor;
let anonymous: Actor;
const fixtures = {} as Record<Kind, Fixture>;
const actors = () => ({ A, B, anonymous }) as Record<ActorName, Actor>;
const metadataUrl = () => `${shared.kanban.url}/.well-known/oauth-protected-resource/mcp`;

async function dbBoard(id: string) {
  return (await dbRow<{ id: string; owner_sub: string | null; title: string; visibility: string; personal: number; featured: number }>(shared.kanban, 'SELECT * FROM boards WHERE id = ?', [id]));
}
async function dbCard(id: string) {
  return (await dbRow<{ id: string; board_id: string; column_id: string; title: string; description: string; labels: string; position: number; created_by_sub: string | null }>(shared.kanban, 'SELECT * FROM cards WHERE id = ?', [id]));
}
async function dbColumnsOf(boardId: string) {
  return (await dbRows<{ id: string; title: string; wip_limit: number | null }>(shared.kanban, 'SELECT * FROM columns WHERE board_id = ? ORDER BY position', [boardId]));
}

/** A board of `owner` with one card whose title holds % and _ (for the LIKE tests). */
async function makeBoard(owner: Actor, visibility: 'public' | 'private', kind: Kind): Promise<Fixture> {
  const query = randomWord();
  const title = `${owner.label} ${visibility} ${randomWord('t')}`;
  const created = boardOf(await owner.call('create_board', { title, visibility }));
  const cardTitle = `${query} 50% off_now`;
  const cardDescription = `secret of ${owner.label}: ${randomWord('d')}`;
  const withCard = boardOf(await owner.call('create_card', { boardId: created.id, title: cardTitle, description: cardDescription, labels: ['mine'] }));
  return {
    kind,
    id: created.id,
    title,
    visibility,
    ownerSubject: owner.subject!,
    ownerUsername: owner.username!,
    columnIds: withCard.columns.map((column) => column.id),
    cardId: cardByTitle(withCard, cardTitle).id,
    cardColumnId: cardByTitle(withCard, cardTitle).columnId,
    cardTitle,
    cardDescription,
    query,
  };
}

beforeAll(async () => {
  const kanban = shared.kanban;
  A = await signInActor(kanban, 'A');
  B = await signInActor(kanban, 'B');
  anonymous = await anonymousActor(kanban);
  fixtures['A-private'] = await makeBoard(A, 'private', 'A-private');
  fixtures['A-public'] = await makeBoard(A, 'public', 'A-public');
  fixtures['B-private'] = await makeBoard(B, 'private', 'B-private');
  fixtures['B-public'] = await makeBoard(B, 'public', 'B-public');
  const demoSummary = (await listAllBoards(anonymous)).find((board) => board.title === 'Home renovation')!;
  const demoResult = await anonymous.call('get_board', { boardId: demoSummary.id });
  const demo = boardOf(demoResult);
  const demoCard = cardByTitle(demo, 'Call the plumber about the dripping tap');
  fixtures.demo = {
    kind: 'demo',
    id: demo.id,
    title: demo.title,
    visibility: 'public',
    ownerSubject: null,
    ownerUsername: null,
    columnIds: demo.columns.map((column) => column.id),
    cardId: demoCard.id,
    cardColumnId: demoCard.columnId,
    cardTitle: demoCard.title,
    cardDescription: (demoResult._meta as { cardDescriptions: Record<string, string> }).cardDescriptions[demoCard.id]!,
    query: 'plumber',
  };
});

// ---- the shapes of the four outcomes ----

/** Strings of the target board that a refusal must not reveal (unless the caller sent them). */
function leakCandidates(fixture: Fixture, sent: unknown): string[] {
  const sentText = JSON.stringify(sent);
  return [fixture.title, fixture.cardTitle, fixture.cardDescription, fixture.id, fixture.cardId, ...fixture.columnIds, fixture.ownerSubject, fixture.ownerUsername].filter(
    (value): value is string => value !== null && !sentText.includes(value),
  );
}

function expectNothingOf(fixture: Fixture, sent: unknown, received: unknown): void {
  const text = JSON.stringify(received);
  for (const secret of leakCandidates(fixture, sent)) expect(text, `leaks ${secret}`).not.toContain(secret);
}

/** A refusal as a tool result: isError, one text, and nothing else (no structuredContent, no _meta). */
function expectBareError(result: CallToolResult): string {
  expect(result.isError, JSON.stringify(result)).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  expect(result._meta).toBeUndefined();
  expect(result.content).toHaveLength(1);
  return textOf(result);
}

interface Target {
  boardId: string;
  cardId: string;
  columnId: string;
}
const targetOf = (fixture: Fixture): Target => ({ boardId: fixture.id, cardId: fixture.cardId, columnId: fixture.columnIds.at(-1)! });
const absentTarget = (): Target => ({ boardId: absentId('brd'), cardId: absentId('crd'), columnId: absentId('col') });

function normalise(value: unknown, target: Target): string {
  return JSON.stringify(value).replaceAll(target.boardId, '<board>').replaceAll(target.cardId, '<card>').replaceAll(target.columnId, '<column>');
}

/** The arguments of a write aimed at `target` (create_board carries a stray boardId it must ignore). */
function writeArgs(tool: ToolName, target: Target, tag: string): Record<string, unknown> {
  switch (tool) {
    case 'create_card':
      return { boardId: target.boardId, title: `Card from ${tag}`, requestId: `req-${tag}` };
    case 'update_card':
      return { cardId: target.cardId, title: `Overwritten by ${tag}`, labels: ['pwned'] };
    case 'move_card':
      return { cardId: target.cardId, column: target.columnId, position: 'top' };
    case 'delete_card':
      return { cardId: target.cardId };
    case 'create_board':
      return { title: `Board from ${tag}`, boardId: target.boardId };
    case 'update_board':
      return { boardId: target.boardId, title: `Renamed by ${tag}`, visibility: 'public' };
    case 'delete_board':
      return { boardId: target.boardId };
    default:
      throw new Error(`${tool} is not a write tool`);
  }
}

/** Runs `call` and checks that the kanban tables are exactly as before. */
async function unchanged<T>(call: () => Promise<T>): Promise<T> {
  const before = await snapshotKanban(shared.kanban);
  const result = await call();
  expect(await snapshotKanban(shared.kanban)).toBe(before);
  return result;
}

// ---- one cell of the matrix ----

async function readCell(tool: ToolName, actor: Actor, actorName: ActorName, fixture: Fixture, outcome: Outcome): Promise<void> {
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

async function writeCell(tool: ToolName, actor: Actor, actorName: ActorName, fixture: Fixture, outcome: Outcome): Promise<void> {
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

describe('the matrix: every tool × A, B, anonymous × A private, A public, B private, B public, demo', () => {
  for (const tool of TOOLS) {
    describe(tool, () => {
      for (const actorName of ACTORS) {
        for (const kind of KINDS) {
          const outcome = expectedOutcome(tool, actorName, kind);
          it(`${actorName} on ${kind} → ${outcome}`, async () => {
            const actor = actors()[actorName];
            const fixture = fixtures[kind];
            if (READ_TOOLS.includes(tool)) await readCell(tool, actor, actorName, fixture, outcome);
            else await writeCell(tool, actor, actorName, fixture, outcome);
          });
        }
      }
    });
  }

  it('left every fixture as it was made (every refusal above changed nothing)', async () => {
    for (const kind of KINDS) {
      const fixture = fixtures[kind];
      const board = boardOf(await (ownerOf(kind) === 'B' ? B : A).call('get_board', { boardId: fixture.id }));
      expect(board.title).toBe(fixture.title);
      expect(board.visibility).toBe(fixture.visibility);
      expect(board.columns.map((column) => column.id)).toEqual(fixture.columnIds);
      expect(cardsOf(board).find((card) => card.id === fixture.cardId)).toMatchObject({ title: fixture.cardTitle, columnId: fixture.cardColumnId });
    }
  });
});

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

describe('a token with kanban.read only (AU-01, AU-02, AU-04, AU-18)', () => {
  let reader: Actor;

  beforeAll(async () => {
    const kanban = shared.kanban;
    const { code, verifier } = await getCode(kanban, A.oauth!.client, A.oauth!.account, { scope: 'kanban.read' });
    const tokens = await exchangeCode(kanban, A.oauth!.client, code, verifier);
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('kanban.read');
    reader = await actorWithToken(kanban, 'A-read', tokens.body.access_token as string, A);
  });

  it('is A, with kanban.read and nothing more', async () => {
    const result = await reader.call('whoami');
    expect(result.structuredContent).toMatchObject({ subject: A.subject, scopes: ['kanban.read'] });
  });

  for (const tool of WRITE_TOOLS) {
    it(`${tool}: HTTP 403 insufficient_scope naming kanban.write on every kind of board, and nothing runs`, async () => {
      for (const target of [...KINDS.map((kind) => targetOf(fixtures[kind])), absentTarget()]) {
        const response = await unchanged(() => reader.raw(tool, writeArgs(tool, target, randomWord('r'))));
        expect(response.status).toBe(403);
        expect(response.challenge).toMatch(new RegExp(`^Bearer resource_metadata="${metadataUrl().replaceAll('.', '\\.')}", error="insufficient_scope", error_description="Sign in to \\w+ (cards|boards): your sign-in does not include kanban\\.write\\. Sign in again to allow it\\.", scope="kanban\\.write"$`));
        expect(response.body.error).toMatchObject({ code: -32001 });
        expect(response.body.result).toBeUndefined();
      }
    });
  }

  it('still reads A’s private board, as owned but not editable, and still cannot see B’s', async () => {
    const own = fixtures['A-private'];
    const board = boardOf(await reader.call('get_board', { boardId: own.id }));
    expect(board).toMatchObject({ id: own.id, title: own.title, visibility: 'private', owned: true, canEdit: false });
    const listed = await listAllBoards(reader);
    expect(listed.find((entry) => entry.id === own.id)).toMatchObject({ owned: true, canEdit: false });
    expect(listed.find((entry) => entry.id === fixtures['B-private'].id)).toBeUndefined();
    const search = await reader.call('search_cards', { query: own.query });
    expect((search.structuredContent as { results: SearchHit[] }).results.map((hit) => hit.card.id)).toEqual([own.cardId]);
    const other = await reader.call('get_board', { boardId: fixtures['B-private'].id });
    expect(expectBareError(other)).toMatch(/^No board \S+ is visible to you\./);
  });

  it('a batch hiding a write behind a read is refused whole (AU-02)', async () => {
    const own = fixtures['A-private'];
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_board', arguments: { boardId: own.id } } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'delete_board', arguments: { boardId: own.id } } },
    ];
    const response = await unchanged(() => rawPost(shared.kanban.mcpUrl, reader.token, batch));
    expect(response.status).toBe(403);
    expect(response.challenge).toContain('error="insufficient_scope"');
    const anonymousBatch = await unchanged(() => rawPost(shared.kanban.mcpUrl, undefined, batch));
    expect(anonymousBatch.status).toBe(401);
  });

  it('step-up (AU-18): A’s read-write token writes, the read-only one is still refused afterwards', async () => {
    const own = fixtures['A-private'];
    const title = `Step-up ${randomWord()}`;
    const written = await A.call('create_card', { boardId: own.id, title });
    expect(cardByTitle(boardOf(written), title)).toBeTruthy();
    const again = await unchanged(() => reader.raw('create_card', { boardId: own.id, title: 'nope' }));
    expect(again.status).toBe(403);
    await A.call('delete_card', { cardId: cardByTitle(boardOf(written), title).id });
  });
});

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

describe('tool arguments (security-cases group 8, IV-07 to IV-12)', () => {
  let own: Fixture;
  beforeAll(async () => {
    own = await makeBoard(A, 'private', 'A-private');
  });

  function expectInvalid(result: CallToolResult, tool: string, field: string, message: string | RegExp): void {
    const text = expectBareError(result);
    expect(text.startsWith(`Invalid arguments for ${tool}: `), text).toBe(true);
    if (typeof message === 'string') expect(text).toContain(`${field}: ${message}`);
    else expect(text).toMatch(message);
  }

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
