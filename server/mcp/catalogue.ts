import { z } from 'zod';
import type { KanbanService } from '../kanban/service.ts';
import type { Viewer } from '../viewer.ts';
import { READ_SCOPES, WRITE_SCOPES } from '../scopes.ts';

// A tool is declared once, as data. From that declaration come its tools/list entry, the
// argument validation at call time, and (with sign-in) the enforcement of its securitySchemes.

/** The Apps SDK / MCP Apps declaration of how a tool may be called. */
export type SecurityScheme = { type: 'noauth' } | { type: 'oauth2'; scopes?: string[] };

/** Only a signed-in user may call it, whatever scopes they granted. */
export const SIGNED_IN: readonly SecurityScheme[] = [{ type: 'oauth2' }];

/** Changes the signed-in user's own boards: needs kanban.write. */
export const WRITE: readonly SecurityScheme[] = [{ type: 'oauth2', scopes: [...WRITE_SCOPES] }];

/** Anyone may call it; a signed-in viewer with kanban.read also sees their private boards. */
export const PUBLIC_READ: readonly SecurityScheme[] = [{ type: 'noauth' }, { type: 'oauth2', scopes: [...READ_SCOPES] }];

export interface ToolContext {
  viewer: Viewer;
  kanban: KanbanService;
}

export interface ToolOutcome<Output> {
  /** One or two sentences for the model. */
  summary: string;
  /** Exactly the output schema: what the widget renders. */
  structured: Output;
  /** Widget-only detail, kept out of the model's context. */
  widgetMeta?: Record<string, unknown>;
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  openWorldHint: boolean;
  idempotentHint?: boolean;
}

/** A tool that only reads our own data: safe to call and to repeat. */
export const READS_OWN_DATA: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true };

/** Changes our data; `repeatable`: calling it twice with the same arguments changes nothing more. */
export function writes(options: { destructive: boolean; repeatable: boolean }): ToolAnnotations {
  return { readOnlyHint: false, destructiveHint: options.destructive, openWorldHint: false, idempotentHint: options.repeatable };
}

export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject, Output extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** Written for a model: when to use the tool and what it returns. */
  description: string;
  input: Input;
  output: Output;
  annotations: ToolAnnotations;
  securitySchemes: readonly SecurityScheme[];
  /** What a signed-out user is told when the tool needs sign-in ("Sign in to add cards"). */
  signInPrompt?: string;
  /** Status lines ChatGPT shows while the tool runs and when it is done (≤ 64 characters). */
  invocation: { invoking: string; invoked: string };
  handler(args: z.output<Input>, context: ToolContext): ToolOutcome<z.output<Output>> | Promise<ToolOutcome<z.output<Output>>>;
}

/** Keeps each tool's handler typed by its own schemas, while the catalogue holds them all. */
export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject>(tool: ToolDefinition<Input, Output>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

/** The wire form of a tool in tools/list (MCP Tool plus the Apps SDK's securitySchemes). */
export interface ToolListEntry {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
  outputSchema: { type: 'object'; [key: string]: unknown };
  annotations: ToolAnnotations & { title: string };
  // Top level for ChatGPT, mirrored in _meta for clients that read it there (docs/chatgpt.md).
  securitySchemes: SecurityScheme[];
  _meta: Record<string, unknown>;
}

// The dialect stays declared: `$schema` (2020-12, MCP's default since 2025-11-25, SEP-1613) is
// part of a tool's schema on the wire, as the SDK's own McpServer sends it, and clients keep it.
function objectSchema(schema: z.ZodObject, io: 'input' | 'output'): ToolListEntry['inputSchema'] {
  return { ...(z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as Record<string, unknown>), type: 'object' };
}

/** `linkMeta`: the widget link every tool carries (server/mcp/widget.ts). */
export function toListEntry(tool: ToolDefinition, linkMeta: Record<string, unknown> = {}): ToolListEntry {
  const securitySchemes = tool.securitySchemes.map((scheme) => ({ ...scheme }));
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: objectSchema(tool.input, 'input'),
    outputSchema: objectSchema(tool.output, 'output'),
    annotations: { title: tool.title, ...tool.annotations },
    securitySchemes,
    _meta: {
      ...linkMeta,
      securitySchemes,
      'openai/toolInvocation/invoking': tool.invocation.invoking,
      'openai/toolInvocation/invoked': tool.invocation.invoked,
    },
  };
}

export interface ToolCatalogue {
  /** Computed once at start: the tools/list answer is the same for every request. */
  readonly listEntries: readonly ToolListEntry[];
  /** Differs between catalogues: answers kept for one (replayed-answers.ts) are not replayed for the next. */
  readonly version: number;
  find(name: string): ToolDefinition | undefined;
}

let catalogues = 0;

export function createToolCatalogue(tools: readonly ToolDefinition[], linkMeta: Record<string, unknown> = {}): ToolCatalogue {
  const byName = new Map<string, ToolDefinition>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new Error(`Tool ${tool.name} is declared twice`);
    byName.set(tool.name, tool);
  }
  const listEntries = Object.freeze(tools.map((tool) => toListEntry(tool, linkMeta)));
  return { listEntries, version: ++catalogues, find: (name) => byName.get(name) };
}
