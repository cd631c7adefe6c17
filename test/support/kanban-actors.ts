import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { postMcp, type RunningKanban } from './kanban-server.ts';
import { signedInClient, type RegisteredClient } from './oauth-steps.ts';

// The people the kanban tests act as: a signed-in user (real account, real OAuth flow against the
// embedded issuer, real SDK client with the bearer token) or nobody. Plus a raw JSON-RPC call for
// what the SDK client hides (HTTP status, challenge header, hand-written bodies), and a snapshot of
// the kanban tables to prove a refused call changed nothing.

/** An SDK client that sends `token` as a bearer token on every request (none: anonymous). */
export async function connectAs(mcpUrl: string, token: string | undefined, name = 'kanban-actor'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers } }));
  return client;
}

export interface RawCall {
  status: number;
  challenge: string | null;
  /** The parsed JSON-RPC response (or whatever JSON came back). */
  body: any;
}

let rawIds = 0;

/** A tools/call as one HTTP POST. `args` may be a JSON text, sent byte for byte. */
export async function rawToolCall(mcpUrl: string, token: string | undefined, name: string, args: unknown, extra: { headers?: Record<string, string>; meta?: Record<string, unknown> } = {}): Promise<RawCall> {
  const id = ++rawIds;
  const params = `{"name":${JSON.stringify(name)},"arguments":${typeof args === 'string' ? args : JSON.stringify(args)}${extra.meta ? `,"_meta":${JSON.stringify(extra.meta)}` : ''}}`;
  const body = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":${params}}`;
  return rawPost(mcpUrl, token, body, extra.headers);
}

/** Any JSON-RPC body (a batch, say) as one HTTP POST. */
export async function rawPost(mcpUrl: string, token: string | undefined, body: unknown, headers: Record<string, string> = {}): Promise<RawCall> {
  const response = await postMcp(mcpUrl, body, { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers });
  const text = await response.text();
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: text ? JSON.parse(text) : undefined };
}

export const MODERN_REVISION = '2026-07-28';

/**
 * A request as a 2026-07-28 client sends it: the per-request `_meta` envelope (protocol version,
 * client info, capabilities) and the standard headers (`Mcp-Name` for tools/call; pass it for others).
 */
