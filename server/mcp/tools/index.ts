import type { ToolDefinition } from '../catalogue.ts';
import { whoami } from './account.ts';
import { createBoard, deleteBoard, getBoard, listBoards, updateBoard } from './boards.ts';
import { createCard, deleteCard, moveCard, searchCards, updateCard } from './cards.ts';

/** Tools anyone can call, in the order tools/list shows them. */
export const PUBLIC_TOOLS: readonly ToolDefinition[] = [listBoards, getBoard, searchCards];

/** Tools that need a signed-in user. */
export const SIGNED_IN_TOOLS: readonly ToolDefinition[] = [createCard, updateCard, moveCard, deleteCard, createBoard, updateBoard, deleteBoard, whoami];
