import { join } from 'node:path';
import { count, isNull } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.ts';
import { boards, cards } from '../db/schema.ts';
import { DEMO_BOARDS, seedDemoBoards } from '../db/seed.ts';
import { connectClient, makeDataDir, removeDataDir, startKanban } from './support/kanban-server.ts';

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

describe('the SQLite database', () => {
  it('is created under DATA_DIR with WAL, foreign keys and a busy timeout', () => {
    const file = join(tempDir(), 'nested', 'kanban.sqlite');
    const { sqlite, close } = openDatabase(file);
    try {
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
      expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      close();
    }
  });

  it('applies migrations once: reopening is a no-op that keeps the data', () => {
    const file = join(tempDir(), 'kanban.sqlite');
    const first = openDatabase(file);
    seedDemoBoards(first.db);
    const migrations = first.sqlite.prepare('select count(*) as n from __drizzle_migrations').get();
    first.close();
    const second = openDatabase(file);
    try {
      expect(second.sqlite.prepare('select count(*) as n from __drizzle_migrations').get()).toEqual(migrations);
      expect(second.db.select({ n: count() }).from(boards).get()!.n).toBe(DEMO_BOARDS.length);
    } finally {
      second.close();
    }
  });

  it('seeds the demo boards once, even when two connections race to seed', () => {
    const file = join(tempDir(), 'kanban.sqlite');
    const a = openDatabase(file);
    const b = openDatabase(file);
    try {
      const inserted = [seedDemoBoards(a.db), seedDemoBoards(b.db), seedDemoBoards(a.db)];
      expect(inserted.sort()).toEqual([0, 0, DEMO_BOARDS.length]);
      expect(b.db.select({ n: count() }).from(boards).where(isNull(boards.ownerSub)).get()!.n).toBe(DEMO_BOARDS.length);
      expect(b.db.select({ n: count() }).from(cards).get()!.n).toBe(demoCardCount);
    } finally {
      a.close();
      b.close();
    }
  });

  it('enforces the schema backstops: cascades and length checks', () => {
    const { db, sqlite, close } = openDatabase(join(tempDir(), 'kanban.sqlite'));
    try {
      seedDemoBoards(db);
      expect(() => sqlite.prepare("update cards set title = '' where rowid = (select min(rowid) from cards)").run()).toThrow(/CHECK constraint failed: cards_title_length/);
      expect(() => sqlite.prepare("insert into cards (id, board_id, column_id, title, position, created_at, updated_at) values ('crd_x', 'brd_missing', 'col_missing', 't', 1, 0, 0)").run()).toThrow(/FOREIGN KEY/);
      sqlite.prepare('delete from boards').run();
      expect(db.select({ n: count() }).from(cards).get()!.n).toBe(0);
    } finally {
      close();
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
