import type { BoardResult, ListBoardsResult, SearchCardsResult, WhoamiResult } from '../../server/mcp/tools/schemas.ts';

// What a tool result shows: its structuredContent (one of our four views) and the widget-only
// card descriptions from its _meta. Anything else (another server's result, an error) shows nothing.

export type ToolView = ListBoardsResult | BoardResult | SearchCardsResult | WhoamiResult;

export interface Shown {
  view: ToolView;
  /** Card descriptions by card id (only board views carry them). */
  descriptions: Record<string, string>;
}

const VIEWS = new Set(['boards', 'board', 'search', 'account']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function shownOf(structuredContent: unknown, meta: unknown): Shown | undefined {
  if (!isRecord(structuredContent) || !VIEWS.has(String(structuredContent.view)) || !isRecord(structuredContent.viewer)) return undefined;
  const descriptions: Record<string, string> = {};
  const fromMeta = isRecord(meta) && isRecord(meta.cardDescriptions) ? meta.cardDescriptions : {};
  for (const [id, text] of Object.entries(fromMeta)) if (typeof text === 'string') descriptions[id] = text;
  return { view: structuredContent as unknown as ToolView, descriptions };
}

/** The text a tool result gives a person: its text content blocks, joined. */
export function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .filter((block): block is { type: 'text'; text: string } => isRecord(block) && block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text)
    .join('\n');
}
