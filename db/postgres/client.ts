import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { Mutex } from 'async-mutex';
import { databaseErrorCode, jsonMemberName, postgresUrlWithoutPassword, type Db, type Dialect, type KanbanDatabase } from '../database.ts';
import { keyAccounts, warnAboutRenamed } from '../usernames.ts';
import * as schema from './schema.ts';

// PostgreSQL for several replicas on one database: a pool per process, a statement timeout so a
// stuck query cannot hold a request forever, and migrations that run once however many replicas
// start together (an advisory lock), refused outright when the database is newer than this code.

export interface PostgresDatabase extends KanbanDatabase {
  engine: 'postgres';
  pool: pg.Pool;
  /** Statements outside any transaction, each atomic on its own (a shared counter's upsert: one round trip). */
  autocommit: NodePgDatabase<typeof schema>;
}

/**
 * NFKC, lower case, NFKC again: foldText (db/usernames.ts) as PostgreSQL spells it. Lower case by
 * ICU's root locale where the server has ICU (most builds do: see openPostgres), which maps as
 * JavaScript does. Without ICU, lower() follows the database's LC_CTYPE: even a UTF-8 locale maps a
 * final capital sigma and a dotted capital I otherwise (ΟΔΟΣ to οδοσ, not οδος; İ to i, not i̇),
 * and LC_CTYPE=C maps only ASCII.
 */
function folded(value: AnyColumn | SQL, icu: boolean): SQL {
  const normalized = sql`normalize(${value}::text, NFKC)`;
  return sql`normalize(${icu ? sql`lower(${normalized} COLLATE "und-x-icu") COLLATE "default"` : sql`lower(${normalized})`}, NFKC)`;
}

/** Whether the server has ICU's root-locale collation, for folded. */
async function hasIcu(pool: pg.Pool): Promise<boolean> {
  const { rowCount } = await pool.query("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'");
  return (rowCount ?? 0) > 0;
}

/** `icu`: the server has ICU's root collation (hasIcu), which folds as JavaScript does. */
const postgresDialect = (icu: boolean): Dialect => ({
  // Used only for rows without their folded copy.
  fold: (value) => folded(value, icu),
  contains: (haystack: AnyColumn | SQL, needle: string) => sql`strpos(${haystack}, ${needle}) > 0`,
  jsonText: (column: AnyColumn, member: string) => sql<string>`${column} ->> '${jsonMemberName(member)}'`,
  // LIKE with the words' own wildcards escaped, which pg_trgm's index answers (migration 0005),
  // or the unfolded rows (their partial index): a BitmapOr of the two.
  cardsThatMayHold: (cards, words) =>
    sql`((${sql.join(words.map((word) => sql`${cards.searchText} LIKE ${`%${word.replace(/[\\%_]/g, '\\$&')}%`}`), sql` AND `)}) OR ${cards.searchText} IS NULL)`,
  json: (column: AnyColumn) => sql`${column}`,
  // As text, as SQLite gives it: one JSON.parse for both engines (pg would parse json itself).
  jsonRows: (values, from, orderBy) => sql<string>`(SELECT coalesce(json_agg(json_build_array(${sql.join(values, sql`, `)}) ORDER BY ${orderBy}), '[]')::text FROM ${from})`,
});

/** serialization_failure and deadlock_detected: the transaction lost a race and may simply run again. */
const RETRIED = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 10;
/** The first number of the two-number advisory locks that queue one person's writes (any fixed int4). */
const WRITER_QUEUE_LOCKS = 7311;

/** One queue per person in this process (an async-mutex each, dropped when idle). */
class PersonQueues {
  private readonly queues = new Map<string, Mutex>();

  async run<T>(person: string, work: () => Promise<T>): Promise<T> {
    const queue = this.queues.get(person) ?? new Mutex();
    this.queues.set(person, queue);
    try {
      return await queue.runExclusive(work);
    } finally {
      if (!queue.isLocked()) this.queues.delete(person);
    }
  }
}

/** Runs `transaction` again, after a growing random pause, while it loses serialization races. */
async function retryingSerialization<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (!RETRIED.has(databaseErrorCode(error)) || attempt === MAX_ATTEMPTS) throw error;
      // Jittered and growing (up to 200 ms), so the transactions that collided do not collide again.
      await sleep(Math.random() * Math.min(200, 2 ** attempt * 2));
    }
  }
}

/**
 * Raw rows in the shapes SQLite gives them, so one raw query reads the same on either engine:
 * big integers and counts as numbers, times as epoch milliseconds, booleans as 1/0, JSON as text.
 */
const SQLITE_SHAPED_VALUES = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    const { builtins, getTypeParser } = pg.types;
    if (oid === builtins.INT8) return Number;
    if (oid === builtins.TIMESTAMPTZ || oid === builtins.TIMESTAMP) return (value) => (getTypeParser(oid)(value) as Date).getTime();
    if (oid === builtins.BOOL) return (value) => (value === 't' ? 1 : 0);
    if (oid === builtins.JSONB || oid === builtins.JSON) return (value) => value;
    return getTypeParser(oid, format as 'text');
  },
};


const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));
/** Any fixed 64-bit number: the replicas of one database agree on it. */
const MIGRATION_LOCK = '7311055237861409';

export class SchemaTooNewError extends Error {}

/** The newest migration this code knows (drizzle-kit's journal: `when` is what drizzle stores as created_at). */
function newestKnownMigration(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as { entries: { when: number }[] };
  return Math.max(...journal.entries.map((entry) => entry.when));
}

