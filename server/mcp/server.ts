import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError, Server, type CacheHint, type CallToolResult, type Tool } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { KanbanError } from '../kanban/errors.ts';
import { refusalText } from './tools/refusal-text.ts';
import type { KanbanService } from '../kanban/service.ts';
import type { Logger } from '../logger.ts';
import type { ToolCatalogue } from './catalogue.ts';
import { decideToolAccess, inbandChallenge, type ChallengeMode } from './guard.ts';
import type { McpRequestContext } from './request-context.ts';
import { describeInvalidArguments, errorResult, internalErrorResult, successResult } from './tool-results.ts';
import type { Widget } from './widget.ts';

// The SDK's low-level Server rather than McpServer: McpServer.registerTool drops the top-level
// `securitySchemes` ChatGPT reads, and rebuilds every tool's JSON Schema per instance. Here the
// catalogue computes tools/list once, and a per-request server only pays for five handlers.
// The same factory serves both protocol eras (route.ts hands it to the SDK's createMcpHandler).

export const SERVER_INFO = { name: 'kanban-mcp', title: 'Kanban', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Kanban boards. list_boards finds boards, get_board shows one with its columns and cards, search_cards finds cards by words: ' +
  'public boards can be browsed without signing in. Signed in, the user keeps boards of their own: create_card (without a ' +
  'boardId it goes to their personal board), update_card, move_card, delete_card, create_board, update_board, delete_board. ' +
  'Pass a requestId to create_card and create_board so a retried call does not add twice.';

/** Read on every request: outside production a new widget build replaces the widget and the catalogue that links it. */
export interface McpDependencies {
  catalogue: ToolCatalogue;
  kanban: KanbanService;
  logger: Logger;
  /** Where challenges send clients to learn how to sign in. */
  resourceMetadataUrl: string;
  /** In-band (ChatGPT), HTTP (spec clients) or chosen per request. */
  challengeMode: ChallengeMode;
  /** The board widget, the one resource this server offers. */
  widget: Widget;
}

/**
 * 2026-07-28 cache hints (answers to 2025-era requests never carry them). Every list is the same
 * for every caller, signed in or not, so shared caches may keep it; but tools/list and
 * resources/list name the widget's URI, which changes with each build, so they are kept briefly.
 * The widget's HTML lives at a URI made of its own hash: a URI's content never changes.
 */
export const CACHE_HINTS = {
  'server/discover': { ttlMs: 60_000, cacheScope: 'public' },
  'tools/list': { ttlMs: 60_000, cacheScope: 'public' },
  'resources/list': { ttlMs: 60_000, cacheScope: 'public' },
  'resources/templates/list': { ttlMs: 60_000, cacheScope: 'public' },
  'resources/read': { ttlMs: 86_400_000, cacheScope: 'public' },
} as const satisfies Record<string, CacheHint>;

async function callTool(deps: McpDependencies, context: McpRequestContext, name: string, args: unknown): Promise<CallToolResult> {
  if (context.retryAfterSeconds !== undefined) return errorResult(`Too many requests right now, and nothing was done. Try again in ${context.retryAfterSeconds} seconds.`);
  const tool = deps.catalogue.find(name);
  // A protocol error, not a tool result: the caller asked for something that does not exist.
  if (!tool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool "${name.slice(0, 100)}". Call tools/list to see the tools kanban-mcp offers.`);
  // Enforced here on every call, by the one rule (guard.ts) route.ts may have answered with an HTTP challenge already.
  const access = decideToolAccess(tool, context.viewer);
  if (!access.allowed) return inbandChallenge(access, deps.resourceMetadataUrl);
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success) return errorResult(describeInvalidArguments(tool.name, parsed.error));
  try {
    return successResult(await tool.handler(parsed.data, { viewer: context.viewer, kanban: deps.kanban }));
  } catch (error) {
    if (error instanceof KanbanError) {
      if (error.refusal.rule === 'busy') deps.logger.warn({ requestId: context.requestId, tool: tool.name }, 'database busy');
      return errorResult(refusalText(error.refusal));
    }
    deps.logger.error({ err: error, requestId: context.requestId, tool: tool.name }, 'tool failed');
    return internalErrorResult(context.requestId);
  }
}

// A Server makes its own validator unless given one (for elicitation schemas, which we never
// send), and building Ajv was the largest cost of a request in the profile: one, shared.
const sharedValidator = new AjvJsonSchemaValidator();

/** One MCP server per HTTP request (stateless, either era); cheap because the catalogue is prebuilt. */
export function createMcpServer(deps: McpDependencies, context: McpRequestContext): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: { listChanged: false }, resources: { listChanged: false } },
    instructions: INSTRUCTIONS,
    jsonSchemaValidator: sharedValidator,
    cacheHints: CACHE_HINTS,
  });
  server.setRequestHandler('tools/list', () => ({ tools: deps.catalogue.listEntries as unknown as Tool[] }));
  server.setRequestHandler('resources/list', () => ({ resources: [deps.widget.resource] }));
  server.setRequestHandler('resources/templates/list', () => ({ resourceTemplates: [] }));
  server.setRequestHandler('resources/read', ({ params }) => {
    if (params.uri === deps.widget.uri) return deps.widget.contents;
    // -32602 with data.uri on every revision (2026-07-28 requires it; clients accept it from 2025 servers too).
    throw new ResourceNotFoundError(params.uri, `No resource "${params.uri.slice(0, 200)}": the widget is ${deps.widget.uri} (resources/list names it).`);
  });
  server.setRequestHandler('tools/call', ({ params }) => callTool(deps, context, params.name, params.arguments));
  return server;
}
