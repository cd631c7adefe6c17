import type { IncomingMessage } from 'node:http';
import type { Viewer } from '../viewer.ts';

// What the MCP server made for one request is to know of it. The SDK hands its per-request factory
// only the web Request and, for a signed-in caller, an AuthInfo (createMcpHandler): nothing for
// an anonymous one. So route.ts files the context under a fresh key written into the request's
// headers (its request id: unique, and made by the server), over whatever a client sent there, and
// the factory takes it back by that key. (Our handlers read the caller from here, never from the
// SDK's AuthInfo, which we do not pass; a tool's access is decided from `viewer` by guard.ts.)

export interface McpRequestContext {
  viewer: Viewer;
  requestId: string;
  /** Over its request budget (mcp/rate-limits.ts): a tools/call says so in its result. */
  retryAfterSeconds?: number;
}

const CONTEXT_HEADER = 'x-kanban-context';
const filed = new Map<string, McpRequestContext>();

export function requestContext(viewer: Viewer, requestId: string, retryAfterSeconds: number | undefined): McpRequestContext {
  return retryAfterSeconds === undefined ? { viewer, requestId } : { viewer, requestId, retryAfterSeconds };
}

/**
 * Files `context` for the factories that will serve `req` (the live path may follow a replay
 * attempt, so more than one): call the returned function once they have, whatever happened.
 */
export function fileContext(req: IncomingMessage, context: McpRequestContext): () => void {
  const key = context.requestId;
  filed.set(key, context);
  req.headers[CONTEXT_HEADER] = key;
  return () => filed.delete(key);
}

/** The context route.ts filed for the request whose headers `header` reads. */
export function contextFor(header: (name: string) => string | null | undefined): McpRequestContext {
  const context = filed.get(header(CONTEXT_HEADER) ?? '');
  // Every request reaches the SDK through route.ts's handlePost, which files one first.
  if (context === undefined) throw new Error('an MCP request reached the server without its context (route.ts files one)');
  return context;
}
