import type { CallToolResult } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { ToolOutcome } from './catalogue.ts';

// The shapes of tools/call results, in one place: success, and the errors a person can act on.

export function successResult(outcome: ToolOutcome<unknown>): CallToolResult {
  return {
    content: [{ type: 'text', text: outcome.summary }],
    structuredContent: outcome.structured as Record<string, unknown>,
    ...(outcome.widgetMeta ? { _meta: outcome.widgetMeta } : {}),
  };
}

export function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

/** "limit: must be at most 100; boardId: must be a board id …" */
export function describeInvalidArguments(toolName: string, error: z.ZodError): string {
  const problems = error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'arguments';
    return `${where}: ${issue.message}`;
  });
  return `Invalid arguments for ${toolName}: ${problems.join('; ')}.`;
}

export function internalErrorResult(requestId: string): CallToolResult {
  return errorResult(`Something went wrong on our side (request ${requestId}). Try again in a moment; if it keeps happening, report this request id.`);
}
