import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type * as schema from './postgres/schema.ts';

// The types the app's queries are type-checked with. Drizzle has no builder type common to its
// dialects, so this one place picks PostgreSQL's, async only (no .get/.all/.run): SQLite's
// builders, awaited, behave the same at run time. What keeps that true is tested, not typed: both
// schemas declare the same tables (test/schema-drift.test.ts), and both engines pass one set of
// storage cases (test/storage-conformance.test.ts). Nothing but db/database.ts imports this.

export type Db = PgDatabase<NodePgQueryResultHKT, typeof schema>;
export type Tables = typeof schema;