export async function modernPost(mcpUrl: string, token: string | undefined, method: string, params: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<RawCall> {
  const envelope = { 'io.modelcontextprotocol/protocolVersion': MODERN_REVISION, 'io.modelcontextprotocol/clientInfo': { name: 'raw-http', version: '1.0.0' }, 'io.modelcontextprotocol/clientCapabilities': {} };
  const standard: Record<string, string> = { 'mcp-protocol-version': MODERN_REVISION, 'mcp-method': method };
  if (method === 'tools/call') standard['mcp-name'] = String(params.name);
  const meta = { ...(params._meta as Record<string, unknown> | undefined), ...envelope };
  return rawPost(mcpUrl, token, { jsonrpc: '2.0', id: ++rawIds, method, params: { ...params, _meta: meta } }, { ...standard, ...headers });
}

export interface Actor {
  label: string;
  signedIn: boolean;
  /** Bearer token (undefined: anonymous). */
  token: string | undefined;
  /** The token `sub` (what boards are owned by); undefined when anonymous. */
  subject: string | undefined;
  /** The account name the tools show as the viewer's name. */
  username: string | undefined;
  client: Client;
  /** The OAuth client and account behind the token, for minting more tokens (signed in only). */
  oauth?: { client: RegisteredClient; account: { username: string; password: string } };
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  raw(name: string, args: unknown, extra?: { headers?: Record<string, string>; meta?: Record<string, unknown> }): Promise<RawCall>;
}

function actorOf(kanban: RunningKanban, fields: Omit<Actor, 'call' | 'raw'>): Actor {
  return {
    ...fields,
    call: async (name, args = {}) => (await fields.client.callTool({ name, arguments: args })) as CallToolResult,
    raw: (name, args, extra) => rawToolCall(kanban.mcpUrl, fields.token, name, args, extra),
  };
}

/** A new account, signed in through the embedded issuer (one sign-in), with an SDK client. */
export async function signInActor(kanban: RunningKanban, label: string): Promise<Actor> {
  const { client, account, tokens } = await signedInClient(kanban);
  const sdk = await connectAs(kanban.mcpUrl, tokens.access_token, `kanban-${label}`);
  const whoami = (await sdk.callTool({ name: 'whoami', arguments: {} })) as CallToolResult;
  const subject = (whoami.structuredContent as { subject?: string } | undefined)?.subject;
  if (!subject) throw new Error(`whoami gave no subject: ${JSON.stringify(whoami)}`);
  return actorOf(kanban, { label, signedIn: true, token: tokens.access_token, subject, username: account.username, client: sdk, oauth: { client, account } });
}

/** Somebody with the given token (another token of an existing account, say). */
export async function actorWithToken(kanban: RunningKanban, label: string, token: string, of: Pick<Actor, 'subject' | 'username'>): Promise<Actor> {
  const sdk = await connectAs(kanban.mcpUrl, token, `kanban-${label}`);
  return actorOf(kanban, { label, signedIn: true, token, subject: of.subject, username: of.username, client: sdk });
}

export async function anonymousActor(kanban: RunningKanban): Promise<Actor> {
  const sdk = await connectAs(kanban.mcpUrl, undefined, 'kanban-anonymous');
  return actorOf(kanban, { label: 'anonymous', signedIn: false, token: undefined, subject: undefined, username: undefined, client: sdk });
}

/** Every row of the kanban tables (and the requestId memory), in a stable order, as one string. */
export async function snapshotKanban(kanban: RunningKanban): Promise<string> {
  const dump = (table: string, order: string) => kanban.runtime.database.query(`SELECT * FROM ${table} ORDER BY ${order}`);
  return JSON.stringify({
    boards: await dump('boards', 'id'),
    columns: await dump('columns', 'id'),
    cards: await dump('cards', 'id'),
    tool_requests: await dump('tool_requests', 'subject, request_id'),
  });
}

/** An id in the exact shape the server makes, that names nothing. */
export function absentId(kind: 'brd' | 'col' | 'crd'): string {
  return `${kind}_${randomBytes(16).toString('base64url')}`;
}

// ---- reading tool results ----

export interface CardView {
  id: string;
  title: string;
  labels: string[];
  dueDate: string | null;
}
export interface ColumnView {
  id: string;
  title: string;
  wipLimit: number | null;
  cards: CardView[];
}
export interface BoardView {
  id: string;
  title: string;
  visibility: 'public' | 'private';
  owned: boolean;
  canEdit: boolean;
  updatedAt: string;
  columns: ColumnView[];
}
export interface BoardSummary {
  id: string;
  title: string;
  visibility: 'public' | 'private';
  owned: boolean;
  canEdit: boolean;
  columnCount: number;
  cardCount: number;
}
export interface SearchHit {
  card: CardView;
  board: { id: string; title: string };
  column: { id: string; title: string };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');
}

/** The board of a successful board result; throws with the result's text otherwise. */
export function boardOf(result: CallToolResult): BoardView {
  if (result.isError) throw new Error(`expected a board, got an error: ${textOf(result)}`);
  const structured = result.structuredContent as { view?: string; board?: BoardView } | undefined;
  if (structured?.view !== 'board' || !structured.board) throw new Error(`expected view "board": ${JSON.stringify(structured)}`);
  return structured.board;
}

export function cardsOf(board: BoardView): (CardView & { columnId: string })[] {
  return board.columns.flatMap((column) => column.cards.map((card) => ({ ...card, columnId: column.id })));
}

export function cardByTitle(board: BoardView, title: string): CardView & { columnId: string } {
  const found = cardsOf(board).filter((card) => card.title === title);
  if (found.length !== 1) throw new Error(`expected one card "${title}" on ${board.id}, found ${found.length}`);
  return found[0]!;
}

/** Every board the actor can list, following nextCursor. */
export async function listAllBoards(actor: Actor): Promise<BoardSummary[]> {
  const all: BoardSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const result = await actor.call('list_boards', { limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    if (result.isError) throw new Error(`list_boards failed: ${textOf(result)}`);
    const structured = result.structuredContent as { boards: BoardSummary[]; nextCursor?: string };
    all.push(...structured.boards);
    cursor = structured.nextCursor;
    if (cursor === undefined) return all;
  }
  throw new Error('list_boards kept paging');
}

export function randomWord(prefix = 'mk'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}
