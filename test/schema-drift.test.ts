import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AccountRow, BoardRow, CardRow, ColumnRow, Engine, OAuthRow } from '../db/database.ts';
import * as postgresSchema from '../db/postgres/schema.ts';
import * as sqliteSchema from '../db/sqlite/schema.ts';
import { makeDataDir, removeDataDir } from './support/kanban-server.ts';
import { migratedShape } from './support/migrated-shapes.ts';
import { declaredShape, type SchemaShape } from './support/schema-shapes.ts';
import { openTestDatabase, TEST_ENGINE } from './support/test-database.ts';

// The two engines' schemas stay alike (db/sqlite/schema.ts and db/postgres/schema.ts): the app's
// rules run on either through one face (db/database.ts). First the schema modules, compared through
// Drizzle's table configs with no database; then this run's migrated database against its own
// schema module, so a migration that is not what schema.ts says fails too. Together they compare
// the two engines' migrated databases, each checked in its own run.

const SCHEMAS = { sqlite: sqliteSchema, postgres: postgresSchema };

/** What one engine's schema.ts has and the other's must not be asked for, and why. */
const ONE_ENGINE_ONLY: Record<Engine, { tables: string[]; indexes: string[] }> = {
  // Request budgets shared by replicas (server/rate-limits/postgres-store.ts); one SQLite process counts in memory.
  // search_cards' trigram index (pg_trgm); SQLite's is an FTS5 table, made by its migrations alone (below).
  postgres: { tables: ['rate_limit_hits'], indexes: ['cards.cards_search_text_trigram_idx'] },
  sqlite: { tables: [], indexes: [] },
};

/** What an engine's migrations make beyond its schema.ts: SQLite's FTS5 table for search_cards (migration 0006), and the tables FTS5 keeps it in. */
const MIGRATIONS_ONLY: Record<Engine, string[]> = {
  sqlite: ['cards_search', 'cards_search_config', 'cards_search_data', 'cards_search_docsize', 'cards_search_idx'],
  postgres: [],
};

/** The schema without what ONE_ENGINE_ONLY lists as its engine's own. */
function shared(shape: SchemaShape, engine: Engine): SchemaShape {
  const { tables, indexes } = ONE_ENGINE_ONLY[engine];
  return Object.fromEntries(
    Object.entries(shape)
      .filter(([name]) => !tables.includes(name))
      .map(([name, table]) => [name, { ...table, indexes: Object.fromEntries(Object.entries(table.indexes).filter(([index]) => !indexes.includes(`${name}.${index}`))) }]),
  );
}

const declared = { sqlite: declaredShape('sqlite', SCHEMAS.sqlite, 'kinds'), postgres: declaredShape('postgres', SCHEMAS.postgres, 'kinds') };
const sharedTables = Object.keys(shared(declared.sqlite, 'sqlite')).sort();

describe('db/sqlite/schema.ts and db/postgres/schema.ts', () => {
  it("declare the same tables, beyond those listed as one engine's own", () => {
    expect(sharedTables).not.toHaveLength(0);
    expect(Object.keys(shared(declared.postgres, 'postgres')).sort()).toEqual(sharedTables);
  });

  it.each(sharedTables)('declare %s alike: its columns (neutral kinds, nullability, defaults), keys, constraints and indexes', (table) => {
    expect(shared(declared.postgres, 'postgres')[table], `db/postgres/schema.ts's ${table} (received) against db/sqlite/schema.ts's (expected)`).toEqual(shared(declared.sqlite, 'sqlite')[table]);
  });

  it.each(['sqlite', 'postgres'] as const)("list as %s's own only tables and indexes it declares and the other engine does not", (engine) => {
    const other = engine === 'sqlite' ? 'postgres' : 'sqlite';
    const indexesOf = (shape: SchemaShape) => Object.entries(shape).flatMap(([name, table]) => Object.keys(table.indexes).map((index) => `${name}.${index}`));
    const { tables, indexes } = ONE_ENGINE_ONLY[engine];
    expect({ tables: tables.filter((name) => name in declared[engine]), indexes: indexes.filter((index) => indexesOf(declared[engine]).includes(index)) }).toEqual({ tables, indexes });
    expect({ tables: tables.filter((name) => name in declared[other]), indexes: indexes.filter((index) => indexesOf(declared[other]).includes(index)) }).toEqual({ tables: [], indexes: [] });
  });
});

/** The rows the app reads, by the table they come from (db/rows.ts). */
interface AppRows {
  boards: BoardRow;
  columns: ColumnRow;
  cards: CardRow;
  accounts: AccountRow;
  oauthStore: OAuthRow;
}

/** The same tables' rows as one engine's schema.ts gives them. */
type RowsOf<Schema extends Record<keyof AppRows, { $inferSelect: unknown }>> = { [Table in keyof AppRows]: Schema[Table]['$inferSelect'] };

// Checked by the type checker (pnpm test runs it first): a column whose type drifts on one engine
// fails on that engine's line.
describe('the rows the app reads (db/rows.ts)', () => {
  it("are exactly what each engine's schema.ts gives", () => {
    expectTypeOf<RowsOf<typeof sqliteSchema>>().toEqualTypeOf<AppRows>();
    expectTypeOf<RowsOf<typeof postgresSchema>>().toEqualTypeOf<AppRows>();
    const tables: (keyof AppRows)[] = ['boards', 'columns', 'cards', 'accounts', 'oauthStore'];
    for (const schema of Object.values(SCHEMAS)) expect(Object.keys(schema)).toEqual(expect.arrayContaining(tables));
  });
});

describe(`the migrated ${TEST_ENGINE} database`, () => {
  it(`is what db/${TEST_ENGINE}/schema.ts declares (SQL types, nullability, defaults, keys, constraints, indexes), with its migrations' own tables`, async () => {
    const dataDir = makeDataDir();
    const database = await openTestDatabase(dataDir);
    try {
      const migrated = await migratedShape(database);
      const own = MIGRATIONS_ONLY[TEST_ENGINE];
      expect(own.filter((name) => name in migrated)).toEqual(own);
      const checked = Object.fromEntries(Object.entries(migrated).filter(([name]) => !own.includes(name)));
      expect(checked, `the migrated database (received) against db/${TEST_ENGINE}/schema.ts (expected)`).toEqual(declaredShape(TEST_ENGINE, SCHEMAS[TEST_ENGINE], 'sql'));
    } finally {
      await database.close();
      removeDataDir(dataDir);
    }
  });
});
