import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { ANONYMOUS } from '../kanban/viewer.ts';
import { recordRpc, requestIdOf, type RpcSummary } from '../request-log.ts';
import { createMcpServer, type McpDependencies } from './server.ts';

export const MCP_BODY_LIMIT_BYTES = 1024 * 1024;

function jsonRpcError(code: number, message: string) {
  return { jsonrpc: '2.0' as const, error: { code, message }, id: null };
}

/** What the log line says about a request body: its JSON-RPC method and, for tools/call, the tool. */
function summarise(body: unknown): RpcSummary {
  if (Array.isArray(body)) return { method: 'batch' };
  const message = body as { method?: unknown; params?: { name?: unknown } };
  const method = typeof message.method === 'string' ? message.method.slice(0, 64) : undefined;
  const tool = method === 'tools/call' && typeof message.params?.name === 'string' ? message.params.name.slice(0, 64) : undefined;
  return { method, tool };
}

function isJsonRpcPayload(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.length > 0 && messages.every((message) => JSONRPCMessageSchema.safeParse(message).success);
}

/** Browsers send Origin; a page from elsewhere may not drive our endpoint (DNS rebinding, CSRF). */
function rejectForeignOrigin(allowedHostnames: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    const hostname = URL.canParse(origin) ? new URL(origin).hostname : undefined;
    const allowed = hostname !== undefined && (allowedHostnames.includes(hostname) || allowedHostnames.includes(`[${hostname}]`));
    if (allowed) return next();
    res.status(403).json(jsonRpcError(ErrorCode.ConnectionClosed, 'This origin may not call the MCP endpoint.'));
  };
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

export function mcpRouter(deps: McpDependencies, options: { allowedHostnames: readonly string[] }): Router {
  const router = express.Router();

  const handlePost: RequestHandler = async (req, res) => {
    if (req.body !== undefined) {
      if (!isJsonRpcPayload(req.body)) {
        res.status(400).json(jsonRpcError(ErrorCode.InvalidRequest, 'Invalid Request: the body must be a JSON-RPC 2.0 message or a batch of them.'));
        return;
      }
      recordRpc(res, summarise(req.body));
    }
    const server = createMcpServer(deps, { viewer: ANONYMOUS, requestId: requestIdOf(res) });
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
    res.status(405).set('Allow', 'POST').json(jsonRpcError(ErrorCode.ConnectionClosed, 'Method not allowed: send JSON-RPC requests with POST.'));
  };

  router.use('/mcp', rejectForeignOrigin(options.allowedHostnames));
  router.post('/mcp', express.json({ limit: MCP_BODY_LIMIT_BYTES, strict: false }), handlePost);
  router.all('/mcp', methodNotAllowed);
  router.use('/mcp', bodyErrors);
  return router;
}
