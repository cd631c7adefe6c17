import { defineConfig } from 'drizzle-kit';

// `pnpm db:generate` writes a new SQL migration under db/migrations after db/schema.ts changes;
// the server applies pending migrations at start (db/client.ts).
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema.ts',
  out: './db/migrations',
});
