import { describeStorageConformance } from './support/storage-conformance.ts';
import { openTestDatabase, TEST_ENGINE } from './support/test-database.ts';

// The storage conformance suite (test/support/storage-conformance.ts) on this run's engine
// (TEST_ENGINE): the suite runs once per engine, as every file that touches a database does, so
// each engine's run holds it to the same cases and a run without PostgreSQL still checks SQLite.

/** A short statement timeout on PostgreSQL: the busy case waits for it (SQLite's is fixed, 2 s). */
const STATEMENT_TIMEOUT_MS = 1000;

describeStorageConformance(TEST_ENGINE, (dataDir) => openTestDatabase(dataDir, { statementTimeoutMs: STATEMENT_TIMEOUT_MS }));
