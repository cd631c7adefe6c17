import { join } from 'node:path';
import { openKanbanDatabase } from '../db/open.ts';
import { describeStorageConformance } from './support/storage-conformance.ts';
import { databaseEnv, TEST_ENGINE } from './support/test-database.ts';

// The storage conformance suite (test/support/storage-conformance.ts) on this run's engine
// (TEST_ENGINE): the suite runs once per engine, as every file that touches a database does, so
// each engine's run holds it to the same cases and a run without PostgreSQL still checks SQLite.

/** A short statement timeout on PostgreSQL: the busy case waits for it (SQLite's is fixed, 2 s). */
const STATEMENT_TIMEOUT_MS = 1000;

describeStorageConformance(TEST_ENGINE, async (dataDir) => {
  const env = await databaseEnv(dataDir);
  return openKanbanDatabase({ databaseFile: join(dataDir, 'kanban.sqlite'), databaseUrl: env.DATABASE_URL, databasePoolSize: 3, databaseStatementTimeoutMs: STATEMENT_TIMEOUT_MS });
});
