import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, SchemaTooNewError } from '../db/postgres/client.ts';
import { runDatabaseName } from './support/run-databases.ts';
import { adminQuery, databaseUrl, TEST_DATABASE_URL } from './support/test-database.ts';

// The PostgreSQL schema and its migrations, against a real server: TEST_DATABASE_URL, or the one
// these machines run on 127.0.0.1:5432, in a database of this run's own (dropped at the run's end).

const name = runDatabaseName('schema');
let available = false;
let url = '';

beforeAll(async () => {
  try {
    await adminQuery(`CREATE DATABASE ${name}`);
    available = true;
    url = databaseUrl(name);
  } catch (error) {
    console.warn(`Skipping the PostgreSQL tests: no server at ${new URL(TEST_DATABASE_URL).host} (${(error as Error).message})`);
  }
});

/** The migrations in db/postgres/migrations. */
const MIGRATIONS = (JSON.parse(readFileSync(new URL('../db/postgres/migrations/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] }).entries.length;

describe('PostgreSQL migrations', () => {
  it('three replicas starting at once on an empty database end with one schema, and all of them serve', async (context) => {
    if (!available) return context.skip();
    const replicas = await Promise.all([openPostgres(url), openPostgres(url), openPostgres(url)]);
    try {
      const { rows: tables } = await replicas[0]!.pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
      expect(tables.map((row) => row.table_name)).toEqual(['accounts', 'boards', 'cards', 'columns', 'issuer_secrets', 'oauth_store', 'rate_limit_hits', 'signing_keys', 'tool_requests']);
      const { rows: applied } = await replicas[0]!.pool.query('SELECT hash FROM drizzle.__drizzle_migrations');
      expect(applied).toHaveLength(MIGRATIONS); // each migration once, not once per replica
      for (const replica of replicas) expect((await replica.pool.query('SELECT count(*)::int AS n FROM boards')).rows[0].n).toBe(0);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });

  it('holds the rules of the SQLite schema: one personal board per owner, one account per folded username, cascades', async (context) => {
    if (!available) return context.skip();
    const { pool, close } = await openPostgres(url);
    try {
      const now = new Date();
      await pool.query("INSERT INTO boards (id, owner_sub, title, personal, created_at, updated_at) VALUES ('brd_a', 'alice', 'Mine', true, $1, $1)", [now]);
      await expect(pool.query("INSERT INTO boards (id, owner_sub, title, personal, created_at, updated_at) VALUES ('brd_b', 'alice', 'Mine too', true, $1, $1)", [now])).rejects.toThrow(/boards_one_personal_per_owner_idx/);
      await pool.query("INSERT INTO accounts (id, username, username_key, password_hash, display_name, created_at) VALUES ('acc_1', 'Alice', 'alice', 'x', 'Alice', $1)", [now]);
      await expect(pool.query("INSERT INTO accounts (id, username, username_key, password_hash, display_name, created_at) VALUES ('acc_2', 'alice', 'alice', 'x', 'alice', $1)", [now])).rejects.toThrow(/accounts_username_key_idx/);
      await expect(pool.query("INSERT INTO boards (id, owner_sub, title, created_at, updated_at) VALUES ('brd_c', 'bob', '', $1, $1)", [now])).rejects.toThrow(/boards_title_length/);
      await pool.query("INSERT INTO columns (id, board_id, title, position) VALUES ('col_1', 'brd_a', 'To do', 1024)");
      await pool.query("INSERT INTO cards (id, board_id, column_id, title, position, created_at, updated_at) VALUES ('crd_1', 'brd_a', 'col_1', 'Card', 1024, $1, $1)", [now]);
      await pool.query("DELETE FROM boards WHERE id = 'brd_a'");
      expect((await pool.query('SELECT count(*)::int AS n FROM cards')).rows[0].n).toBe(0);
    } finally {
      await close();
    }
  });

  it('a replica refuses a database migrated by a newer version, and says what to do', async (context) => {
    if (!available) return context.skip();
    const { pool, close } = await openPostgres(url);
    await pool.query("INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('from-the-future', $1)", [Date.now() + 365 * 24 * 3600 * 1000]);
    await close();
    const refused = openPostgres(url);
    await expect(refused).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(refused).rejects.toThrow(/newer than this version of kanban-mcp: run the newer version/);
  });
});
