import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Mutex } from 'async-mutex';
import Database from 'better-sqlite3';
import { sql, type AnyColumn } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { jsonMemberName, likePattern, type Db, type Dialect, type KanbanDatabase, type Tables } from './database.ts';
import * as schema from './schema.ts';

export interface SqliteDatabase extends KanbanDatabase {
  engine: 'sqlite';
  /** The raw connection, for pragmas, backups and tests that reach past the app. */
  sqlite: Database.Database;
}

const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

// better-sqlite3 is synchronous: a lock wait blocks the event loop, so keep it short and let
// the caller see a busy error rather than stall every request for long.
const BUSY_TIMEOUT_MS = 2000;

const sqliteDialect: Dialect = {
  // SQLite's LIKE ignores ASCII case already.
  containsIgnoringCase: (column: AnyColumn, text: string) => sql`${column} LIKE ${likePattern(text)} ESCAPE '\\'`,
  equalsIgnoringCase: (column: AnyColumn, text: string) => sql`${column} = ${text} COLLATE NOCASE`,
  jsonText: (column: AnyColumn, member: string) => sql<string>`json_extract(${column}, '$.${jsonMemberName(member)}')`,
};

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas and applies pending migrations.
 * One connection, used by one read or write at a time: a transaction whose body awaits must
 * not let another request's statements into it.
 */
export function openDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  let drizzleDb: ReturnType<typeof drizzle<typeof schema>>;
  try {
    sqlite.pragma('journal_mode = WAL');
    // WAL + NORMAL survives a crash of this process without losing a commit; only a power
    // loss or OS crash can drop the last few commits (SQLite's documented trade-off).
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    drizzleDb = drizzle(sqlite, { schema });
    migrate(drizzleDb, { migrationsFolder: MIGRATIONS_FOLDER });
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
