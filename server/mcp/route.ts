import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { bearerAuth } from '../auth/bearer.ts';
import { AUTHORIZATION_REQUIRED, jsonRpcError } from '../json-rpc.ts';
import type { VerifyAccessToken } from '../auth/verify-token.ts';
import type { Viewer } from '../kanban/viewer.ts';
import { recordRpc, requestIdOf, viewerOf, type RpcSummary } from '../request-locals.ts';
import type { ToolCatalogue } from './catalogue.ts';
import { challengeStyle, decideToolAccess, httpChallengeHeader, type ChallengeMode, type ToolAccess } from './guard.ts';
import { createMcpServer, type McpDependencies } from './server.ts';

export const MCP_BODY_LIMIT_BYTES = 1024 * 1024;

/** JSON-RPC's implementation-defined server error, for refusals that are not about the message. */
const SERVER_REFUSAL = -32000;


/** What the log line says about a request body: its JSON-RPC method and, for tools/call, the tool. */
function summarise(body: unknown): RpcSummary {
  if (Array.isArray(body)) return { method: 'batch' };
  const message = body as { method?: unknown; params?: { name?: unknown } };
  const method = typeof message.method === 'string' ? message.method.slice(0, 64) : undefined;
  const tool = method === 'tools/call' && typeof message.params?.name === 'string' ? message.params.name.slice(0, 64) : undefined;
  return { method, tool };
}

type Denial = Extract<ToolAccess, { allowed: false }> & { id: unknown };

/**
 * The first tools/call in the body (every element of a batch) that the viewer may not make and
 * that should be refused at the HTTP level: spec clients start OAuth only on a 401/403.
 */
function httpLevelDenial(body: unknown, catalogue: ToolCatalogue, viewer: Viewer, mode: ChallengeMode, userAgent: string | undefined): Denial | undefined {
  if (mode === 'inband') return undefined; // every refusal is a tool result then (server.ts)
  for (const message of Array.isArray(body) ? body : [body]) {
    if (typeof message !== 'object' || message === null) continue;
    const call = message as { id?: unknown; method?: unknown; params?: { name?: unknown; _meta?: unknown } };
    if (call.method !== 'tools/call' || typeof call.params?.name !== 'string') continue;
    const tool = catalogue.find(call.params.name);
    if (!tool) continue;
    const access = decideToolAccess(tool, viewer);
    if (!access.allowed && challengeStyle(mode, { userAgent, meta: call.params._meta }) === 'http') return { ...access, id: call.id ?? null };
  }
  return undefined;
}

/**
 * JSON that is not JSON-RPC at all gets -32600 here (the transport would call it a parse error).
 * Only the envelope is checked: the transport validates each message fully right after.
 */
function looksLikeJsonRpc(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.length > 0 && messages.every((message) => typeof message === 'object' && message !== null && (message as { jsonrpc?: unknown }).jsonrpc === '2.0');
}

/** Browsers send Origin; a page from elsewhere may not drive our endpoint (DNS rebinding, CSRF). */
function originAllowed(origin: string, allowedHostnames: readonly string[]): boolean {
  const hostname = URL.canParse(origin) ? new URL(origin).hostname : undefined;
  return hostname !== undefined && (allowedHostnames.includes(hostname) || allowedHostnames.includes(`[${hostname}]`));
}

function rejectForeignOrigin(allowedHostnames: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || originAllowed(origin, allowedHostnames)) return next();
    res.status(403).json(jsonRpcError(SERVER_REFUSAL, 'This origin may not call the MCP endpoint.'));
  };
}

/**
 * Browser-based MCP clients on our own names (MCP Inspector's direct mode on localhost) need
 * CORS; every other origin gets no CORS headers at all, and its requests are refused above.
 */
function corsForOwnOrigins(allowedHostnames: readonly string[]): RequestHandler {
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && originAllowed(origin, allowedHostnames)),
    methods: ['POST'],
    allowedHeaders: ['content-type', 'accept', 'authorization', 'mcp-protocol-version', 'mcp-session-id', 'last-event-id'],
    exposedHeaders: ['www-authenticate', 'mcp-session-id', 'x-request-id'],
    maxAge: 600,
  });
}

// body-parser's own errors would be HTML pages; a JSON-RPC client needs JSON-RPC errors.
const bodyErrors: ErrorRequestHandler = (error: { type?: string; status?: number }, _req, res, next) => {
  if (error.type === 'entity.too.large') {
    res.status(413).json(jsonRpcError(ErrorCode.InvalidRequest, `Request body too large: the limit is ${MCP_BODY_LIMIT_BYTES} bytes.`));
  } else if (error.type === 'entity.parse.failed') {
    res.status(400).json(jsonRpcError(ErrorCode.ParseError, 'Parse error: the body is not valid JSON.'));
  } else if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    res.status(error.status).json(jsonRpcError(ErrorCode.InvalidRequest, 'The request body could not be read.'));
  } else {
    next(error);
  }
};

export function mcpRouter(deps: McpDependencies, options: { allowedHostnames: readonly string[]; verify: VerifyAccessToken }): Router {
  const router = express.Router();

  const handlePost: RequestHandler = async (req, res) => {
    if (req.body !== undefined) {
      if (!looksLikeJsonRpc(req.body)) {
        res.status(400).json(jsonRpcError(ErrorCode.InvalidRequest, 'Invalid Request: the body must be a JSON-RPC 2.0 message or a batch of them.'));
        return;
      }
      recordRpc(res, summarise(req.body));
    }
    const viewer = viewerOf(res);
    const denial = httpLevelDenial(req.body, deps.catalogue, viewer, deps.challengeMode, req.headers['user-agent']);
    if (denial) {
      res.status(denial.status).set('WWW-Authenticate', httpChallengeHeader(denial, deps.resourceMetadataUrl));
      res.json(jsonRpcError(AUTHORIZATION_REQUIRED, `${denial.description}.`, denial.id));
      return;
    }
    const server = createMcpServer(deps, { viewer, requestId: requestIdOf(res) });
    // Stateless: no session id, a fresh transport per request, plain JSON responses (no SSE).
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  };

  const methodNotAllowed: RequestHandler = (_req, res) => {
    // Stateless server: no standalone SSE stream to GET and no session to DELETE.
    res.status(405).set('Allow', 'POST').json(jsonRpcError(SERVER_REFUSAL, 'Method not allowed: send JSON-RPC requests with POST.'));
  };

  router.use('/mcp', corsForOwnOrigins(options.allowedHostnames));
  router.use('/mcp', rejectForeignOrigin(options.allowedHostnames));
  router.use('/mcp', bearerAuth({ verify: options.verify, resourceMetadataUrl: deps.resourceMetadataUrl, logger: deps.logger }));
  router.post('/mcp', express.json({ limit: MCP_BODY_LIMIT_BYTES, strict: false }), handlePost);
  router.all('/mcp', methodNotAllowed);
  router.use('/mcp', bodyErrors);
  return router;
}
