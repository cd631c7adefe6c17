import { defineConfig } from 'drizzle-kit';

// `pnpm db:generate` writes a SQLite migration under db/sqlite/migrations after db/sqlite/schema.ts
// changes, and the PostgreSQL one beside it (db/postgres/drizzle.config.ts). The server applies
// pending migrations at start (db/sqlite/client.ts).
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/sqlite/schema.ts',
  out: './db/sqlite/migrations',
});
