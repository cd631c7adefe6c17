import type { CallToolResult } from '@modelcontextprotocol/client';
import type { McpUiResourceCsp } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { Challenge } from './sign-in.ts';

// What the playground shows, in order, as ChatGPT's conversation does: each tool call with its
// result and widget, and what the widget asked the host for (follow-up messages, links).

export interface WidgetSource {
  html: string;
  csp: McpUiResourceCsp | undefined;
  /** From source through Vite (hot reload), not the built file ChatGPT gets. */
  live: boolean;
}

export interface CallEntry {
  kind: 'call';
  id: number;
  tool: string;
  args: Record<string, unknown>;
  /** Who asked: the person (the model's stand-in) or the widget. */
  from: 'person' | 'widget';
  status: 'running' | 'done' | 'failed' | 'sign-in';
  result?: CallToolResult;
  error?: string;
  challenge?: Challenge;
  widget?: WidgetSource;
}

/** What the widget asked the host for: a follow-up message, or a link to open. */
export interface NoteEntry {
  kind: 'follow-up' | 'link';
  id: number;
  text: string;
}

export type Entry = CallEntry | NoteEntry;

/** The in-band challenge of a tool result (`_meta["mcp/www_authenticate"]`), if it carries one. */
export function inbandChallenge(result: CallToolResult): string | undefined {
  const challenges = result._meta?.['mcp/www_authenticate'];
  return Array.isArray(challenges) && typeof challenges[0] === 'string' ? challenges[0] : undefined;
}

/** Content blocks as text: a tool result's (what the model reads), or a widget's follow-up message's. */
export function contentText(content: readonly { type: string; text?: string }[]): string {
  return content.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join('\n');
}
