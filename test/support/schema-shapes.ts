import { getTableName, is, SQL, Table, type Column } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgDialect, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteSyncDialect, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Engine } from '../../db/database.ts';

// A table as both engines can state it, for the schema-drift test: what its columns hold, and its
// keys, constraints and indexes, each written as one line so a difference reads plainly. From
// Drizzle's table config here (no database); from a migrated database in migrated-shapes.ts.

export interface ColumnShape {
  /** A neutral kind (text, integer, json...) between engines; the declared SQL type within one. */
  type: string;
  notNull: boolean;
  /** The default as SQL, without PostgreSQL's casts ('[]'::jsonb is '[]'), or null for none. */
  default: string | null;
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  /** "(board_id) → boards (id) on delete cascade on update no action", one per key. */
  foreignKeys: string[];
  /** Index name → "unique (a, b) partial": its columns, whether unique, whether it has a WHERE. */
  indexes: Record<string, string>;
  /** Unique constraints (as opposed to unique indexes), as "(a, b)": SQLite keeps no name for them. */
  uniqueConstraints: string[];
  /** Check constraints by name: their SQL differs between engines (length against char_length). */
  checks: string[];
}

export type SchemaShape = Record<string, TableShape>;

/**
 * Each engine's column classes as neutral kinds: SQLite keeps JSON as text, booleans as 0/1 and
 * moments as epoch milliseconds, PostgreSQL in jsonb, boolean and timestamptz(3). A class missing
 * here fails the test until it is given a kind.
 */
const KINDS: Record<string, (column: Column) => string> = {
  SQLiteText: () => 'text',
  SQLiteTextJson: () => 'json',
  SQLiteInteger: () => 'integer (64-bit)',
  SQLiteBoolean: () => 'boolean',
  SQLiteTimestamp: (column) => `timestamp (${(column as unknown as { mode: string }).mode === 'timestamp_ms' ? 'milliseconds' : 'seconds'})`,
  PgText: () => 'text',
  PgJsonb: () => 'json',
  PgBigInt53: () => 'integer (64-bit)',
  PgInteger: () => 'integer (32-bit)',
  PgBoolean: () => 'boolean',
  PgTimestamp: (column) => {
    const { precision, withTimezone } = column as unknown as { precision?: number; withTimezone: boolean };
    return `timestamp (${precision === 3 ? 'milliseconds' : `precision ${precision}`})${withTimezone ? '' : ' without time zone'}`;
  },
};

/** SQL without PostgreSQL's casts: '[]'::jsonb and 'private'::text say what '[]' and 'private' say. */
export function withoutCasts(text: string): string {
  return text.replace(/::[a-z ]+(\(\d+\))?/g, '');
}

/** A declared SQL type as both Drizzle and the catalogues spell it: "timestamp (3)" and "timestamp(3)" are one. */
export function sqlType(text: string): string {
  return text.toLowerCase().replace(/\s+\(/g, '(');
}

export function foreignKeyLine(columns: string[], foreignTable: string, foreignColumns: string[], onDelete = 'no action', onUpdate = 'no action'): string {
  return `(${columns.join(', ')}) → ${foreignTable} (${foreignColumns.join(', ')}) on delete ${onDelete.toLowerCase()} on update ${onUpdate.toLowerCase()}`;
}

export function indexLine(columns: string[], unique: boolean, partial: boolean): string {
  return `${unique ? 'unique ' : ''}(${columns.join(', ')})${partial ? ' partial' : ''}`;
}

/** What the two engines' table configs have in common, as read here. */
interface TableConfig {
  name: string;
  columns: Column[];
  primaryKeys: { columns: Column[] }[];
  foreignKeys: { reference(): { columns: Column[]; foreignTable: Table; foreignColumns: Column[] }; onDelete?: string | undefined; onUpdate?: string | undefined }[];
  indexes: { config: { name?: string | undefined; columns: unknown[]; unique: boolean; where?: unknown } }[];
  uniqueConstraints: { columns: Column[] }[];
  checks: { name: string }[];
}

const ENGINES = {
  sqlite: { isTable: (value: unknown) => is(value, SQLiteTable), config: (table: Table): TableConfig => sqliteTableConfig(table as SQLiteTable), dialect: new SQLiteSyncDialect() },
  postgres: { isTable: (value: unknown) => is(value, PgTable), config: (table: Table): TableConfig => pgTableConfig(table as PgTable), dialect: new PgDialect() },
};

function defaultOf(column: Column, render: (value: SQL) => string): string | null {
  if (!column.hasDefault) return null;
  const value: unknown = column.default;
  if (is(value, SQL)) return withoutCasts(render(value));
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  return String(value);
}

/**
 * The tables of one engine's schema module (db/sqlite/schema.ts or db/postgres/schema.ts), by SQL
 * name. `types`: neutral kinds, to compare the engines; or SQL types, to compare with a database.
 */
export function declaredShape(engine: Engine, schema: Record<string, unknown>, types: 'kinds' | 'sql'): SchemaShape {
  const { isTable, config, dialect } = ENGINES[engine];
  const render = (value: SQL) => dialect.sqlToQuery(value).sql;
  const shape: SchemaShape = {};
  for (const table of Object.values(schema).filter(isTable) as Table[]) {
    const { name, columns, primaryKeys, foreignKeys, indexes, uniqueConstraints, checks } = config(table);
    const typeOf = (column: Column) => {
      if (types === 'sql') return sqlType(column.getSQLType());
      const kind = KINDS[column.columnType];
      if (!kind) throw new Error(`${name}.${column.name} is a ${column.columnType}, which has no neutral kind: add it to KINDS in test/support/schema-shapes.ts`);
      // Drizzle's text enums are types only: their CHECK constraints are compared by name.
      return column.enumValues?.length ? `${kind(column)} (${column.enumValues.join(' | ')})` : kind(column);
    };
    shape[name] = {
      columns: Object.fromEntries(columns.map((column) => [column.name, { type: typeOf(column), notNull: column.notNull, default: defaultOf(column, render) }])),
      primaryKey: [...columns.filter((column) => column.primary), ...primaryKeys.flatMap((key) => key.columns)].map((column) => column.name),
      foreignKeys: foreignKeys
        .map((key) => {
          const reference = key.reference();
          return foreignKeyLine(reference.columns.map((column) => column.name), getTableName(reference.foreignTable), reference.foreignColumns.map((column) => column.name), key.onDelete, key.onUpdate);
        })
        .sort(),
      indexes: Object.fromEntries(indexes.map(({ config: index }) => [index.name ?? '(no name: drizzle-kit names it)', indexLine(index.columns.map((column) => (column as { name: string }).name), index.unique, index.where !== undefined)])),
      uniqueConstraints: [
        ...columns.filter((column) => column.isUnique).map((column) => `(${column.name})`),
        ...uniqueConstraints.map((unique) => `(${unique.columns.map((column) => column.name).join(', ')})`),
      ].sort(),
      checks: checks.map((check) => check.name).sort(),
    };
  }
  return shape;
}
