import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { DATABASE_FREE_FILES } from '../database-free.ts';

// A setup file (test/vitest.config.ts): before each test file, says whether it is one the
// PostgreSQL run leaves out, for test-database.ts to refuse it a database. An environment
// variable, as test-database.ts also runs where vitest cannot be imported (global setup, pnpm bench).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const file = relative(ROOT, expect.getState().testPath ?? '');
if ((DATABASE_FREE_FILES as readonly string[]).includes(file)) process.env.KANBAN_DATABASE_FREE_FILE = file;
else delete process.env.KANBAN_DATABASE_FREE_FILE;