/** Fills accounts.username_key where the migration left it NULL (see keyAccounts), under the migration lock. */
async function keyUnkeyedAccounts(client: pg.PoolClient): Promise<void> {
  const { rows: unkeyed } = await client.query<{ id: string; username: string }>('SELECT id, username FROM accounts WHERE username_key IS NULL ORDER BY created_at, id');
  if (unkeyed.length === 0) return;
  const { rows: taken } = await client.query<{ key: string }>('SELECT username_key AS key FROM accounts WHERE username_key IS NOT NULL');
  const keyed = keyAccounts(unkeyed, taken.map((row) => row.key));
  await client.query('BEGIN');
  try {
    for (const account of keyed) await client.query('UPDATE accounts SET username = $1, username_key = $2 WHERE id = $3', [account.username, account.usernameKey, account.id]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  warnAboutRenamed(keyed);
}

/**
 * Migration 0005 builds search_cards' trigram index only where pg_trgm is installed; its own
 * warning goes to PostgreSQL's log alone. Said at every start, where a person sees it.
 */
async function warnWithoutTrigramIndex(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query("SELECT 1 FROM pg_indexes WHERE indexname = 'cards_search_text_trigram_idx'");
  if (rows.length > 0) return;
  process.emitWarning('the pg_trgm extension was not there when kanban-mcp migrated this database, so search_cards has no index and reads every card. Install pg_trgm (CREATE EXTENSION pg_trgm) and create the index as db/postgres/migrations/0005_card_search_indexes.sql does.', { code: 'KANBAN_NO_TRIGRAM_INDEX' });
}

async function migrateOnce(pool: pg.Pool): Promise<void> {
  const lock = await pool.connect();
  try {
    // Waiting for another replica's migration, and the migration itself, may take longer than
    // a request's statement timeout: none on this connection while it migrates.
    await lock.query('SET statement_timeout = 0');
    // Replicas starting together queue here; the first migrates, the others find nothing to do.
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const { rows } = await lock.query<{ migrated: boolean }>("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS migrated");
      const newest = rows[0]?.migrated ? (await lock.query<{ newest: string | null }>('SELECT max(created_at)::text AS newest FROM drizzle.__drizzle_migrations')).rows[0]?.newest : null;
      if (newest !== null && newest !== undefined && Number(newest) > newestKnownMigration()) {
        throw new SchemaTooNewError('the database has migrations newer than this version of kanban-mcp: run the newer version (every replica must run the same one), or restore a backup from before them.');
      }
      await migrate(drizzle(lock), { migrationsFolder: MIGRATIONS_FOLDER });
      await keyUnkeyedAccounts(lock);
      await warnWithoutTrigramIndex(lock);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    // Not back into the pool: it has no statement timeout now.
    lock.release(true);
  }
}

export async function openPostgres(url: string, options: { poolSize?: number; statementTimeoutMs?: number } = {}): Promise<PostgresDatabase> {
  const statementTimeoutMs = options.statementTimeoutMs ?? 5000;
  // A request waits for a pooled connection no longer than for a statement: then it is "busy".
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, statement_timeout: statementTimeoutMs, connectionTimeoutMillis: statementTimeoutMs, application_name: 'kanban-mcp' });
  const queues = new PersonQueues();
  // An idle pooled connection the server dropped must not take the process down.
  pool.on('error', () => {});
  const pgDb = drizzle(pool, { schema });
  let dialect: Dialect;
  try {
    await migrateOnce(pool);
    dialect = postgresDialect(await hasIcu(pool));
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    engine: 'postgres',
    tables: schema,
    dialect,
    location: postgresUrlWithoutPassword(url),
    pool,
    autocommit: pgDb,
    // REPEATABLE READ: every statement of the read sees the snapshot of its first.
    read: (work) => pgDb.transaction((tx) => work(tx as unknown as Db), { isolationLevel: 'repeatable read', accessMode: 'read only' }),
    single: (work) => work(pgDb as unknown as Db),
    write: async (work, options = {}) => {
      const inTransaction = (isolationLevel: 'serializable' | 'read committed', first?: SQL) =>
        retryingSerialization(() =>
          pgDb.transaction(async (tx) => {
            if (first) await tx.execute(first);
            return work(tx as unknown as Db);
          }, { isolationLevel }),
        );
      const { queueBy } = options;
      // SERIALIZABLE for writes that belong to no one (the seed, signing keys, the issuer's
      // rows): a check-then-insert on two replicas cannot both commit; the loser runs again
      // from the start and sees the winner's rows.
      if (queueBy === undefined) return inTransaction('serializable');
      // A person's writes (their boards and cards: positions, WIP limits, the one personal
      // board, their requestIds) are decided only from their own rows, and those change only
      // under this lock: writes queue behind it from every replica, and each reads, READ
      // COMMITTED, what the one before it committed. SERIALIZABLE here made different people's
      // writes fail against each other (predicate locks over shared index pages and small tables).
      // The lock is the transaction's first statement and ends with it (no unlock round trip,
      // and none to forget). In this process writes queue before taking a connection, so one
      // person's burst cannot hold the whole pool waiting on their own lock.
      return queues.run(queueBy, () => inTransaction('read committed', sql`SELECT pg_advisory_xact_lock(${WRITER_QUEUE_LOCKS}, hashtext(${queueBy}))`));
    },
    prepared: (name, build) => (session, params) => build(session).prepare(name).execute(params),
    // `?` placeholders become $1, $2… (operators' and tests' SQL: no ? inside its literals).
    async query<Row>(text: string, params: unknown[] = []) {
      let index = 0;
      const { rows } = await pool.query({ text: text.replace(/\?/g, () => `$${++index}`), values: params, types: SQLITE_SHAPED_VALUES });
      return rows as Row[];
    },
    // Once: a second call (a test closed it under a running server, then stopped the server) does nothing.
    close: async () => {
      if (!pool.ended) await pool.end();
    },
  };
}
