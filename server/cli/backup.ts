import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { createOwnerOnlyFile } from '../../db/file-modes.ts';
import { loadConfig } from '../config.ts';
import { CommandError, requireServerDatabase, runCommand } from './command.ts';

// `pnpm db:backup FILE`: a consistent copy of the database while the server runs, through
// SQLite's online backup API (a file copy of a WAL database can be torn). The copy is checked
// before the command says it is done.

const HELP = `Usage:
  pnpm db:backup <file>   copy the server's database (DATA_DIR, default ./data) to <file>,
                          consistent even while the server is running and writing

Restore: stop the server, put the copy in place of DATA_DIR/kanban.sqlite (and remove its
-wal and -shm files), start the server.`;

await runCommand({
  help: HELP,
  async run({ positionals }) {
    const [target] = positionals;
    if (!target || positionals.length !== 1) throw new CommandError(`Name the file to write.\n\n${HELP}`, 2);
    const destination = resolve(target);
    const config = loadConfig();
    if (config.databaseUrl !== undefined) throw new CommandError('DATABASE_URL is set: back up PostgreSQL with its own tools (pg_dump, or your provider\'s snapshots); this command copies the SQLite file.');
    requireServerDatabase(config);
    // Made here, 0600 (the copy holds the signing keys; SQLite would make it 0644), and only if new.
    try {
      createOwnerOnlyFile(destination);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CommandError(`${destination} exists already: name a new file (a backup never overwrites one).`);
      throw new CommandError(`cannot create ${destination}: ${(error as Error).message}`);
    }
    let source: Database.Database | undefined;
    let done = false;
    try {
      // Read-only, and no migrations: a backup copies the database as it is.
      source = new Database(config.databaseFile, { readonly: true, fileMustExist: true, timeout: 5000 });
      const started = Date.now();
      // After the first step, all pages in one step: a backup in small steps restarts whenever
      // the server writes between them, and under steady writes would never finish.
      await source.backup(destination, { progress: () => 0x7fffffff });
      const copy = new Database(destination, { fileMustExist: true });
      try {
        // One self-contained file: no -wal or -shm next to it.
        copy.pragma('journal_mode = DELETE');
        const integrity = copy.pragma('integrity_check', { simple: true });
        if (integrity !== 'ok') throw new CommandError(`the copy at ${destination} failed its integrity check (${String(integrity)}); the source may be damaged.`);
        const count = (table: string) => (copy.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
        process.stdout.write(
          `Backed up ${config.databaseFile} to ${destination} in ${Date.now() - started} ms: integrity ok, ` +
            `${count('boards')} boards, ${count('cards')} cards, ${count('accounts')} accounts.\n`,
        );
        done = true;
      } finally {
        copy.close();
      }
    } finally {
      source?.close();
      // A copy that did not finish or failed its check must not block the next try.
      if (!done) for (const file of [destination, `${destination}-wal`, `${destination}-shm`]) rmSync(file, { force: true });
    }
  },
});
