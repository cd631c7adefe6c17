import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Mutex } from 'async-mutex';
import Database from 'better-sqlite3';
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { jsonMemberName, type Db, type Dialect, type KanbanDatabase, type Tables } from '../database.ts';
import { ownerOnlyDataDir, ownerOnlyFiles } from '../file-modes.ts';
import * as schema from './schema.ts';
import { foldText, keyAccounts, warnAboutRenamed } from '../usernames.ts';

export interface SqliteDatabase extends KanbanDatabase {
  engine: 'sqlite';
  /** The raw connection, for pragmas, backups and tests that reach past the app. */
  sqlite: Database.Database;
}

const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

// better-sqlite3 is synchronous: a lock wait blocks the event loop, so keep it short and let
// the caller see a busy error rather than stall every request for long.
const BUSY_TIMEOUT_MS = 2000;

/** SQL's name for foldText (db/usernames.ts): SQLite's own lower() and LIKE fold ASCII only. */
const FOLD_FUNCTION = 'kanban_fold';

const sqliteDialect: Dialect = {
  fold: (value: AnyColumn | SQL) => sql`${sql.raw(FOLD_FUNCTION)}(${value})`,
  contains: (haystack: AnyColumn | SQL, needle: string) => sql`instr(${haystack}, ${needle}) > 0`,
  jsonText: (column: AnyColumn, member: string) => sql<string>`json_extract(${column}, '$.${jsonMemberName(member)}')`,
  // One FTS5 phrase per word (in double quotes, its own doubled: migration 0006), and the unfolded
  // rows (their partial index): as one rowid list, which the planner starts from.
  cardsThatMayHold: (cards, words) =>
    sql`${cards}.rowid IN (SELECT rowid FROM cards_search WHERE cards_search MATCH ${words.map((word) => `"${word.replaceAll('"', '""')}"`).join(' AND ')} UNION ALL SELECT rowid FROM ${cards} WHERE ${cards.searchText} IS NULL)`,
  json: (column: AnyColumn) => sql`json(${column})`,
  jsonRows: (values, from, orderBy) => sql<string>`(SELECT json_group_array(json_array(${sql.join(values, sql`, `)}) ORDER BY ${orderBy}) FROM ${from})`,
};

/** Fills accounts.username_key where the migration left it NULL (see keyAccounts). */
function keyUnkeyedAccounts(sqlite: Database.Database): void {
  // IMMEDIATE: a command opening the file while the server starts does not key the same rows twice.
  const keyed = sqlite.transaction(() => {
    const unkeyed = sqlite.prepare('SELECT id, username FROM accounts WHERE username_key IS NULL ORDER BY created_at, id').all() as { id: string; username: string }[];
    if (unkeyed.length === 0) return [];
    const taken = sqlite.prepare('SELECT username_key FROM accounts WHERE username_key IS NOT NULL').pluck().all() as string[];
    const update = sqlite.prepare('UPDATE accounts SET username = ?, username_key = ? WHERE id = ?');
    return keyAccounts(unkeyed, taken).map((account) => (update.run(account.username, account.usernameKey, account.id), account));
  }).immediate();
  warnAboutRenamed(keyed);
}

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas and applies pending migrations.
 * One connection, used by one read or write at a time: a transaction whose body awaits must
 * not let another request's statements into it.
 */
export function openDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') {
    ownerOnlyDataDir(dirname(file));
    ownerOnlyFiles(file);
  }
  const sqlite = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  let drizzleDb: ReturnType<typeof drizzle<typeof schema>>;
  try {
    sqlite.function(FOLD_FUNCTION, { deterministic: true }, (value: unknown) => (typeof value === 'string' ? foldText(value) : value));
    sqlite.pragma('journal_mode = WAL');
    // WAL + NORMAL survives a crash of this process without losing a commit; only a power
    // loss or OS crash can drop the last few commits (SQLite's documented trade-off).
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    drizzleDb = drizzle(sqlite, { schema });
    migrate(drizzleDb, { migrationsFolder: MIGRATIONS_FOLDER });
    keyUnkeyedAccounts(sqlite);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  // See db/database.ts: SQLite's builders stand in for PostgreSQL's types, awaited only.
  const db = drizzleDb as unknown as Db;
  const connection = new Mutex();

  function transaction<T>(begin: string, work: (db: Db) => Promise<T>): Promise<T> {
    return connection.runExclusive(async () => {
      sqlite.exec(begin);
      try {
        const result = await work(db);
        sqlite.exec('COMMIT');
        return result;
      } catch (error) {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
        throw error;
      }
    });
  }

  return {
    engine: 'sqlite',
    tables: schema as unknown as Tables,
    dialect: sqliteDialect,
    location: file,
    sqlite,
    read: (work) => transaction('BEGIN', work),
    // Still queued on the one connection: run inside another's open transaction it would see its uncommitted rows.
    single: (work) => connection.runExclusive(() => work(db)),
    // IMMEDIATE: a read that turns into a write never meets SQLITE_BUSY_SNAPSHOT.
    write: (work) => transaction('BEGIN IMMEDIATE', work),
    prepared(name, build) {
      // One connection: a statement prepared on it serves every read and write.
      const statement = build(db).prepare(name);
      return (_db, params) => statement.execute(params);
    },
    query: async <Row,>(text: string, params: unknown[] = []) =>
      connection.runExclusive(async () => {
        const statement = sqlite.prepare(text);
        if (statement.reader) return statement.all(...params) as Row[];
        statement.run(...params);
        return [];
      }),
    async close() {
      await connection.waitForUnlock();
      if (sqlite.open) sqlite.close();
    },
  };
}
