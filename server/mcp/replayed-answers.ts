import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Viewer } from '../kanban/viewer.ts';

// Many requests get the same answer: every tools/list, resources/read or initialize of one shape,
// and get_board of a public board for everyone not signed in, as of the board's version. The SDK
// makes each such answer once; it is kept as its text with a hole where the JSON-RPC id goes, and
// a later request of the same shape gets that text with its own id, with no server built for it.
// (The SDK has no answer cache, and a per-request server is its floor.) Only answers the SDK made
// are replayed, so no answer is written here; the key holds everything the SDK reads of a request.

/** Methods whose answer depends on the request alone (and this build), never on who asks or when. */
const SAME_FOR_EVERYONE: ReadonlySet<string> = new Set(['initialize', 'server/discover', 'tools/list', 'resources/list', 'resources/templates/list', 'resources/read']);

/** The request headers the SDK reads (its transports and its per-request entry). */
const HEADERS_THE_SDK_READS = ['accept', 'content-type', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'mcp-session-id', 'last-event-id', 'host', 'origin'] as const;

/** A longer request is answered afresh: keys stay small, and such requests are not repeated shapes. */
const MAX_KEY_CHARACTERS = 4096;
/** Characters of answers and keys kept at most (about as many bytes for mostly ASCII text). */
const KEPT_CHARACTERS = 32_000_000;

/** A request whose answer may be replayed: its shape, and for get_board the board it reads. */
export interface ReplayableRequest {
  key: string;
  id: string | number;
  /** Set for get_board: the answer holds only while this board's version is the one it was made at. */
  boardId?: string;
}

/** Whether this request's answer may come from one made before, and under which key. */
export function replayableRequest(body: unknown, headers: IncomingHttpHeaders, viewer: Viewer, overBudget: boolean): ReplayableRequest | undefined {
  if (overBudget || typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { id, ...rest } = body as { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: { boardId?: unknown } } };
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  let boardId: string | undefined;
  if (rest.method === 'tools/call') {
    // What a signed-in viewer reads depends on who they are: only the anonymous answer is shared.
    const boardArgument = rest.params?.arguments?.boardId;
    if (viewer.signedIn || rest.params?.name !== 'get_board' || typeof boardArgument !== 'string') return undefined;
    boardId = boardArgument;
  } else if (typeof rest.method !== 'string' || !SAME_FOR_EVERYONE.has(rest.method)) {
    return undefined;
  }
  const key = JSON.stringify([HEADERS_THE_SDK_READS.map((name) => headers[name] ?? null), rest]);
  if (key.length > MAX_KEY_CHARACTERS) return undefined;
  return boardId === undefined ? { key, id } : { key, id, boardId };
}

/** An answer as the SDK gave it, split where the request's id was. */
export interface AnswerTemplate {
  status: number;
  headers: Record<string, string>;
  beforeId: string;
  afterId: string;
}

/** The answer's body for a request with this id. */
export function bodyWithId(template: AnswerTemplate, id: string | number): string {
  return template.beforeId + JSON.stringify(id) + template.afterId;
}

/** An id no request sends: the SDK's answer to it shows where an id goes. */
export function placeholderId(): string {
  return `kanban-replay-${randomUUID()}`;
}

/**
 * The SDK's answer to a request sent with `placeholder` as its id, as a template; undefined when it
 * must not be replayed: anything but a plain JSON result (errors, refusals and streams are answered
 * afresh each time), or an answer that holds the id more than once.
 */
export function templateOf(response: { status: number; headers: Headers }, text: string, placeholder: string): AnswerTemplate | undefined {
  if (response.status !== 200 || response.headers.get('content-type')?.split(';')[0]?.trim() !== 'application/json') return undefined;
  const parts = text.split(JSON.stringify(placeholder));
  if (parts.length !== 2) return undefined;
  const message = JSON.parse(text) as { result?: { isError?: unknown } };
  if (typeof message.result !== 'object' || message.result === null || message.result.isError === true) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) if (name !== 'content-length') headers[name] = value;
  return { status: response.status, headers, beforeId: parts[0]!, afterId: parts[1]! };
}

interface Kept {
  template: AnswerTemplate;
  /** The board version it was made at (0 for answers that depend on no board). */
  version: number;
  size: number;
}

/** The kept answers, least recently used out first, bounded by their size. */
export function replayedAnswers() {
  const kept = new Map<string, Kept>();
  let total = 0;
  const drop = (key: string) => {
    total -= kept.get(key)?.size ?? 0;
    kept.delete(key);
  };

  return {
    /** The answer kept for this key as of `version`, if there is one. */
    find(key: string, version: number): AnswerTemplate | undefined {
      const entry = kept.get(key);
      if (!entry) return undefined;
      drop(key);
      if (entry.version !== version) return undefined;
      kept.set(key, entry); // most recently used: last in the Map's order
      total += entry.size;
      return entry.template;
    },

    keep(key: string, version: number, template: AnswerTemplate): void {
      const size = key.length + template.beforeId.length + template.afterId.length;
      if (size > KEPT_CHARACTERS / 4) return;
      drop(key);
      while (total + size > KEPT_CHARACTERS && kept.size > 0) drop(kept.keys().next().value!);
      kept.set(key, { template, version, size });
      total += size;
    },
  };
}
