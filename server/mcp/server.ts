import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  McpError,
  type CallToolRequest,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isDatabaseBusy } from '../../db/database.ts';
import { KanbanError } from '../kanban/errors.ts';
import type { KanbanService } from '../kanban/service.ts';
import type { Viewer } from '../kanban/viewer.ts';
import type { Logger } from '../logger.ts';
import type { ToolCatalogue } from './catalogue.ts';
import { decideToolAccess, inbandChallenge, type ChallengeMode } from './guard.ts';
import { describeInvalidArguments, errorResult, internalErrorResult, successResult } from './tool-results.ts';
import type { Widget } from './widget.ts';

// The SDK's low-level Server rather than McpServer: McpServer.registerTool drops the top-level
// `securitySchemes` ChatGPT reads, and rebuilds every tool's JSON Schema per instance. Here the
// catalogue computes tools/list once, and a stateless request only pays for two handlers.

export const SERVER_INFO = { name: 'kanban-mcp', title: 'Kanban', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Kanban boards. list_boards finds boards, get_board shows one with its columns and cards, search_cards finds cards by words: ' +
  'public boards can be browsed without signing in. Signed in, the user keeps boards of their own: create_card (without a ' +
  'boardId it goes to their personal board), update_card, move_card, delete_card, create_board, update_board, delete_board. ' +
  'Pass a requestId to create_card and create_board so a retried call does not add twice.';

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

/** MCP's "resource not found" code (not among the SDK's ErrorCode members). */
const RESOURCE_NOT_FOUND = -32002;

export interface McpRequestContext {
  viewer: Viewer;
  requestId: string;
}

async function callTool(deps: McpDependencies, context: McpRequestContext, name: string, args: unknown): Promise<CallToolResult> {
  const tool = deps.catalogue.find(name);
  // A protocol error, not a tool result: the caller asked for something that does not exist.
  if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool "${name.slice(0, 100)}". Call tools/list to see the tools kanban-mcp offers.`);
  // Enforced here on every call; the HTTP layer may have answered with an HTTP challenge already.
  const access = decideToolAccess(tool, context.viewer);
  if (!access.allowed) return inbandChallenge(access, deps.resourceMetadataUrl);
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success) return errorResult(describeInvalidArguments(tool.name, parsed.error));
  try {
    return successResult(await tool.handler(parsed.data, { viewer: context.viewer, kanban: deps.kanban }));
  } catch (error) {
    if (error instanceof KanbanError) return errorResult(error.message);
    // Another writer held the database too long, or PostgreSQL gave up: nothing was written; a retry works.
    if (isDatabaseBusy(error)) {
      deps.logger.warn({ requestId: context.requestId, tool: tool.name }, 'database busy');
      return errorResult('Kanban is busy saving another change and nothing was changed. Try again in a moment.');
    }
    deps.logger.error({ err: error, requestId: context.requestId, tool: tool.name }, 'tool failed');
    return internalErrorResult(context.requestId);
  }
}

// Protocol parses a request with the schema given here before Server's own tools/call wrapper
// checks it against CallToolRequestSchema. With the full schema here, bad params would surface
// as a ZodError (-32603 internal error); with this envelope the wrapper answers -32602.
const toolsCallEnvelope = z.object({ method: z.literal('tools/call'), params: z.unknown() });

// A Server makes its own Ajv instance unless given one (for elicitation schemas, which we never
// send), and building Ajv was the largest cost of a request in the profile: one, shared.
const sharedValidator = new AjvJsonSchemaValidator();

/** One MCP server per HTTP request (stateless transport); cheap because the catalogue is prebuilt. */
export function createMcpServer(deps: McpDependencies, context: McpRequestContext): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: { listChanged: false }, resources: { listChanged: false } },
    instructions: INSTRUCTIONS,
    jsonSchemaValidator: sharedValidator,
  });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: deps.catalogue.listEntries as unknown as Tool[] }));
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: [deps.widget.resource] }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [] }));
  server.setRequestHandler(ReadResourceRequestSchema, ({ params }) => {
    if (params.uri === deps.widget.uri) return deps.widget.contents;
    throw new McpError(RESOURCE_NOT_FOUND, `No resource "${params.uri.slice(0, 200)}": the widget is ${deps.widget.uri} (resources/list names it).`);
  });
  server.setRequestHandler(toolsCallEnvelope, (request) => {
    const { params } = request as CallToolRequest; // validated by Server's tools/call wrapper
    return callTool(deps, context, params.name, params.arguments);
  });
  return server;
}
