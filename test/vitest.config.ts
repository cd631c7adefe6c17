import { configDefaults, defineConfig } from 'vitest/config';
import { DATABASE_FREE_FILES } from './database-free.ts';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // The PostgreSQL run leaves out the files that never ask for a test database: `pnpm test` runs them once.
    exclude: process.env.TEST_ENGINE === 'postgres' ? [...configDefaults.exclude, ...DATABASE_FREE_FILES] : configDefaults.exclude,
    // Every test starts real servers on loopback and spawns real processes: give them room.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits on real round trips through servers and browsers on a shared machine.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // TEST_ENGINE=postgres: per-test databases are dropped before and after the run.
    globalSetup: ['test/support/global-setup.ts'],
    // Refuses a database to the files the PostgreSQL run leaves out (test/database-free.ts).
    setupFiles: ['test/support/database-free-guard.ts'],
    // On CI, also a JSON report: .ci/run counts passed and failed tests from it.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: process.env.TEST_ENGINE === 'postgres' ? 'test-output/vitest-postgres.json' : 'test-output/vitest.json' },
  },
});
