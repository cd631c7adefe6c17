import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { NodeStreamableHTTPServerTransport, originValidation, toNodeHandler } from '@modelcontextprotocol/node';
import { classifyInboundRequest, createMcpHandler, ProtocolErrorCode, validateOriginHeader, WebStandardStreamableHTTPServerTransport, type McpHttpHandler } from '@modelcontextprotocol/server';
import { bearerAuth } from '../auth/bearer.ts';
import { AUTHORIZATION_REQUIRED, jsonRpcError, SERVER_REFUSAL } from '../http/json-rpc.ts';
import type { VerifyAccessToken } from '../auth/verify-token.ts';
import type { UsageLimits } from '../config.ts';
import type { RequestBudgets } from '../rate-limits/budgets.ts';
import { markReplayed, overBudgetOf, recordRpc, requestIdOf, viewerOf, type RpcSummary } from '../http/request-locals.ts';
import type { ToolCatalogue } from './catalogue.ts';
import { challengeStyle, decideToolAccess, httpChallengeHeader, type ChallengeMode, type ToolAccess } from './guard.ts';
import { contextFor, fileContext, requestContext, type McpRequestContext } from './request-context.ts';
import { mcpBudgets, refuseOverBudget } from './rate-limits.ts';
import { replayableRequest, replayedAnswers } from './replayed-answers.ts';
import { createMcpServer, type McpDependencies } from './server.ts';

export const MCP_BODY_LIMIT_BYTES = 1024 * 1024;

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
 * The SDK's per-tool scope challenge (scopeChallenge / requireScopes) exists only for tools
 * registered on its McpServer, which cannot carry the top-level securitySchemes ChatGPT reads, and
 * leaves signed-out callers to a gate that would refuse our public tools: the catalogue decides here.
 *
 * The first tools/call in the body (every element of a batch) that the viewer may not make and
 * that should be refused at the HTTP level: spec clients start OAuth only on a 401/403.
 */
function httpLevelDenial(body: unknown, catalogue: ToolCatalogue, context: McpRequestContext, mode: ChallengeMode, userAgent: string | undefined): Denial | undefined {
  if (mode === 'inband') return undefined; // every refusal is a tool result then (server.ts)
  for (const message of Array.isArray(body) ? body : [body]) {
    if (typeof message !== 'object' || message === null) continue;
    const call = message as { id?: unknown; method?: unknown; params?: { name?: unknown; _meta?: unknown } };
    if (call.method !== 'tools/call' || typeof call.params?.name !== 'string') continue;
    const tool = catalogue.find(call.params.name);
    if (!tool) continue;
    const access = decideToolAccess(tool, context.viewer);
    if (!access.allowed && challengeStyle(mode, { userAgent, meta: call.params._meta }) === 'http') return { ...access, id: call.id ?? null };
  }
  return undefined;
}

/** JSON-RPC ids are strings, numbers or null (or absent, in a notification). */
function isJsonRpcId(id: unknown): boolean {
  return id === undefined || id === null || typeof id === 'string' || typeof id === 'number';
}

/**
 * JSON that is not JSON-RPC at all gets -32600 here (the transport would call it a parse error).
 * Only the envelope is checked (an id that is an object, however deep, is refused before the
 * SDK's era classification walks it): the transport validates each message fully right after.
 */
function looksLikeJsonRpc(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return (
    messages.length > 0 &&
    messages.every((message) => typeof message === 'object' && message !== null && (message as { jsonrpc?: unknown }).jsonrpc === '2.0' && isJsonRpcId((message as { id?: unknown }).id))
  );
}

/** How deep a 2026-07-28 message may nest: the SDK's validation answers 500 past a few thousand levels. */
export const MAX_MODERN_NESTING = 1000;

