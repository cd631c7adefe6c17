import type { ToolDefinition } from '../catalogue.ts';
import { whoami } from './account.ts';
import { getBoard, listBoards } from './boards.ts';
import { searchCards } from './cards.ts';

/** Tools anyone can call, in the order tools/list shows them. */
export const PUBLIC_TOOLS: readonly ToolDefinition[] = [listBoards, getBoard, searchCards];

/** Tools that need a signed-in user: offered only where sign-in is set up. */
export const SIGNED_IN_TOOLS: readonly ToolDefinition[] = [whoami];
