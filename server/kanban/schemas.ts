import { z } from 'zod';
import { idPattern } from '../../db/ids.ts';

// Inputs and outputs of every tool, in one place: the tools declare them, the MCP layer turns
// them into JSON Schema, and the widget imports their types (import type only).

export const LIMITS = {
  titleLength: 200,
  queryLength: 200,
  cursorLength: 200,
  listPageSize: 100,
  searchResults: 50,
} as const;

/** A whole number in [min, max], with messages that say so. */
function count(min: number, max: number) {
  return z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
}

export const boardIdSchema = z
  .string({ error: 'must be a board id such as "brd_…" as returned by list_boards' })
  .trim()
  .regex(idPattern('board'), 'must be a board id such as "brd_…" as returned by list_boards');

// ---- inputs ----

export const listBoardsInput = z.object({
  limit: count(1, LIMITS.listPageSize)
    .optional()
    .describe(`How many boards to return (1–${LIMITS.listPageSize}, default 20).`),
  cursor: z
    .string({ error: 'must be a string' })
    .max(LIMITS.cursorLength, { error: 'is not a cursor list_boards gave out' })
    .optional()
    .describe('The nextCursor of a previous list_boards result, to get the next page.'),
});

export const getBoardInput = z.object({
  boardId: boardIdSchema.describe('The id of the board, from list_boards or search_cards.'),
});

export const searchCardsInput = z.object({
  query: z
    .string({ error: 'must be text: the words to look for' })
    .trim()
    .min(1, 'must not be empty: give one or more words to look for')
    .max(LIMITS.queryLength, `is too long: use at most ${LIMITS.queryLength} characters`)
    .describe('Words to find in card titles and descriptions; every word must match.'),
  boardId: boardIdSchema.optional().describe('Only search this board.'),
  limit: count(1, LIMITS.searchResults)
    .optional()
    .describe(`How many cards to return (1–${LIMITS.searchResults}, default 20).`),
});

// ---- outputs (structuredContent) ----

export const viewerOutput = z.object({
  signedIn: z.boolean(),
  name: z.string().optional(),
});

export const visibilityOutput = z.enum(['public', 'private']);

export const boardSummaryOutput = z.object({
  id: z.string(),
  title: z.string(),
  visibility: visibilityOutput,
  columnCount: z.number().int(),
  cardCount: z.number().int(),
  updatedAt: z.string().describe('ISO 8601 time of the last change.'),
});

export const cardOutput = z.object({
  id: z.string(),
  title: z.string(),
  labels: z.array(z.string()),
  dueDate: z.string().nullable().describe('YYYY-MM-DD, or null.'),
});

export const columnOutput = z.object({
  id: z.string(),
  title: z.string(),
  wipLimit: z.number().int().nullable(),
  cards: z.array(cardOutput),
});

export const listBoardsOutput = z.object({
  view: z.literal('boards'),
  viewer: viewerOutput,
  boards: z.array(boardSummaryOutput),
  nextCursor: z.string().optional(),
});

export const boardOutput = z.object({
  view: z.literal('board'),
  viewer: viewerOutput,
  board: z.object({
    id: z.string(),
    title: z.string(),
    visibility: visibilityOutput,
    updatedAt: z.string(),
    columns: z.array(columnOutput),
  }),
});

export const searchCardsOutput = z.object({
  view: z.literal('search'),
  viewer: viewerOutput,
  query: z.string(),
  results: z.array(
    z.object({
      card: cardOutput,
      board: z.object({ id: z.string(), title: z.string() }),
      column: z.object({ id: z.string(), title: z.string() }),
    }),
  ),
});

export type ViewerOutput = z.infer<typeof viewerOutput>;
export type BoardSummary = z.infer<typeof boardSummaryOutput>;
export type CardView = z.infer<typeof cardOutput>;
export type ColumnView = z.infer<typeof columnOutput>;
export type ListBoardsResult = z.infer<typeof listBoardsOutput>;
export type BoardResult = z.infer<typeof boardOutput>;
export type BoardView = BoardResult['board'];
export type SearchCardsResult = z.infer<typeof searchCardsOutput>;
export type SearchHit = SearchCardsResult['results'][number];

export const whoamiInput = z.object({});

export const whoamiOutput = z.object({
  view: z.literal('account'),
  viewer: viewerOutput,
  subject: z.string().describe('The stable id of the signed-in user at the issuer (the token `sub`).'),
  scopes: z.array(z.string()).describe('What the user allowed this app to do.'),
  clientId: z.string().nullable().describe('The OAuth client (app) the user signed in through.'),
});
export type WhoamiResult = z.infer<typeof whoamiOutput>;
