import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adminQuery, TEST_DATABASE_PREFIX, TEST_ENGINE } from './test-database.ts';

// PostgreSQL runs: drop the per-folder databases of earlier runs before, and of this one after.
// Every run: remove the playground's per-process Vite caches (server/playground/router.ts) after,
// as vitest ends its worker processes without their exit handlers.

const TEST_OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

async function dropTestDatabases(): Promise<void> {
  const { rows } = await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE '${TEST_DATABASE_PREFIX}%'`);
  for (const { datname } of rows as { datname: string }[]) await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
}

function removeViteCaches(): void {
  let entries: string[];
  try {
    entries = readdirSync(TEST_OUTPUT);
  } catch {
    return;
  }
  for (const entry of entries.filter((name) => name.startsWith('vite-playground-'))) rmSync(`${TEST_OUTPUT}${entry}`, { recursive: true, force: true });
}

export async function setup(): Promise<() => Promise<void>> {
  if (TEST_ENGINE !== 'postgres') return async () => removeViteCaches();
  await dropTestDatabases();
  return async () => {
    await dropTestDatabases();
    removeViteCaches();
  };
}
