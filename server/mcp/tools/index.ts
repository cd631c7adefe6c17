import type { ToolDefinition } from '../catalogue.ts';
import { getBoard, listBoards } from './boards.ts';
import { searchCards } from './cards.ts';

/** Every tool kanban-mcp offers, in the order tools/list shows them. */
export const TOOLS: readonly ToolDefinition[] = [listBoards, getBoard, searchCards];
