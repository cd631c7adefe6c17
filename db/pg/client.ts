import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.ts';

// PostgreSQL for several replicas on one database: a pool per process, a statement timeout so a
// stuck query cannot hold a request forever, and migrations that run once however many replicas
// start together (an advisory lock), refused outright when the database is newer than this code.

export type KanbanPgDb = NodePgDatabase<typeof schema>;

export interface OpenedPostgres {
  db: KanbanPgDb;
  pool: pg.Pool;
  close(): Promise<void>;
}

const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));
/** Any fixed 64-bit number: the replicas of one database agree on it. */
const MIGRATION_LOCK = '7311055237861409';

export class SchemaTooNewError extends Error {}

/** The newest migration this code knows (drizzle-kit's journal: `when` is what drizzle stores as created_at). */
function newestKnownMigration(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as { entries: { when: number }[] };
  return Math.max(...journal.entries.map((entry) => entry.when));
}

async function migrateOnce(pool: pg.Pool, db: KanbanPgDb): Promise<void> {
  const lock = await pool.connect();
  try {
    // Replicas starting together queue here; the first migrates, the others find nothing to do.
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const { rows } = await lock.query<{ migrated: boolean }>("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS migrated");
      const newest = rows[0]?.migrated ? (await lock.query<{ newest: string | null }>('SELECT max(created_at)::text AS newest FROM drizzle.__drizzle_migrations')).rows[0]?.newest : null;
      if (newest !== null && newest !== undefined && Number(newest) > newestKnownMigration()) {
        throw new SchemaTooNewError('the database has migrations newer than this version of kanban-mcp: run the newer version (every replica must run the same one), or restore a backup from before them.');
      }
      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    lock.release();
  }
}

export async function openPostgres(url: string, options: { poolSize?: number; statementTimeoutMs?: number } = {}): Promise<OpenedPostgres> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, statement_timeout: options.statementTimeoutMs ?? 5000, application_name: 'kanban-mcp' });
  const db = drizzle(pool, { schema });
  try {
    await migrateOnce(pool, db);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return { db, pool, close: () => pool.end() };
}
