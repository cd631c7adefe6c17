// Test files that never ask for a test database (test/support/test-database.ts refuses them one,
// so a file that starts to need one fails until it leaves this list). Whatever they start runs the
// same on either engine, so `pnpm test:postgres` leaves them to `pnpm test`, which runs them once.
export const DATABASE_FREE_FILES = [
  'test/bench-smoke.test.ts',
  'test/config.test.ts',
  'test/dev-runner.test.ts',
  'test/http-timeouts.test.ts',
  'test/logger.test.ts',
  'test/readme-walkthrough.test.ts',
  'test/token-memory.test.ts',
  'test/widget-csp.test.ts',
  'test/widget-source.test.ts',
] as const;
