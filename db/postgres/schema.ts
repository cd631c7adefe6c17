import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

// The PostgreSQL form of db/sqlite/schema.ts, table for table and column for column (the same SQL names
// and row types: the app's rules run on either through db/database.ts), for kanban-mcp running
// as several replicas on one shared database (docs/deploying.md: Scaling out).

/** A moment, to the millisecond as SQLite keeps it, with its time zone. */
const moment = (name: string) => timestamp(name, { mode: 'date', precision: 3, withTimezone: true });
const createdAt = () => moment('created_at').notNull();

export const boards = pgTable(
  'boards',
  {
    id: text('id').primaryKey(),
    ownerSub: text('owner_sub'),
    title: text('title').notNull(),
    visibility: text('visibility', { enum: ['public', 'private'] }).notNull().default('private'),
    personal: boolean('personal').notNull().default(false),
    featured: boolean('featured').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: moment('updated_at').notNull(),
  },
  (t) => [
    index('boards_featured_updated_idx').on(t.featured, t.visibility, t.updatedAt, t.id),
    index('boards_owner_updated_idx').on(t.ownerSub, t.updatedAt, t.id),
    uniqueIndex('boards_one_personal_per_owner_idx').on(t.ownerSub).where(sql`${t.personal}`),
    check('boards_title_length', sql`char_length(${t.title}) BETWEEN 1 AND 200`),
    check('boards_visibility_known', sql`${t.visibility} IN ('public', 'private')`),
  ],
);

export const columns = pgTable(
  'columns',
  {
    id: text('id').primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    position: bigint('position', { mode: 'number' }).notNull(),
    wipLimit: bigint('wip_limit', { mode: 'number' }),
  },
  (t) => [
    index('columns_board_position_idx').on(t.boardId, t.position),
    check('columns_title_length', sql`char_length(${t.title}) BETWEEN 1 AND 200`),
    check('columns_wip_limit_positive', sql`${t.wipLimit} IS NULL OR ${t.wipLimit} > 0`),
  ],
);

export const cards = pgTable(
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
    // foldText(title) + newline + foldText(description) (db/usernames.ts), written with them:
    // search_cards looks words up in it instead of folding every row at every search.
    searchText: text('search_text'),
    labels: jsonb('labels').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    dueDate: text('due_date'),
    position: bigint('position', { mode: 'number' }).notNull(),
    createdBySub: text('created_by_sub'),
    createdAt: createdAt(),
    updatedAt: moment('updated_at').notNull(),
  },
  (t) => [
    index('cards_column_position_idx').on(t.columnId, t.position),
    index('cards_board_idx').on(t.boardId),
    // search_cards: words of 3 characters or more found through trigrams (pg_trgm, migration
    // 0004), and the few rows without their folded words found without reading the others.
    index('cards_search_text_trigram_idx').using('gin', t.searchText.op('gin_trgm_ops')),
    index('cards_unfolded_idx').on(t.id).where(sql`${t.searchText} IS NULL`),
    check('cards_title_length', sql`char_length(${t.title}) BETWEEN 1 AND 200`),
    check('cards_description_length', sql`char_length(${t.description}) <= 10000`),
  ],
);

export const toolRequests = pgTable(
  'tool_requests',
  {
    subject: text('subject').notNull(),
    requestId: text('request_id').notNull(),
    tool: text('tool').notNull(),
    result: jsonb('result').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.subject, t.requestId] }), index('tool_requests_created_idx').on(t.createdAt)],
);

export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    usernameKey: text('username_key'),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('accounts_username_key_idx').on(t.usernameKey)],
);

export const oauthStore = pgTable(
  'oauth_store',
  {
    model: text('model').notNull(),
    id: text('id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    grantId: text('grant_id'),
    uid: text('uid'),
    userCode: text('user_code'),
    expiresAt: moment('expires_at'),
    consumedAt: moment('consumed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.model, t.id] }),
    index('oauth_store_grant_idx').on(t.grantId),
    index('oauth_store_uid_idx').on(t.uid),
    index('oauth_store_expires_idx').on(t.expiresAt),
  ],
);

export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  privateJwk: jsonb('private_jwk').$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
  retiredAt: moment('retired_at'),
});

export const issuerSecrets = pgTable('issuer_secrets', {
  name: text('name').primaryKey(),
  value: jsonb('value').$type<string[]>().notNull(),
  createdAt: createdAt(),
});

/**
 * Request budgets that replicas share (server/rate-limits/postgres-store.ts): one row per limiter
 * and key, its hits in the current window. PostgreSQL only: one SQLite process counts in memory.
 * UNLOGGED (in its migration): counts are worth nothing after a crash, and skip the WAL.
 */
export const rateLimitHits = pgTable(
  'rate_limit_hits',
  {
    key: text('key').primaryKey(),
    hits: integer('hits').notNull(),
    resetsAt: moment('resets_at').notNull(),
  },
  (t) => [index('rate_limit_hits_resets_idx').on(t.resetsAt)],
);
