// ChatGPT's own widget API (`window.openai`), older than MCP Apps and still the only home of
// per-widget state. Everything on it is optional: feature-detect each member before use.

interface OpenAiToolResult {
  content?: unknown;
  structuredContent?: unknown;
  _meta?: unknown;
  isError?: boolean;
}

export interface OpenAiGlobals {
  toolOutput?: unknown;
  toolResponseMetadata?: unknown;
  widgetState?: unknown;
  theme?: 'light' | 'dark';
  locale?: string;
  displayMode?: 'inline' | 'fullscreen' | 'pip';
  setWidgetState?(state: unknown): unknown;
  callTool?(name: string, args: Record<string, unknown>): Promise<OpenAiToolResult>;
  sendFollowUpMessage?(args: { prompt: string }): Promise<unknown>;
  requestDisplayMode?(args: { mode: 'inline' | 'fullscreen' | 'pip' }): Promise<unknown>;
  openExternal?(args: { href: string }): unknown;
  notifyIntrinsicHeight?(height: number): unknown;
}

declare global {
  interface Window {
    openai?: OpenAiGlobals;
  }
}

/** Fired on window when ChatGPT changes any of the globals (a new tool output, the theme…). */
export const SET_GLOBALS_EVENT = 'openai:set_globals';

export function openAi(): OpenAiGlobals | undefined {
  return typeof window.openai === 'object' && window.openai !== null ? window.openai : undefined;
}
