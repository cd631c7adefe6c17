import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

// The SQLite file holds the issuer's signing keys, password hashes and everyone's boards: only the
// account running kanban-mcp may read it (CWE-276). SQLite creates files 0644 (less the umask), and
// gives a database's -wal, -shm and -journal files the mode of the database file itself.

const OWNER_ONLY_FILE = 0o600;
const OWNER_ONLY_DIR = 0o700;

/**
 * DATA_DIR, made 0700 if missing. One that exists with access for others is left as it is (it may
 * be a folder the operator shares on purpose, or their home), with a warning: the files in it are 0600.
 */
export function ownerOnlyDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    process.emitWarning(`${dir} (DATA_DIR) is readable by other accounts (mode ${mode.toString(8)}): its database files are kept 0600, but chmod 700 it unless you share it on purpose.`, { code: 'KANBAN_DATA_DIR_MODE' });
  }
}

/**
 * The database file (made empty, 0600, when new: an empty file is a new SQLite database, and
 * SQLite then makes its -wal and -shm files 0600 too), and those of its files that exist, set 0600.
 */
export function ownerOnlyFiles(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', OWNER_ONLY_FILE));
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(path) && (statSync(path).mode & 0o077) !== 0) chmodSync(path, OWNER_ONLY_FILE);
  }
}

/** A new file only the owner can read, for SQLite to write a copy into; refuses an existing one. */
export function createOwnerOnlyFile(file: string): void {
  closeSync(openSync(file, 'wx', OWNER_ONLY_FILE));
}
