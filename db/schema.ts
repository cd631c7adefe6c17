import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// Kanban data. Every row is keyed by random, prefixed ids (db/ids.ts); the owner is the
// OAuth subject (`sub`) of the token that created it, and NULL for the seeded demo boards.

export const boards = sqliteTable(
  'boards',
  {
    id: text('id').primaryKey(),
    ownerSub: text('owner_sub'),
    title: text('title').notNull(),
    visibility: text('visibility', { enum: ['public', 'private'] }).notNull().default('private'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // list_boards pages through boards newest first, by visibility (anonymous) or owner (signed in).
    index('boards_visibility_updated_idx').on(t.visibility, t.updatedAt, t.id),
    index('boards_owner_updated_idx').on(t.ownerSub, t.updatedAt, t.id),
    // Backstops behind the zod limits in server/kanban/schemas.ts.
    check('boards_title_length', sql`length(${t.title}) BETWEEN 1 AND 200`),
    check('boards_visibility_known', sql`${t.visibility} IN ('public', 'private')`),
  ],
);

export const columns = sqliteTable(
  'columns',
  {
    id: text('id').primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    // Gap-numbered (see db/positions.ts) so inserting between two neighbours writes one row.
    position: integer('position').notNull(),
    wipLimit: integer('wip_limit'),
  },
  (t) => [
    index('columns_board_position_idx').on(t.boardId, t.position),
    check('columns_title_length', sql`length(${t.title}) BETWEEN 1 AND 200`),
    check('columns_wip_limit_positive', sql`${t.wipLimit} IS NULL OR ${t.wipLimit} > 0`),
  ],
);

export const cards = sqliteTable(
  'cards',
  {
    id: text('id').primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    columnId: text('column_id')
      .notNull()
      .references(() => columns.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    labels: text('labels', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    // Calendar date, YYYY-MM-DD: a due date has no time zone of its own.
    dueDate: text('due_date'),
    position: integer('position').notNull(),
    createdBySub: text('created_by_sub'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('cards_column_position_idx').on(t.columnId, t.position),
    index('cards_board_idx').on(t.boardId),
    check('cards_title_length', sql`length(${t.title}) BETWEEN 1 AND 200`),
    check('cards_description_length', sql`length(${t.description}) <= 10000`),
  ],
);

export type BoardRow = typeof boards.$inferSelect;
export type ColumnRow = typeof columns.$inferSelect;
export type CardRow = typeof cards.$inferSelect;
