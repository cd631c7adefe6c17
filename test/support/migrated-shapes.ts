import type { KanbanDatabase } from '../../db/database.ts';
import { foreignKeyLine, indexLine, sqlType, withoutCasts, type SchemaShape, type TableShape } from './schema-shapes.ts';

// A migrated database's tables as schema-shapes.ts states them, read from the engine's own
// catalogue (SQLite's pragmas, PostgreSQL's pg_catalog). Indexes are those CREATE INDEX made: the
// ones behind a primary key or a unique constraint are that key or constraint. Unique constraints
// are compared by columns only: SQLite does not keep their names.

function table(shape: SchemaShape, name: string): TableShape {
  shape[name] ??= { columns: {}, primaryKey: [], foreignKeys: [], indexes: {}, uniqueConstraints: [], checks: [] };
  return shape[name];
}

interface SqliteColumn { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }
interface SqliteIndex { name: string; unique: number; origin: 'c' | 'u' | 'pk'; partial: number }
interface SqliteForeignKey { id: number; table: string; from: string; to: string; on_update: string; on_delete: string }

async function sqliteShape(database: KanbanDatabase): Promise<SchemaShape> {
  const shape: SchemaShape = {};
  const tables = await database.query<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table'");
  for (const { name, sql } of tables.filter((row) => !row.name.startsWith('sqlite_') && !row.name.startsWith('__drizzle'))) {
    const shaped = table(shape, name);
    const columns = await database.query<SqliteColumn>(`PRAGMA table_info("${name}")`);
    for (const column of columns) shaped.columns[column.name] = { type: sqlType(column.type), notNull: column.notnull === 1, default: column.dflt_value };
    shaped.primaryKey = columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name);
    for (const index of await database.query<SqliteIndex>(`PRAGMA index_list("${name}")`)) {
      const indexed = (await database.query<{ name: string }>(`PRAGMA index_info("${index.name}")`)).map((column) => column.name);
      if (index.origin === 'c') shaped.indexes[index.name] = indexLine(indexed, index.unique === 1, index.partial === 1);
      if (index.origin === 'u') shaped.uniqueConstraints.push(`(${indexed.join(', ')})`);
    }
    // One row per column of a key: grouped by the key's id.
    const keys = new Map<number, SqliteForeignKey[]>();
    for (const part of await database.query<SqliteForeignKey>(`PRAGMA foreign_key_list("${name}")`)) keys.set(part.id, [...(keys.get(part.id) ?? []), part]);
    shaped.foreignKeys = [...keys.values()].map((parts) => foreignKeyLine(parts.map((part) => part.from), parts[0]!.table, parts.map((part) => part.to), parts[0]!.on_delete, parts[0]!.on_update));
    shaped.checks = [...(sql ?? '').matchAll(/CONSTRAINT "(\w+)" CHECK/g)].map((match) => match[1]!);
  }
  return shape;
}

/** The names of a key's columns in order, from an array of attribute numbers (`numbers`) of `relation`. */
const attributeNames = (numbers: string, relation: string) =>
  `(SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(${numbers}) WITH ORDINALITY k(num, ord) JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.num)`;
const ON_ACTIONS: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

async function postgresShape(database: KanbanDatabase): Promise<SchemaShape> {
  const shape: SchemaShape = {};
  const columns = await database.query<{ table: string; name: string; type: string; not_null: number; default: string | null }>(`
    SELECT c.relname AS "table", a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS "default"
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum`);
  for (const column of columns) table(shape, column.table).columns[column.name] = { type: sqlType(column.type), notNull: column.not_null === 1, default: column.default === null ? null : withoutCasts(column.default) };
  const constraints = await database.query<{ table: string; name: string; kind: string; columns: string; foreign_table: string | null; foreign_columns: string | null; on_delete: string; on_update: string }>(`
    SELECT t.relname AS "table", c.conname AS name, c.contype::text AS kind, ${attributeNames('c.conkey', 'c.conrelid')} AS columns,
      f.relname AS foreign_table, ${attributeNames('c.confkey', 'c.confrelid')} AS foreign_columns, c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class f ON f.oid = c.confrelid
    WHERE t.relnamespace = 'public'::regnamespace`);
  for (const constraint of constraints) {
    const shaped = table(shape, constraint.table);
    const keyColumns = constraint.columns.split(',');
    if (constraint.kind === 'p') shaped.primaryKey = keyColumns;
    if (constraint.kind === 'u') shaped.uniqueConstraints.push(`(${keyColumns.join(', ')})`);
    if (constraint.kind === 'c') shaped.checks.push(constraint.name);
    if (constraint.kind === 'f') shaped.foreignKeys.push(foreignKeyLine(keyColumns, constraint.foreign_table!, constraint.foreign_columns!.split(','), ON_ACTIONS[constraint.on_delete], ON_ACTIONS[constraint.on_update]));
  }
  const indexes = await database.query<{ table: string; name: string; unique: number; partial: number; columns: string }>(`
    SELECT t.relname AS "table", i.relname AS name, x.indisunique AS "unique", x.indpred IS NOT NULL AS partial, ${attributeNames('x.indkey::int2[]', 't.oid')} AS columns
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relnamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`);
  for (const index of indexes) table(shape, index.table).indexes[index.name] = indexLine(index.columns.split(','), index.unique === 1, index.partial === 1);
  return shape;
}

/** The tables of a migrated database, its keys, constraints and indexes in the order schema-shapes.ts gives them. */
export async function migratedShape(database: KanbanDatabase): Promise<SchemaShape> {
  const shape = database.engine === 'sqlite' ? await sqliteShape(database) : await postgresShape(database);
  for (const shaped of Object.values(shape)) {
    shaped.foreignKeys.sort();
    shaped.uniqueConstraints.sort();
    shaped.checks.sort();
  }
  return shape;
}
