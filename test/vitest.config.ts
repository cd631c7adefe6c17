import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { DATABASE_FREE_FILES } from './database-free.ts';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // The PostgreSQL run leaves out the files that never ask for a test database: `pnpm test` runs them once.
    exclude: process.env.TEST_ENGINE === 'postgres' ? [...configDefaults.exclude, ...DATABASE_FREE_FILES] : configDefaults.exclude,
    // Every test starts real servers on loopback and spawns real processes: give them room. A guard
    // against hangs, not a speed check: on a slow 2-core machine with 4 workers, tests that start a
    // few operator commands took 25–30 s (each Node process takes 1–2 s to load its modules there).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits on real round trips through servers and browsers on a shared machine.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // Most of a test's time is spent waiting on servers, processes and browsers, not computing: on a
    // 2-core machine 4 workers took the SQLite suite from 244 s to 147 s and PostgreSQL's from
    // 253 s to 147 s, every test passing.
    maxWorkers: Math.max(4, availableParallelism()),
    // A worker's modules are loaded once for all the files it runs, not once per file: loading the
    // SDK, oidc-provider and the app again for every file was a third of the suite's CPU time
    // (same run, same machine, SQLite: 373 s of CPU and 378 s of wall time isolated, 201 s and
    // 244 s not). Each file still starts its own servers and data; what a file sets in process.env it puts back.
    isolate: false,
    // TEST_ENGINE=postgres: per-test databases are dropped before and after the run; every run: the
    // databases its files made on PostgreSQL whatever the engine (run-databases.ts), after it.
    globalSetup: ['test/support/global-setup.ts'],
    // Refuses a database to the files the PostgreSQL run leaves out (test/database-free.ts).
    setupFiles: ['test/support/database-free-guard.ts'],
    // On CI, also a JSON report: .ci/run counts passed and failed tests from it.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: process.env.TEST_ENGINE === 'postgres' ? 'test-output/vitest-postgres.json' : 'test-output/vitest.json' },
  },
});
