import type { BoardChange, BoardWithDetails } from '../../kanban/service.ts';
import type { BoardResult } from '../../kanban/schemas.ts';
import type { Viewer } from '../../kanban/viewer.ts';
import type { ToolOutcome } from '../catalogue.ts';
import { viewerOutput } from './viewer-output.ts';

/** A board as a tool result: the widget re-renders from structuredContent alone. */
export function boardOutcome(viewer: Viewer, details: BoardWithDetails, summary: string): ToolOutcome<BoardResult> {
  return {
    summary,
    structured: { view: 'board', viewer: viewerOutput(viewer), board: details.board },
    widgetMeta: { cardDescriptions: details.descriptions },
  };
}

/** The result of a write: the board after it, and one line saying what changed. */
export function changeOutcome(viewer: Viewer, change: BoardChange): ToolOutcome<BoardResult> {
  return boardOutcome(viewer, change, `${change.change} Board id ${change.board.id}.`);
}
