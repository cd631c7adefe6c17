import { sql, type AnyColumn, type Placeholder, type SQL } from 'drizzle-orm';
import type { Db, Tables } from './query-types.ts';

// The one face of the database that the app's rules are written against, whichever engine is
// behind it: SQLite (db/sqlite/client.ts, the default) or PostgreSQL (db/postgres/client.ts,
// DATABASE_URL). It names neither engine: its rows are plain types (rows.ts), and the query
// builders' types come from query-types.ts, the one place that has to pick an engine's. Each
// engine passes its own tables (the same names and row types), so each writes its own SQL. What
// SQL differs beyond the builders (case-insensitive match, JSON members) is in Dialect.

export type { Db, Tables } from './query-types.ts';
export type { AccountRow, BoardRow, CardRow, ColumnRow, OAuthRow } from './rows.ts';
export type Engine = 'sqlite' | 'postgres';

/** Trigram indexes know no shorter word: shorter ones are looked for card by card. */
export const INDEXED_WORD_LENGTH = 3;

export interface Dialect {
  /** `value` folded as foldText (db/usernames.ts) folds: for rows whose folded copy is not stored. */
  fold(value: AnyColumn | SQL): SQL;
  /** `haystack` contains `needle` (both folded already: no case rules, no wildcards). */
  contains(haystack: AnyColumn | SQL, needle: string): SQL;
  /** A top-level member of a JSON column, as text. `member` is a name of ours (letters, digits, _), written into the SQL. */
  jsonText(column: AnyColumn, member: string): SQL<string>;
  /**
   * The cards that may hold every one of `words` (folded, each at least INDEXED_WORD_LENGTH
   * characters), found through the engine's text index (FTS5's trigram table on SQLite, a pg_trgm
   * index on PostgreSQL), and every card without its search_text. Which cards it finds is the
   * index's business: check each with contains() too.
   */
  cardsThatMayHold(cards: Tables['cards'], words: string[]): SQL;
  /** A JSON column's value as JSON (not as a string holding JSON), inside jsonRows. */
  json(column: AnyColumn): SQL;
  /**
   * The rows of `from` (a table and its WHERE) as JSON text: an array holding, per row in `orderBy`
   * order, the array of `values`. Many rows in one value of one statement, parsed by JSON.parse
   * instead of mapped row by row.
   */
  jsonRows(values: (AnyColumn | SQL)[], from: SQL, orderBy: SQL): SQL<string>;
}

/**
 * A placeholder named after each of `keys`, for a prepared insert or update whose values are all
 * given at each call (each still passes through its column's encoder: dates, JSON).
 */
export function placeholders<K extends string>(keys: readonly K[]): { [P in K]: Placeholder<P> } {
  const named = {} as { [P in K]: Placeholder<P> };
  for (const key of keys) named[key] = sql.placeholder(key);
  return named;
}

/** The number an aggregate query (`{ n: count() }`, a sum) answers: it always gives exactly one row. */
export async function countOf(rows: Promise<{ n: number }[]>): Promise<number> {
  return (await rows)[0]!.n;
}

/** A query built once per engine: prepared once on SQLite, by name per connection on PostgreSQL. */
export interface Preparable<Params, Result> {
  prepare(name: string): { execute(params: Params): Promise<Result> };
}

export interface KanbanDatabase {
  engine: Engine;
  tables: Tables;
  dialect: Dialect;
  /** Where the data is, for people: a file path, or the PostgreSQL URL without its password. */
  location: string;
  // A read or write must not start another inside its body: on SQLite's one connection it would
  // wait for itself forever, and on PostgreSQL it would not see the outer one's changes. (Not
  // checked at run time: an AsyncLocalStorage guard cost a fifth of every request's throughput.)

  /** Statements that see one state of the database (a read-only snapshot on PostgreSQL). */
  read<T>(work: (db: Db) => Promise<T>): Promise<T>;
  /**
   * One statement on its own, outside any transaction: a single statement is atomic, and on
   * PostgreSQL this saves the BEGIN and COMMIT round trips of a read. `work` runs exactly one.
   */
  single<T>(work: (db: Db) => Promise<T>): Promise<T>;
  /**
   * One transaction that all happens or none of it: SQLite's single writer (BEGIN IMMEDIATE). On
   * PostgreSQL, writes with a `queueBy` (the person whose rows they change: they must change no
   * one else's) wait for each other across replicas on a lock and run READ COMMITTED; writes
   * without one run SERIALIZABLE. Either is run again when it lost a race (a serialization
   * failure or a deadlock), so `work` must do nothing but database work.
   */
  write<T>(work: (db: Db) => Promise<T>, options?: { queueBy?: string }): Promise<T>;
  /** A query the caller runs often, given the `db` of the read or write it runs in. */
  prepared<Params extends Record<string, unknown>, Result>(name: string, build: (db: Db) => Preparable<Params, Result>): (db: Db, params: Params) => Promise<Result>;
  /** Raw SQL with `?` placeholders, for operators' commands and tests; rows as the driver gives them. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/**
 * A PostgreSQL URL for people (banners, messages): the password replaced by ***, and the query
 * string left out (pg also reads password=, sslpassword= and key paths from it).
 */
export function postgresUrlWithoutPassword(url: string): string {
  if (!URL.canParse(url)) return 'postgres://(unparsable URL)';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  const options = parsed.search ? '?…' : '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString() + options;
}

/** The error code under drizzle's wrapper (DrizzleQueryError keeps the driver's error as cause). */
export function databaseErrorCode(error: unknown): string {
  for (let current = error, depth = 0; current && depth < 3; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return '';
}

/** pg's words when no pooled connection came free within connectionTimeoutMillis (it sets no code). */
const POOL_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

/** Another writer held the database too long (SQLite), or a statement or a connection ran past its timeout, or lost every retry (PostgreSQL). */
export function isDatabaseBusy(error: unknown): boolean {
  if (error instanceof Error && error.message === POOL_TIMEOUT_MESSAGE) return true;
  const code = databaseErrorCode(error);
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === '57014' || code === '40001' || code === '40P01' || code === '55P03';
}

/** A unique index refused the row. */
export function isUniqueViolation(error: unknown): boolean {
  const code = databaseErrorCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * A JSON member name as SQL text, not a parameter: the same expression in SELECT and GROUP BY
 * must be the same text for PostgreSQL to see that it is the same. Only our own names get here.
 */
export function jsonMemberName(member: string): SQL {
  if (!/^\w+$/.test(member)) throw new Error(`not a JSON member name of ours: ${member}`);
  return sql.raw(member);
}