/** Whether any value in `root` nests deeper than `limit`; iterative, so no depth can overflow it. */
function nestsDeeperThan(root: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Browsers send Origin; a page from elsewhere may not drive our endpoint (DNS rebinding, CSRF). */
function rejectForeignOrigin(allowedHostnames: readonly string[]): RequestHandler {
  const guard = originValidation([...allowedHostnames]); // the SDK's check: 403 with a JSON-RPC error
  return (req, res, next) => {
    if (guard(req, res)) next();
  };
}

/**
 * Browser-based MCP clients on our own names (MCP Inspector's direct mode on localhost) need
 * CORS; every other origin gets no CORS headers at all, and its requests are refused above.
 */
function corsForOwnOrigins(allowedHostnames: readonly string[]): RequestHandler {
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && validateOriginHeader(origin, [...allowedHostnames]).ok),
    methods: ['POST'],
    allowedHeaders: ['content-type', 'accept', 'authorization', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'mcp-session-id', 'last-event-id'],
    exposedHeaders: ['www-authenticate', 'mcp-session-id', 'x-request-id'],
    maxAge: 600,
  });
}

// body-parser's own errors would be HTML pages; a JSON-RPC client needs JSON-RPC errors.
const bodyErrors: ErrorRequestHandler = (error: { type?: string; status?: number }, _req, res, next) => {
  if (error.type === 'entity.too.large') {
    res.status(413).json(jsonRpcError(ProtocolErrorCode.InvalidRequest, `Request body too large: the limit is ${MCP_BODY_LIMIT_BYTES} bytes.`));
  } else if (error.type === 'entity.parse.failed') {
    res.status(400).json(jsonRpcError(ProtocolErrorCode.ParseError, 'Parse error: the body is not valid JSON.'));
  } else if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    res.status(error.status).json(jsonRpcError(ProtocolErrorCode.InvalidRequest, 'The request body could not be read.'));
  } else {
    next(error);
  }
};

/** A 2025-era request (no per-request _meta envelope): the SDK's own classification decides. */
function isLegacy(req: express.Request): boolean {
  const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
  const outcome = classifyInboundRequest({
    httpMethod: req.method,
    protocolVersionHeader: header('mcp-protocol-version'),
    mcpMethodHeader: header('mcp-method'),
    mcpNameHeader: header('mcp-name'),
    body: req.body,
  });
  return outcome.kind === 'legacy';
}

