import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { makeDataDir, removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { TEST_ENGINE } from '../support/test-database.ts';

// RV-12: DATA_DIR and the SQLite files in it hold the issuer's signing keys and password hashes:
// the directory is made 0700, the database, its -wal and -shm files and every backup are 0600.
// PostgreSQL keeps no file of ours (and db:backup copies SQLite only): these run on SQLite.

const sqliteOnly = describe.skipIf(TEST_ENGINE !== 'sqlite');
const modeOf = (path: string) => statSync(path).mode & 0o777;
const DATABASE_FILES = ['kanban.sqlite', 'kanban.sqlite-wal', 'kanban.sqlite-shm'];

const cleanup: string[] = [];
const servers: RunningKanban[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of cleanup.splice(0)) removeDataDir(dir);
});

async function started(dataDir: string): Promise<RunningKanban> {
  const server = await startKanban({ dataDir, env: { LOG_LEVEL: 'silent' } });
  servers.push(server);
  return server;
}

/** The Node warnings emitted while `work` runs. */
async function warningsDuring(work: () => Promise<unknown>): Promise<(Error & { code?: string })[]> {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  try {
    await work();
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}

sqliteOnly('files on disk (RV-12)', () => {
  it('a new DATA_DIR is made 0700, and the database with its -wal and -shm files 0600', async () => {
    const parent = makeDataDir();
    cleanup.push(parent);
    const dataDir = join(parent, 'new', 'data');
    const warnings = await warningsDuring(() => started(dataDir));
    expect(modeOf(dataDir).toString(8)).toBe('700');
    expect(modeOf(join(parent, 'new')).toString(8)).toBe('700');
    for (const file of DATABASE_FILES) {
      expect(existsSync(join(dataDir, file)), file).toBe(true);
      expect(modeOf(join(dataDir, file)).toString(8), file).toBe('600');
    }
    expect(warnings).toEqual([]);
  });

  it('database files left readable by others are made 0600 again at the next start', async () => {
    const dataDir = makeDataDir();
    cleanup.push(dataDir);
    await (await started(dataDir)).stop();
    servers.length = 0;
    for (const file of DATABASE_FILES) if (existsSync(join(dataDir, file))) chmodSync(join(dataDir, file), 0o644);
    await started(dataDir);
    for (const file of DATABASE_FILES) expect(modeOf(join(dataDir, file)).toString(8), file).toBe('600');
  });

  it('an existing DATA_DIR open to others is left as it is, with a warning naming it', async () => {
    const dataDir = makeDataDir();
    cleanup.push(dataDir);
    chmodSync(dataDir, 0o755);
    const warnings = await warningsDuring(() => started(dataDir));
    expect(modeOf(dataDir).toString(8)).toBe('755');
    expect(warnings.map((warning) => [warning.code, warning.message])).toEqual([
      ['KANBAN_DATA_DIR_MODE', `${dataDir} (DATA_DIR) is readable by other accounts (mode 755): its database files are kept 0600, but chmod 700 it unless you share it on purpose.`],
    ]);
    expect(modeOf(join(dataDir, 'kanban.sqlite')).toString(8)).toBe('600');
  });

  it('pnpm db:backup writes its copy 0600, and still never overwrites a file', async () => {
    const dataDir = makeDataDir();
    cleanup.push(dataDir);
    await started(dataDir);
    const backups = join(dataDir, 'backups');
    mkdirSync(backups);
    const target = join(backups, 'copy.sqlite');
    const run = await runCli('backup', [target], dataDir);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(modeOf(target).toString(8)).toBe('600');
    const again = await runCli('backup', [target], dataDir);
    expect(again).toEqual({ code: 1, stdout: '', stderr: `kanban-mcp: ${target} exists already: name a new file (a backup never overwrites one).\n` });
    expect(modeOf(target).toString(8)).toBe('600');
  });
});
