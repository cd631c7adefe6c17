import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { toWebRequest } from '@modelcontextprotocol/node';
import type { McpHttpHandler } from '@modelcontextprotocol/server';
import type { Request, Response } from 'express';
import type { Viewer } from '../viewer.ts';

// Many requests get the same answer: every tools/list, resources/read or initialize of one shape,
// and get_board of a public board for everyone not signed in, as of the board's version. The SDK
// makes each such answer once; it is kept as its text with a hole where the JSON-RPC id goes, and
// a later request of the same shape gets that text with its own id, with no server built for it.
// (The SDK has no answer cache, and a per-request server is its floor.) Only answers the SDK made
// are replayed, so no answer is written here; the key holds everything the SDK reads of a request
// but its id, and only ids the SDK accepts are replayed.

/** Methods whose answer depends on the request alone (and this build), never on who asks or when. */
const SAME_FOR_EVERYONE: ReadonlySet<string> = new Set(['initialize', 'server/discover', 'tools/list', 'resources/list', 'resources/templates/list', 'resources/read']);

/** The request headers the SDK reads (its transports and its per-request entry). */
const HEADERS_THE_SDK_READS = ['accept', 'content-type', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'mcp-session-id', 'last-event-id', 'host', 'origin'] as const;

/** A longer request is answered afresh: keys stay small, and such requests are not repeated shapes. */
const MAX_KEY_CHARACTERS = 4096;
/** Characters of keys and bytes of answers kept at most. */
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
  // A long body is never a repeated shape, and it is not serialised here (a deep one would overflow
  // the stack). Its size is known only as sent: a compressed body's content-length is not the size
  // of what it unpacks to (300 bytes of gzip hold a 100 000-deep value).
  if (headers['content-encoding'] !== undefined || Number(headers['content-length'] ?? Infinity) > MAX_KEY_CHARACTERS) return undefined;
  const { id, ...rest } = body as { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: { boardId?: unknown } } };
  // The ids the SDK accepts (a string or an integer): any other gets the SDK's own refusal.
  if (typeof id !== 'string' && !Number.isSafeInteger(id)) return undefined;
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
  return boardId === undefined ? { key, id: id as string | number } : { key, id: id as string | number, boardId };
}

/** An answer as the SDK gave it, split where the request's id was. */
interface AnswerTemplate {
  status: number;
  headers: Record<string, string>;
  /** The answer's bytes before and after the id, ready to send. */
  beforeId: Buffer;
  afterId: Buffer;
}

/** An answer's headers as they are sent again: the length is that of each body sent. */
function headersWithoutLength(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => name !== 'content-length'));
}

/** An id no request sends: the SDK's answer to it shows where an id goes. */
function placeholderId(): string {
  return `kanban-replay-${randomUUID()}`;
}

/**
 * The SDK's answer to a request sent with `placeholder` as its id, as a template; undefined when it
 * must not be replayed: anything but a plain JSON result (errors, refusals and streams are answered
 * afresh each time), or an answer that holds the id more than once.
 */
function templateOf(response: { status: number; headers: Headers }, text: string, placeholder: string): AnswerTemplate | undefined {
  if (response.status !== 200 || response.headers.get('content-type')?.split(';')[0]?.trim() !== 'application/json') return undefined;
  const parts = text.split(JSON.stringify(placeholder));
  if (parts.length !== 2) return undefined;
  const message = JSON.parse(text) as { result?: { isError?: unknown } };
  if (typeof message.result !== 'object' || message.result === null || message.result.isError === true) return undefined;
  return { status: response.status, headers: headersWithoutLength(response.headers), beforeId: Buffer.from(parts[0]!), afterId: Buffer.from(parts[1]!) };
}

interface Kept {
  template: AnswerTemplate;
  /** The board version it was made at; for answers that depend on no board, the catalogue's version. */
  version: number;
  size: number;
}

/** An era's web-standard handler (createMcpHandler's, or route.ts's 2025 leg). */
type EraHandler = Pick<McpHttpHandler, 'fetch'>;

/** The kept answers, least recently used out first, bounded by their size; and how they are sent. */
export function replayedAnswers(onerror: (error: Error) => void) {
  const kept = new Map<string, Kept>();
  let total = 0;
  const drop = (key: string) => {
    total -= kept.get(key)?.size ?? 0;
    kept.delete(key);
  };
  const keep = (key: string, version: number, template: AnswerTemplate) => {
    const size = key.length + template.beforeId.length + template.afterId.length;
    if (size > KEPT_CHARACTERS / 4) return;
    drop(key);
    while (total + size > KEPT_CHARACTERS && kept.size > 0) drop(kept.keys().next().value!);
    kept.set(key, { template, version, size });
    total += size;
  };
  // With its length: the kept bytes around the id's, in one write (no text encoded again per request).
  const send = (res: Response, template: AnswerTemplate, id: string | number) => {
    const body = Buffer.concat([template.beforeId, Buffer.from(JSON.stringify(id)), template.afterId]);
    res.writeHead(template.status, { ...template.headers, 'content-length': body.length }).end(body);
  };

  return {
    /** Sends the answer kept for this request as of `version`, if there is one. */
    answerFromKept(res: Response, replayable: ReplayableRequest, version: number): boolean {
      const entry = kept.get(replayable.key);
      if (!entry) return false;
      drop(replayable.key);
      if (entry.version !== version) return false;
      kept.set(replayable.key, entry); // most recently used: last in the Map's order
      total += entry.size;
      send(res, entry.template, replayable.id);
      return true;
    },

    /**
     * Sends the SDK's answer to this request, and keeps it when it may be replayed. False when it
     * could not be made here (the request then takes the live path, which answers any failure as
     * JSON-RPC: every replayable method only reads, so asking twice changes nothing).
     */
    async answerAndKeep(req: Request, res: Response, era: EraHandler, replayable: ReplayableRequest, version: number): Promise<boolean> {
      const placeholder = placeholderId();
      const body = { ...(req.body as object), id: placeholder };
      let answer: globalThis.Response;
      let text: string;
      try {
        answer = await era.fetch(await toWebRequest(req, body), { parsedBody: body });
        text = await answer.text();
      } catch (error) {
        onerror(error instanceof Error ? error : new Error(String(error)));
        return false;
      }
      const template = templateOf(answer, text, placeholder);
      if (template) {
        keep(replayable.key, version, template);
        send(res, template, replayable.id);
        return true;
      }
      // Not to be kept (an error, a refusal): sent once, with the request's own id back in place.
      // writeHead, not Express's set(): that would add a charset to the SDK's content-type, which neither other path sends.
      res.writeHead(answer.status, headersWithoutLength(answer.headers)).end(text.replaceAll(JSON.stringify(placeholder), JSON.stringify(replayable.id)));
      return true;
    },
  };
}
