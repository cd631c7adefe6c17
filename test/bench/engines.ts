import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Engine } from '../../db/database.ts';
import { adminQuery, TEST_DATABASE_URL } from '../support/test-database.ts';

// The bench's rows on both engines: SQLite as the server makes it under DATA_DIR, PostgreSQL on
// the server the tests use (TEST_DATABASE_URL), in a database made for one setup and dropped after
// it. The PostgreSQL rows are optional: a machine without the server gets the SQLite rows and a note.

export interface EngineSetup {
  engine: Engine;
  /** How the setup's rows are named. */
  label: string;
}

/** Why the PostgreSQL server cannot be used, or undefined when it answers. */
async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    // Only the host: the URL may hold a password.
    return `PostgreSQL at ${new URL(TEST_DATABASE_URL).host} did not answer (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Transactions committed and rolled back in `name`, once its connections are gone (a connection publishes its counts when it closes, otherwise up to 10 s late). */
async function transactionCounts(name: string): Promise<{ committed: number; rolledBack: number }> {
  for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Number((await adminQuery(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '${name}'`)).rows[0].n) === 0) break;
  }
  const { rows } = await adminQuery(`SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = '${name}'`);
  return { committed: Number(rows[0].xact_commit), rolledBack: Number(rows[0].xact_rollback) };
}

/**
 * Runs `work` for each setup in turn with the DATABASE_URL its servers get: empty on SQLite (so
 * one inherited from the shell cannot switch the engine), a fresh database's on PostgreSQL.
 * `work` must stop its servers before it returns: their transaction counts are read then.
 * The notes, for under the table: how many of PostgreSQL's transactions were rolled back
 * (serializable writes that lost a race run again), or why the PostgreSQL setups were skipped.
 */
export async function onEachEngine<Setup extends EngineSetup, Result>(setups: Setup[], work: (setup: Setup, databaseUrl: string) => Promise<Result>): Promise<{ results: Result[]; notes: string[] }> {
  const results: Result[] = [];
  const notes: string[] = [];
  let unavailable: string | undefined;
  for (const setup of setups) {
    if (setup.engine === 'sqlite') {
      results.push(await work(setup, ''));
      continue;
    }
    unavailable ??= (await postgresUnavailable()) ?? ''; // asked once
    if (unavailable) continue;
    const name = `kanban_bench_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = `/${name}`;
      results.push(await work(setup, url.toString()));
      const { committed, rolledBack } = await transactionCounts(name);
      notes.push(`${setup.label}: ${rolledBack} of ${committed + rolledBack} transactions rolled back (mostly serialization failures, which the server runs again)`);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }
  if (unavailable) notes.push(`PostgreSQL rows skipped: ${unavailable}`);
  return { results, notes };
}
