import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { adminQuery, TEST_DATABASE_PREFIX, TEST_ENGINE } from './test-database.ts';

// PostgreSQL runs: drop the per-folder databases of earlier runs before, and of this one after.
// Every run: drop after it the databases its files made on PostgreSQL whatever the engine
// (run-databases.ts), when the server answers; the files leave them, as a drop mid-suite stalls.
// Every run: remove the playground's per-process Vite caches (server/playground/router.ts) after,
// as vitest ends its worker processes without their exit handlers.

const TEST_OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

/** Drops every database whose name starts with `prefix`. */
async function dropTestDatabases(prefix: string): Promise<void> {
  const { rows } = await adminQuery(`SELECT datname FROM pg_database WHERE starts_with(datname, '${prefix}')`);
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

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runPrefix = `${TEST_DATABASE_PREFIX}run${randomBytes(4).toString('hex')}_`;
  project.provide('databaseRunPrefix', runPrefix);
  if (TEST_ENGINE !== 'postgres') {
    return async () => {
      removeViteCaches();
      // No server, nothing made on it: the files that need one skipped, saying so.
      await dropTestDatabases(runPrefix).catch(() => {});
    };
  }
  await dropTestDatabases(TEST_DATABASE_PREFIX);
  return async () => {
    await dropTestDatabases(TEST_DATABASE_PREFIX);
    removeViteCaches();
  };
}
