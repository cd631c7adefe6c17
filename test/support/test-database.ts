import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { KanbanDatabase } from '../../db/database.ts';
import { openKanbanDatabase } from '../../db/open.ts';

// Which engine this run of the suite tests: SQLite (the default) or, with TEST_ENGINE=postgres,
// PostgreSQL at TEST_DATABASE_URL (default: this machine's server). On PostgreSQL every data
// folder a test makes gets a database of its own, named after the folder, so a server restarted
// on the same folder finds its data again, as it would in the SQLite file.

export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Every test database starts with this, so a run can drop what earlier runs left (set it to keep two runs apart). */
export const TEST_DATABASE_PREFIX = process.env.TEST_DATABASE_PREFIX ?? 'kanban_t_';
/** Small pools: a run starts many servers and PostgreSQL allows 100 connections. */
const TEST_POOL_SIZE = 3;

function databaseNameFor(dataDir: string): string {
  return TEST_DATABASE_PREFIX + createHash('sha256').update(dataDir).digest('hex').slice(0, 20);
}

/** The URL of database `name` on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one statement on the server's administrative database. */
export async function adminQuery(text: string): Promise<pg.QueryResult> {
  // A server that does not answer is an error within seconds (a loaded machine still connects well within them), not a hang.
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** The database of a data folder, made if missing (PostgreSQL runs only). */
async function ensureDatabaseFor(dataDir: string): Promise<string> {
  const name = databaseNameFor(dataDir);
  const { rowCount } = await adminQuery(`SELECT 1 FROM pg_database WHERE datname = '${name}'`);
  if (rowCount === 0) {
    try {
      await adminQuery(`CREATE DATABASE "${name}"`);
    } catch (error) {
      // Two servers on one folder at once: the other made it.
      if ((error as { code?: string }).code !== '42P04' && (error as { code?: string }).code !== '23505') throw error;
    }
  }
  return databaseUrl(name);
}

/** The environment a server on `dataDir` needs for this run's engine (DATA_DIR always). */
export async function databaseEnv(dataDir: string): Promise<Record<string, string>> {
  // Set by database-free-guard.ts: a file the PostgreSQL run leaves out would not be tested there.
  const databaseFree = process.env.KANBAN_DATABASE_FREE_FILE;
  if (databaseFree) throw new Error(`${databaseFree} asks for a database, but test/database-free.ts lists it, so the PostgreSQL run leaves it out: take it off that list`);
  if (TEST_ENGINE === 'sqlite') return { DATA_DIR: dataDir };
  return { DATA_DIR: dataDir, DATABASE_URL: await ensureDatabaseFor(dataDir), DATABASE_POOL_SIZE: String(TEST_POOL_SIZE) };
}

/** The app's database for `dataDir` on this run's engine, opened (and migrated) as the server would. */
export async function openTestDatabase(dataDir: string, { statementTimeoutMs = 5000 } = {}): Promise<KanbanDatabase> {
  const env = await databaseEnv(dataDir);
  return openKanbanDatabase({ databaseFile: join(dataDir, 'kanban.sqlite'), databaseUrl: env.DATABASE_URL, databasePoolSize: TEST_POOL_SIZE, databaseStatementTimeoutMs: statementTimeoutMs });
}
