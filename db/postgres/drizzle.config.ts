import { defineConfig } from 'drizzle-kit';

// `pnpm db:generate` writes a PostgreSQL migration under db/postgres/migrations after db/postgres/schema.ts
// changes, and the SQLite one beside it (db/sqlite/drizzle.config.ts): change both schemas together.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/postgres/schema.ts',
  out: './db/postgres/migrations',
});
