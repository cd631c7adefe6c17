import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/sqlite/client.ts';
import { DEMO_BOARDS, seedDemoBoards } from '../db/seed.ts';
import { connectClient, makeDataDir, removeDataDir, startKanban } from './support/kanban-server.ts';
import { TEST_ENGINE } from './support/test-database.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = makeDataDir();
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDataDir(dir);
});

const demoCardCount = DEMO_BOARDS.flatMap((board) => board.columns.flatMap((column) => column.cards)).length;

// The SQLite file itself; PostgreSQL's schema and migrations: postgres-schema.test.ts.
describe.skipIf(TEST_ENGINE !== 'sqlite')('the SQLite database', () => {
  it('is created under DATA_DIR with WAL, foreign keys and a busy timeout', async () => {
    const file = join(tempDir(), 'nested', 'kanban.sqlite');
    const { sqlite, close } = openDatabase(file);
    try {
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
      expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      await close();
    }
  });

  it('applies migrations once: reopening is a no-op that keeps the data', async () => {
    const file = join(tempDir(), 'kanban.sqlite');
    const first = openDatabase(file);
    await seedDemoBoards(first);
    const migrations = await first.query('select count(*) as n from __drizzle_migrations');
    await first.close();
    const second = openDatabase(file);
    try {
      expect(await second.query('select count(*) as n from __drizzle_migrations')).toEqual(migrations);
      expect(await second.query('select count(*) as n from boards')).toEqual([{ n: DEMO_BOARDS.length }]);
    } finally {
      await second.close();
    }
  });

  it('seeds the demo boards once, whichever connection to the file seeds first', async () => {
    const file = join(tempDir(), 'kanban.sqlite');
    const a = openDatabase(file);
    const b = openDatabase(file);
    try {
      // One after the other: two connections of one process must not hold write transactions at
      // once (a busy wait would block the event loop the other needs to commit). Replicas racing
      // to seed PostgreSQL: replicas.test.ts.
      const inserted = [await seedDemoBoards(a), await seedDemoBoards(b), await seedDemoBoards(a)];
      expect(inserted.sort()).toEqual([0, 0, DEMO_BOARDS.length]);
      expect(await b.query('select count(*) as n from boards where owner_sub is null')).toEqual([{ n: DEMO_BOARDS.length }]);
      expect(await b.query('select count(*) as n from cards')).toEqual([{ n: demoCardCount }]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('enforces the schema backstops: cascades and length checks', async () => {
    const database = openDatabase(join(tempDir(), 'kanban.sqlite'));
    const { sqlite } = database;
    try {
      await seedDemoBoards(database);
      expect(() => sqlite.prepare("update cards set title = '' where rowid = (select min(rowid) from cards)").run()).toThrow(/CHECK constraint failed: cards_title_length/);
      expect(() => sqlite.prepare("insert into cards (id, board_id, column_id, title, position, created_at, updated_at) values ('crd_x', 'brd_missing', 'col_missing', 't', 1, 0, 0)").run()).toThrow(/FOREIGN KEY/);
      sqlite.prepare('delete from boards').run();
      expect(await database.query('select count(*) as n from cards')).toEqual([{ n: 0 }]);
    } finally {
      await database.close();
    }
  });
});

describe('restarting the server on the same data dir', () => {
  it('keeps the boards and their ids, and does not seed twice', async () => {
    const dataDir = tempDir();
    const listIds = async () => {
      const kanban = await startKanban({ dataDir });
      const client = await connectClient(kanban.mcpUrl);
      try {
        const result = await client.callTool({ name: 'list_boards', arguments: {} });
        return (result.structuredContent as { boards: { id: string }[] }).boards.map((board) => board.id);
      } finally {
        await client.close();
        await kanban.stop();
      }
    };
    const before = await listIds();
    const after = await listIds();
    expect(before).toHaveLength(DEMO_BOARDS.length);
    expect(after).toEqual(before);
  });
});
