import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

// Databases a test file makes on PostgreSQL whatever the run's engine (the replica and migration
// tests). The global teardown drops them (global-setup.ts), not the file: DROP DATABASE forces a
// checkpoint, and mid-suite that checkpoint flushed the whole server's dirty pages (26 s measured).
// Apart from test-database.ts, which also runs where vitest is not (global setup, pnpm bench).

declare module 'vitest' {
  interface ProvidedContext {
    /** TEST_DATABASE_PREFIX and this run's own mark (global-setup.ts). */
    databaseRunPrefix: string;
  }
}

/** A new database name of this run's, for `label`; unique per call, so a watch-mode rerun makes its own. */
export function runDatabaseName(label: string): string {
  const prefix = inject('databaseRunPrefix');
  if (!prefix) throw new Error('No run prefix: run the tests through test/vitest.config.ts, whose global setup provides it.');
  return `${prefix}${label}_${randomBytes(3).toString('hex')}`;
}
