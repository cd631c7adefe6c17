import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, expect } from 'vitest';
import { dbRow, dbRows, useKanban, type RunningKanban } from '../support/kanban-server.ts';
import { absentId, anonymousActor, boardOf, cardByTitle, listAllBoards, randomWord, signInActor, snapshotKanban, textOf, type Actor } from '../support/kanban-actors.ts';

// What the kanban access tests (this folder) share. Who may do what to which board, through the real
// server with real tokens from the embedded issuer: two users (A and B, two accounts, two OAuth
// flows) and nobody, against five kinds of board, for every tool. Then the rest of
// docs/security-cases.md group 6 (IDOR) and the tool-argument rows of group 8 (input validation).
// Every refusal is followed by a check that the kanban tables are byte for byte what they were.
//
// The `let` exports are live bindings: set by useKanbanAccess' beforeAll, read by the tests.

export type Kind = 'A-private' | 'A-public' | 'B-private' | 'B-public' | 'demo';
export type ActorName = 'A' | 'B' | 'anonymous';
export type ToolName = 'list_boards' | 'get_board' | 'search_cards' | 'create_card' | 'update_card' | 'move_card' | 'delete_card' | 'create_board' | 'update_board' | 'delete_board';

export const KINDS: readonly Kind[] = ['A-private', 'A-public', 'B-private', 'B-public', 'demo'];
export const ACTORS: readonly ActorName[] = ['A', 'B', 'anonymous'];
export const READ_TOOLS: readonly ToolName[] = ['list_boards', 'get_board', 'search_cards'];
export const WRITE_TOOLS: readonly ToolName[] = ['create_card', 'update_card', 'move_card', 'delete_card', 'create_board', 'update_board', 'delete_board'];
export const TOOLS: readonly ToolName[] = [...READ_TOOLS, ...WRITE_TOOLS];

export function ownerOf(kind: Kind): ActorName | null {
  return kind === 'demo' ? null : kind.startsWith('A-') ? 'A' : 'B';
}
export function isPublic(kind: Kind): boolean {
  return kind === 'demo' || kind.endsWith('-public');
}

export interface Fixture {
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

/** The file's server (read `shared.kanban` inside tests). */
export let shared: { readonly kanban: RunningKanban };
export let A: Actor;
export let B: Actor;
export let anonymous: Actor;
export const fixtures = {} as Record<Kind, Fixture>;
export const actors = () => ({ A, B, anonymous }) as Record<ActorName, Actor>;
export const metadataUrl = () => `${shared.kanban.url}/.well-known/oauth-protected-resource/mcp`;

export async function dbBoard(id: string) {
  return (await dbRow<{ id: string; owner_sub: string | null; title: string; visibility: string; personal: number; featured: number }>(shared.kanban, 'SELECT * FROM boards WHERE id = ?', [id]));
}
export async function dbCard(id: string) {
  return (await dbRow<{ id: string; board_id: string; column_id: string; title: string; description: string; labels: string; position: number; created_by_sub: string | null }>(shared.kanban, 'SELECT * FROM cards WHERE id = ?', [id]));
}
export async function dbColumnsOf(boardId: string) {
  return (await dbRows<{ id: string; title: string; wip_limit: number | null }>(shared.kanban, 'SELECT * FROM columns WHERE board_id = ? ORDER BY position', [boardId]));
}

/** A board of `owner` with one card whose title holds % and _ (for the LIKE tests). */
export async function makeBoard(owner: Actor, visibility: 'public' | 'private', kind: Kind): Promise<Fixture> {
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

/** One server for the file; A and B signed in, nobody connected, and a board of each kind with one card. */
export function useKanbanAccess(): void {
  shared = useKanban();
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
}

/** A private board of A's for the tool-argument tests to write on (the fixtures stay put); see useOwnBoard. */
export let own: Fixture;

/** Makes `own` before the tests of the describe it is called in. */
export function useOwnBoard(): void {
  beforeAll(async () => {
    own = await makeBoard(A, 'private', 'A-private');
  });
}

// ---- the shapes of the four outcomes ----

/** Strings of the target board that a refusal must not reveal (unless the caller sent them). */
function leakCandidates(fixture: Fixture, sent: unknown): string[] {
  const sentText = JSON.stringify(sent);
  return [fixture.title, fixture.cardTitle, fixture.cardDescription, fixture.id, fixture.cardId, ...fixture.columnIds, fixture.ownerSubject, fixture.ownerUsername].filter(
    (value): value is string => value !== null && !sentText.includes(value),
  );
}

export function expectNothingOf(fixture: Fixture, sent: unknown, received: unknown): void {
  const text = JSON.stringify(received);
  const secrets = leakCandidates(fixture, sent);
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(text, `leaks ${secret}`).not.toContain(secret);
}

/** A refusal as a tool result: isError, one text, and nothing else (no structuredContent, no _meta). */
export function expectBareError(result: CallToolResult): string {
  expect(result.isError, JSON.stringify(result)).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  expect(result._meta).toBeUndefined();
  expect(result.content).toHaveLength(1);
  return textOf(result);
}

export interface Target {
  boardId: string;
  cardId: string;
  columnId: string;
}
export const targetOf = (fixture: Fixture): Target => ({ boardId: fixture.id, cardId: fixture.cardId, columnId: fixture.columnIds.at(-1)! });
export const absentTarget = (): Target => ({ boardId: absentId('brd'), cardId: absentId('crd'), columnId: absentId('col') });

export function normalise(value: unknown, target: Target): string {
  return JSON.stringify(value).replaceAll(target.boardId, '<board>').replaceAll(target.cardId, '<card>').replaceAll(target.columnId, '<column>');
}

/** The arguments of a write aimed at `target` (create_board carries a stray boardId it must ignore). */
export function writeArgs(tool: ToolName, target: Target, tag: string): Record<string, unknown> {
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
export async function unchanged<T>(call: () => Promise<T>): Promise<T> {
  const before = await snapshotKanban(shared.kanban);
  const result = await call();
  expect(await snapshotKanban(shared.kanban)).toBe(before);
  return result;
}

/** A refusal of invalid arguments: the bare error, naming the tool and the field's problem. */
export function expectInvalid(result: CallToolResult, tool: string, field: string, message: string | RegExp): void {
  const text = expectBareError(result);
  expect(text.startsWith(`Invalid arguments for ${tool}: `), text).toBe(true);
  if (typeof message === 'string') expect(text).toContain(`${field}: ${message}`);
  else expect(text).toMatch(message);
}
