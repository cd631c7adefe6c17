import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Kanban data. Every row is keyed by random, prefixed ids (db/ids.ts); the owner is the
// OAuth subject (`sub`) of the token that created it, and NULL for the seeded demo boards.

export const boards = sqliteTable(
  'boards',
  {
    id: text('id').primaryKey(),
    ownerSub: text('owner_sub'),
    title: text('title').notNull(),
    visibility: text('visibility', { enum: ['public', 'private'] }).notNull().default('private'),
    // The board a card lands on when the user names none; made on first use, one per owner.
    personal: integer('personal', { mode: 'boolean' }).notNull().default(false),
    // Listed to everyone by list_boards and search_cards (the demo boards, and boards the operator
    // features with `pnpm boards:feature`); other public boards are read only by id or link.
    featured: integer('featured', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // list_boards pages through boards newest first: the featured public ones, and the viewer's own.
    index('boards_featured_updated_idx').on(t.featured, t.visibility, t.updatedAt, t.id),
    index('boards_owner_updated_idx').on(t.ownerSub, t.updatedAt, t.id),
    uniqueIndex('boards_one_personal_per_owner_idx').on(t.ownerSub).where(sql`${t.personal} = 1`),
    // Backstops behind the limits of server/kanban/limits.ts (checked by the tools' zod schemas).
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
    // foldText(title) + newline + foldText(description) (db/usernames.ts), written with them:
    // search_cards looks words up in it instead of folding every row at every search.
    searchText: text('search_text'),
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
    // search_cards: the few rows without their folded words, found without reading the others
    // (the words of the rest are in the full-text table cards_search, migration 0006).
    index('cards_unfolded_idx').on(t.id).where(sql`${t.searchText} IS NULL`),
    check('cards_title_length', sql`length(${t.title}) BETWEEN 1 AND 200`),
    check('cards_description_length', sql`length(${t.description}) <= 10000`),
  ],
);

/**
 * Results of write tools called with a requestId: a client retrying a call that timed out gets
 * the first result again instead of a duplicate. Rows older than a day are deleted.
 */
export const toolRequests = sqliteTable(
  'tool_requests',
  {
    subject: text('subject').notNull(),
    requestId: text('request_id').notNull(),
    tool: text('tool').notNull(),
    result: text('result', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.subject, t.requestId] }), index('tool_requests_created_idx').on(t.createdAt)],
);

// ---- the embedded authorization server (server/auth/issuer) ----

/** People who sign in to the embedded issuer. The OAuth subject is `id`, never the username. */
export const accounts = sqliteTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    // The username folded (db/usernames.ts): one account per key on either engine. NULL only
    // between the migration that added it and the start that fills it (db/usernames.ts).
    usernameKey: text('username_key'),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('accounts_username_key_idx').on(t.usernameKey)],
);

/**
 * oidc-provider's storage: one row per (model, id). `id` is a SHA-256 of the artifact's id, so the
 * file never holds a usable code or refresh token (only their hashes).
 */
export const oauthStore = sqliteTable(
  'oauth_store',
  {
    model: text('model').notNull(),
    id: text('id').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    grantId: text('grant_id'),
    uid: text('uid'),
    userCode: text('user_code'),
    // NULL: never expires (clients registered by DCR must not vanish silently).
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
    consumedAt: integer('consumed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    primaryKey({ columns: [t.model, t.id] }),
    index('oauth_store_grant_idx').on(t.grantId),
    index('oauth_store_uid_idx').on(t.uid),
    index('oauth_store_expires_idx').on(t.expiresAt),
  ],
);

/** Token signing keys (private JWKs). The newest unretired key signs; retired keys still verify until dropped. */
export const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  privateJwk: text('private_jwk', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  retiredAt: integer('retired_at', { mode: 'timestamp_ms' }),
});

/** Generated secrets other than signing keys (the cookie-signing keys), created once. */
export const issuerSecrets = sqliteTable('issuer_secrets', {
  name: text('name').primaryKey(),
  value: text('value', { mode: 'json' }).$type<string[]>().notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