export function mcpRouter(deps: McpDependencies, options: { allowedHostnames: readonly string[]; verify: VerifyAccessToken; usage: UsageLimits; requestBudgets: RequestBudgets }): Router {
  const router = express.Router();
  const onerror = (error: Error) => deps.logger.debug({ err: error }, 'mcp transport');

  // 2026-07-28: the SDK's per-request entry (server/discover, the _meta envelope and its errors,
  // resultType, cache hints), strict to that era; plain JSON answers, as we never stream.
  const modern = createMcpHandler(({ requestInfo }) => createMcpServer(deps, contextFor((name) => requestInfo?.headers.get(name))), { onerror });

  // 2025 era: the stateless idiom of the SDK's own fallback (createMcpHandler's legacy leg), routed
  // here (its documented isLegacyRequest pattern) only so its transport answers plain JSON, not SSE,
  // as we always have. Served through the Node transport, which reads no body back out of the parsed
  // one (toWebRequest would re-serialise it, and JSON.stringify overflows on 100 000-deep values);
  // the web-standard one serves replayable requests, whose bodies are at most a few kB (replayed-answers.ts).
  // Same options for both.
  const legacyTransport = { sessionIdGenerator: undefined, enableJsonResponse: true } as const;
  const answerLegacy = async (req: express.Request, res: express.Response, context: McpRequestContext) => {
    const server = createMcpServer(deps, context);
    const transport = new NodeStreamableHTTPServerTransport(legacyTransport);
    transport.onerror = onerror;
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  };
  const legacy: Pick<McpHttpHandler, 'fetch'> = {
    async fetch(request, options) {
      const server = createMcpServer(deps, contextFor((name) => request.headers.get(name)));
      const transport = new WebStandardStreamableHTTPServerTransport(legacyTransport);
      transport.onerror = onerror;
      await server.connect(transport);
      try {
        return await transport.handleRequest(request, options);
      } finally {
        // A JSON answer is complete when returned: closed at once, as the SDK's own fallback does.
        transport.close().catch(() => {});
        server.close().catch(() => {});
      }
    },
  };
  const answerModern = toNodeHandler(modern, { onerror });

  // Answers the SDK made before, replayed with each request's own id.
  const replayed = replayedAnswers(onerror);

  const handlePost: RequestHandler = async (req, res) => {
    if (req.body !== undefined) {
      if (!looksLikeJsonRpc(req.body)) {
        res.status(400).json(jsonRpcError(ProtocolErrorCode.InvalidRequest, 'Invalid Request: the body must be a JSON-RPC 2.0 message or a batch of them.'));
        return;
      }
      recordRpc(res, summarise(req.body));
    }
    const viewer = viewerOf(res);
    const retryAfterSeconds = overBudgetOf(res)?.retryAfterSeconds;
    const context = requestContext(viewer, requestIdOf(res), retryAfterSeconds);
    const denial = httpLevelDenial(req.body, deps.catalogue, context, deps.challengeMode, req.headers['user-agent']);
    if (denial) {
      res.status(denial.status).set('WWW-Authenticate', httpChallengeHeader(denial, deps.resourceMetadataUrl));
      res.json(jsonRpcError(AUTHORIZATION_REQUIRED, `${denial.description}.`, denial.id));
      return;
    }
    const replayable = replayableRequest(req.body, req.headers, viewer, retryAfterSeconds !== undefined);
    // Read before an answer is made: a change in between leaves a kept answer older than its version, never newer.
    // No such public board (undefined): its refusal is answered afresh. A database that fails here
    // fails the call below too, which answers and logs it as any tool's failure.
    // The lists depend on no board, only on the catalogue (a new widget build makes a new one).
    const version = replayable === undefined ? undefined : replayable.boardId === undefined ? deps.catalogue.version : await deps.kanban.anonymousBoardVersion(replayable.boardId).catch(() => undefined);
    if (replayable && version !== undefined) {
      // The era, the nesting bound and everything below were decided alike for the request it was made for: same headers, same body.
      if (replayed.answerFromKept(res, replayable, version)) {
        markReplayed(res);
        return;
      }
    }
    const legacyEra = isLegacy(req);
    if (!legacyEra && nestsDeeperThan(req.body, MAX_MODERN_NESTING)) {
      const id = (req.body as { id?: unknown }).id ?? null;
      res.status(400).json(jsonRpcError(ProtocolErrorCode.InvalidParams, `Invalid params: values may nest at most ${MAX_MODERN_NESTING} levels deep.`, id));
      return;
    }
    // Forgotten once answered, on every path: a client gone meanwhile must not leave it behind.
    const forgetContext = fileContext(req, context);
    try {
      if (replayable && version !== undefined && (await replayed.answerAndKeep(req, res, legacyEra ? legacy : modern, replayable, version))) return;
      if (legacyEra) await answerLegacy(req, res, context);
      else await answerModern(req, res, req.body);
    } finally {
      forgetContext();
    }
  };

  const methodNotAllowed: RequestHandler = (_req, res) => {
    // Stateless server: no standalone SSE stream to GET and no session to DELETE.
    res.status(405).set('Allow', 'POST').json(jsonRpcError(SERVER_REFUSAL, 'Method not allowed: send JSON-RPC requests with POST.'));
  };

  router.use('/mcp', corsForOwnOrigins(options.allowedHostnames));
  router.use('/mcp', rejectForeignOrigin(options.allowedHostnames));
  router.use('/mcp', bearerAuth({ verify: options.verify, resourceMetadataUrl: deps.resourceMetadataUrl, logger: deps.logger }));
  router.post('/mcp', ...mcpBudgets(options.usage, options.requestBudgets), express.json({ limit: MCP_BODY_LIMIT_BYTES, strict: false }), refuseOverBudget(deps.challengeMode), handlePost);
  router.all('/mcp', methodNotAllowed);
  router.use('/mcp', bodyErrors);
  return router;
}
