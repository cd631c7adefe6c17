import { adminQuery, TEST_DATABASE_PREFIX, TEST_ENGINE } from './test-database.ts';

// PostgreSQL runs: drop the per-folder databases of earlier runs before, and of this one after.
async function dropTestDatabases(): Promise<void> {
  const { rows } = await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE '${TEST_DATABASE_PREFIX}%'`);
  for (const { datname } of rows as { datname: string }[]) await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
}

export async function setup(): Promise<() => Promise<void>> {
  if (TEST_ENGINE !== 'postgres') return async () => {};
  await dropTestDatabases();
  return dropTestDatabases;
}
