import type { z } from 'zod';
import { boardOutput, type BoardResult, type ListBoardsResult } from './schemas.ts';
import type { BoardChange, BoardWithDetails, KanbanService } from '../../kanban/service.ts';
import type { Viewer } from '../../viewer.ts';
import { defineTool, WRITE, writes, type ToolDefinition, type ToolOutcome } from '../catalogue.ts';
import { viewerOutput } from './viewer-output.ts';

type BoardPage = Omit<ListBoardsResult, 'view' | 'viewer'>;

/** A board as a tool result: the widget re-renders from structuredContent alone. */
export function boardOutcome(viewer: Viewer, details: BoardWithDetails, summary: string): ToolOutcome<BoardResult> {
  return {
    summary,
    structured: { view: 'board', viewer: viewerOutput(viewer), board: details.board },
    widgetMeta: { cardDescriptions: details.descriptions },
  };
}

/** A page of boards as a tool result (list_boards, and what delete_board leaves). */
export function boardsOutcome(viewer: Viewer, page: BoardPage, summary: string): ToolOutcome<ListBoardsResult> {
  return { summary, structured: { view: 'boards', viewer: viewerOutput(viewer), ...page } };
}

/**
 * A write tool that changes one board and answers with it: what every such tool shares (the
 * kanban.write scheme, the board output, the outcome), so each declares only what is its own.
 */
export function defineBoardWrite<Input extends z.ZodObject>(tool: {
  name: string;
  title: string;
  description: string;
  input: Input;
  destructive: boolean;
  repeatable: boolean;
  signInPrompt: string;
  invocation: { invoking: string; invoked: string };
  change(kanban: KanbanService, viewer: Viewer, args: z.output<Input>): Promise<BoardChange>;
}): ToolDefinition {
  return defineTool({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    input: tool.input,
    output: boardOutput,
    annotations: writes({ destructive: tool.destructive, repeatable: tool.repeatable }),
    securitySchemes: WRITE,
    signInPrompt: tool.signInPrompt,
    invocation: tool.invocation,
    // The board after the write, and one line saying what changed.
    handler: async (args, { viewer, kanban }) => {
      const change = await tool.change(kanban, viewer, args);
      return boardOutcome(viewer, change, `${change.change} Board id ${change.board.id}.`);
    },
  });
}
