import { defineConfig } from 'drizzle-kit';

// `pnpm db:generate:pg` writes a PostgreSQL migration under db/pg/migrations after db/pg/schema.ts
// changes (keep it in step with db/schema.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/pg/schema.ts',
  out: './db/pg/migrations',
});
