import { z } from 'zod';
import { idPattern } from '../../../db/ids.ts';
import { LIMITS } from '../../kanban/limits.ts';

// Inputs and outputs of every tool, in one place, with the words the model reads in them: the
// tools declare them, the MCP layer turns them into JSON Schema, and the widget (what it renders)
// and the kanban domain (what it takes and gives) import their types, type only.

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

function idOf(kind: 'card' | 'column', example: string) {
  const message = `must be a ${kind} id such as "${example}…" as returned by get_board`;
  return z.string({ error: message }).trim().regex(idPattern(kind), message);
}
export const cardIdSchema = idOf('card', 'crd_');
export const columnIdSchema = idOf('column', 'col_');

// A lone UTF-16 surrogate cannot be stored as UTF-8: SQLite would swap it for U+FFFD silently.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text stored byte for byte on either engine: valid Unicode, and no NUL (PostgreSQL's text cannot
 * hold one, and SQLite's length() stops at it).
 */
function text(error = 'must be text') {
  return z
    .string({ error })
    .refine((value) => !LONE_SURROGATE.test(value), 'must be valid Unicode text')
    .refine((value) => !value.includes('\0'), 'must not contain NUL characters');
}

const titleSchema = text()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.titleLength, `is too long: use at most ${LIMITS.titleLength} characters`);
const descriptionSchema = text().max(LIMITS.descriptionLength, `is too long: use at most ${LIMITS.descriptionLength} characters`);
const labelsSchema = z
  .array(text().trim().min(1, 'must not be empty').max(LIMITS.labelLength, `must be at most ${LIMITS.labelLength} characters`), { error: 'must be a list of labels' })
  .max(LIMITS.labels, `may hold at most ${LIMITS.labels} labels`);
const dueDateSchema = z
  .string({ error: 'must be a date such as 2026-12-31' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-12-31')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'is not a real calendar date');
const visibilitySchema = z.enum(['public', 'private'], { error: 'must be "public" or "private"' });
const wipLimitSchema = count(1, LIMITS.wipLimit).nullable();
const requestIdSchema = z
  .string({ error: 'must be text' })
  .regex(/^[\w.:-]{8,100}$/, 'must be 8–100 letters, digits or . _ : -')
  .describe('Optional idempotency key: repeating a call with the same requestId within a day returns the first result instead of doing it twice.');
const columnRefSchema = z
  .string({ error: 'must be a column id or name' })
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.titleLength)
  .describe('The column, by id (col_…) or by name such as "Doing".');
const forceSchema = z.boolean({ error: 'must be true or false' }).describe("Go over the column's WIP limit anyway.");

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
  query: text('must be text: the words to look for')
    .trim()
    .min(1, 'must not be empty: give one or more words to look for')
    .max(LIMITS.queryLength, `is too long: use at most ${LIMITS.queryLength} characters`)
    .describe('Words to find in card titles and descriptions; every word must match.'),
  boardId: boardIdSchema.optional().describe('Only search this board.'),
  limit: count(1, LIMITS.searchResults)
    .optional()
    .describe(`How many cards to return (1–${LIMITS.searchResults}, default 20).`),
});

export const createBoardInput = z.object({
  title: titleSchema.describe('The name of the board.'),
  columns: z.array(titleSchema, { error: 'must be a list of column names' }).min(1, 'needs at least one column').max(LIMITS.columnsPerBoard, `may hold at most ${LIMITS.columnsPerBoard} columns`).optional().describe('Column names in order. Default: To do, Doing, Done.'),
  visibility: visibilitySchema.optional().describe('public: anyone can browse it; private (default): only you.'),
  requestId: requestIdSchema.optional(),
});

export const updateBoardInput = z.object({
  boardId: boardIdSchema,
  title: titleSchema.optional().describe('A new name for the board.'),
  visibility: visibilitySchema.optional(),
  addColumns: z.array(z.object({ title: titleSchema, wipLimit: wipLimitSchema.optional() }), { error: 'must be a list of columns' }).max(LIMITS.columnsPerBoard).optional().describe('Columns to add at the end.'),
  renameColumns: z.array(z.object({ columnId: columnIdSchema, title: titleSchema }), { error: 'must be a list' }).max(LIMITS.columnsPerBoard).optional(),
  columnOrder: z.array(columnIdSchema, { error: 'must be a list of column ids' }).max(LIMITS.columnsPerBoard).optional().describe('Every column id of the board (after removeColumns, before addColumns), in the new order.'),
  removeColumns: z.array(columnIdSchema, { error: 'must be a list of column ids' }).max(LIMITS.columnsPerBoard).optional().describe('Empty columns to remove.'),
  wipLimits: z.array(z.object({ columnId: columnIdSchema, wipLimit: wipLimitSchema }), { error: 'must be a list' }).max(LIMITS.columnsPerBoard).optional().describe('Work-in-progress limits; null removes one.'),
});

export const deleteBoardInput = z.object({ boardId: boardIdSchema });

export const createCardInput = z.object({
  title: titleSchema.describe('What the card says.'),
  boardId: boardIdSchema.optional().describe("The board; default: the user's personal board (made on first use)."),
  column: columnRefSchema.optional().describe('The column, by id or name; default: the first column.'),
  description: descriptionSchema.optional(),
  labels: labelsSchema.optional(),
  dueDate: dueDateSchema.optional(),
  position: z.enum(['top', 'bottom'], { error: 'must be "top" or "bottom"' }).optional().describe('Where in the column; default bottom.'),
  force: forceSchema.optional(),
  requestId: requestIdSchema.optional(),
});

export const updateCardInput = z.object({
  cardId: cardIdSchema,
  title: titleSchema.optional(),
  description: descriptionSchema.optional(),
  labels: labelsSchema.optional().describe('The full new list of labels.'),
  dueDate: dueDateSchema.nullable().optional().describe('A date such as 2026-12-31, or null to clear it.'),
});

export const moveCardInput = z.object({
  cardId: cardIdSchema,
  column: columnRefSchema.optional().describe('The column to move to, by id or name; default: where the card is.'),
  position: z.enum(['top', 'bottom', 'before', 'after'], { error: 'must be top, bottom, before or after' }).optional().describe('Default bottom. before/after need relativeTo.'),
  relativeTo: cardIdSchema.optional().describe('The card to move before or after; without column, the card moves to its column.'),
  force: forceSchema.optional(),
});

export const deleteCardInput = z.object({ cardId: cardIdSchema });

// ---- outputs (structuredContent) ----

export const viewerOutput = z.object({
  signedIn: z.boolean(),
  name: z.string().optional(),
});

export const visibilityOutput = z.enum(['public', 'private']);

const ownership = {
  owned: z.boolean().describe('The viewer owns this board.'),
  canEdit: z.boolean().describe('The viewer may change this board (owner, signed in with kanban.write).'),
};

export const boardSummaryOutput = z.object({
  id: z.string(),
  title: z.string(),
  visibility: visibilityOutput,
  ...ownership,
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
    ...ownership,
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
