import { count, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseErrorCode, isDatabaseBusy, isUniqueViolation, type Engine, type KanbanDatabase } from '../../db/database.ts';
import { makeDataDir, removeDataDir } from './kanban-server.ts';
import { describeTextConformance } from './storage-conformance-text.ts';
import { boardRow, boardTitles, boardWithColumn, columnRow, countRows } from './storage-rows.ts';

// What every storage engine behind KanbanDatabase (db/database.ts) must do for the app's rules to
// hold, written once and run against each engine (in the spirit of cloudflare/workers-oauth-provider's
// storage/testing/conformance.ts). Each case asserts through the neutral face only: the real tables
// through Drizzle, the dialect's SQL, the neutral error helpers. Text, JSON and order:
// storage-conformance-text.ts.

/** Opens (migrating if needed) the store of a data folder; opened twice, two connections to one store. */
export type OpenStore = (dataDir: string) => Promise<KanbanDatabase>;

/** The store a case runs on: fresh for each case. */
export interface StoreUnderTest {
  readonly database: KanbanDatabase;
  /** Another connection to the same data, as a second replica (or another process) would have. */
  another(): Promise<KanbanDatabase>;
}

/**
 * What each engine does with NUL (U+0000) in text, in JSON and in a parameter: PostgreSQL refuses
 * it (its text cannot hold one: 22021, and jsonb: 22P05), SQLite keeps it whole. The app refuses NUL
 * before any database call (server/mcp/tools/schemas.ts, the issuer's adapter and accounts) because
 * the engines differ; what neither may do is cut the text short or store something else.
 */
const NUL_TITLE = 'before\0after';
const NUL_OUTCOMES: Record<Engine, Record<'text' | 'json' | 'parameter', unknown>> = {
  sqlite: { text: [NUL_TITLE], json: { uid: NUL_TITLE }, parameter: [{ id: 'whole' }] },
  postgres: { text: 'refused: 22021', json: 'refused: 22P05', parameter: 'refused: 22021' },
};

/** Concurrent writes in the queue cases: enough to collide, few enough for SERIALIZABLE's retries. */
const CONCURRENT_WRITES = 6;

export function describeStorageConformance(name: string, open: OpenStore): void {
  describe(`storage conformance: ${name}`, () => {
    let dataDir = '';
    let opened: KanbanDatabase[] = [];
    const store: StoreUnderTest = {
      get database() {
        return opened[0]!;
      },
      async another() {
        const database = await open(dataDir);
        opened.push(database);
        return database;
      },
    };
    beforeEach(async () => {
      dataDir = makeDataDir();
      opened = [await open(dataDir)];
    });
    afterEach(async () => {
      for (const database of opened.reverse()) await database.close();
      removeDataDir(dataDir);
    });

    describeTransactions(store);
    describeNul(store);
    describeTextConformance(store);
  });
}

function describeTransactions(store: StoreUnderTest): void {
  describe('transactions, queues and busy', () => {
    it('a write commits all its statements together, and the next read sees them', async () => {
      const { database } = store;
      const { board, column } = await boardWithColumn(database, { title: 'Committed' });
      const { boards, columns } = database.tables;
      const seen = await database.read(async (db) => [await db.select({ id: boards.id }).from(boards), await db.select({ id: columns.id, boardId: columns.boardId }).from(columns)]);
      expect(seen).toEqual([[{ id: board.id }], [{ id: column.id, boardId: board.id }]]);
    });

    it('a write whose work throws leaves nothing of itself, and its caller gets that very error', async () => {
      const { database } = store;
      const { boards, columns } = database.tables;
      const failure = new Error('changed my mind');
      const board = boardRow({ title: 'Half' });
      const written = database.write(async (db) => {
        await db.insert(boards).values(board);
        await db.insert(columns).values(columnRow(board.id));
        throw failure;
      });
      await expect(written).rejects.toBe(failure);
      expect([await countRows(database, 'boards'), await countRows(database, 'columns')]).toEqual([0, 0]);
    });

    it('a statement the database refuses undoes the statements before it; a duplicate key is a unique violation, not busy', async () => {
      const { database } = store;
      const { boards, columns } = database.tables;
      const { board, column } = await boardWithColumn(database, { title: 'First' });
      const error: unknown = await database
        .write(async (db) => {
          await db.insert(boards).values(boardRow({ title: 'Second' }));
          await db.insert(columns).values(columnRow(board.id, { id: column.id }));
        })
        .catch((caught: unknown) => caught);
      expect(isUniqueViolation(error)).toBe(true);
      expect(isDatabaseBusy(error)).toBe(false);
      expect(await boardTitles(database)).toEqual(['First']);
    });

    it('a read sees one state: what another connection commits meanwhile shows only in the next read', async () => {
      const { database } = store;
      const { boards } = database.tables;
      const other = await store.another();
      const counts = await database.read(async (db) => {
        const [before] = await db.select({ n: count() }).from(boards);
        await other.write((otherDb) => otherDb.insert(boards).values(boardRow()));
        const [after] = await db.select({ n: count() }).from(boards);
        return [before!.n, after!.n];
      });
      expect(counts).toEqual([0, 0]);
      expect(await countRows(database, 'boards')).toBe(1);
    });

    // A read-then-write of one row (the app's positions, WIP limits, quotas): concurrent writes must
    // each see the one before it, whether they queue by person or not (SQLite's one writer;
    // PostgreSQL's advisory-lock queue, or SERIALIZABLE run again when it loses).
    it.each([
      ['queued by the person whose rows they change', { queueBy: 'owner' }],
      ['queued by no one', {}],
    ])('concurrent writes lose no update: %s', async (_, options) => {
      const { database } = store;
      const { columns } = database.tables;
      const { column } = await boardWithColumn(database);
      const increment = () =>
        database.write(async (db) => {
          const [row] = await db.select({ position: columns.position }).from(columns).where(eq(columns.id, column.id));
          await db.update(columns).set({ position: row!.position + 1 }).where(eq(columns.id, column.id));
          return row!.position;
        }, options);
      const seen = await Promise.all(Array.from({ length: CONCURRENT_WRITES }, increment));
      const expected = Array.from({ length: CONCURRENT_WRITES }, (_, i) => column.position + i);
      expect(seen.sort((a, b) => a - b)).toEqual(expected);
      const [final] = await database.read((db) => db.select({ position: columns.position }).from(columns));
      expect(final!.position).toBe(column.position + CONCURRENT_WRITES);
    });

    it("a write kept waiting by another connection's lock fails as busy, having written nothing, and succeeds once the lock is gone", async () => {
      const { database } = store;
      const { boards } = database.tables;
      const { board } = await boardWithColumn(database, { title: 'Original' });
      const other = await store.another();
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      let holding = () => {};
      const held = new Promise<void>((resolve) => (holding = resolve));
      const holder = other.write(async (db) => {
        await db.update(boards).set({ title: 'Held' }).where(eq(boards.id, board.id));
        holding();
        await released;
      });
      await held;
      const attempt = () =>
        database.write(async (db) => {
          await db.insert(boards).values(boardRow({ title: 'Extra' }));
          await db.update(boards).set({ title: 'Mine' }).where(eq(boards.id, board.id));
        });
      let refused: unknown;
      try {
        refused = await attempt().then(() => 'not refused', (error: unknown) => error);
      } finally {
        release(); // whatever happened: a held lock would stall the close after the case
        await holder;
      }
      // SQLite: SQLITE_BUSY after its busy timeout; PostgreSQL: the statement timeout (57014).
      expect({ code: databaseErrorCode(refused), busy: isDatabaseBusy(refused) }).toEqual({ code: expect.any(String), busy: true });
      expect(await boardTitles(database)).toEqual(['Held']);
      await attempt();
      expect(await boardTitles(database)).toEqual(['Extra', 'Mine']);
    });

    it('a prepared query gives the rows the same query built in place gives, for each parameter, in reads, writes and at once', async () => {
      const { database } = store;
      const { boards } = database.tables;
      const owners = ['ann', 'bob', 'nobody'];
      const rows = ['ann', 'ann', 'bob'].map((ownerSub) => boardRow({ ownerSub }));
      await database.write((db) => db.insert(boards).values(rows));
      const idsOf = (owner: string) => rows.filter((row) => row.ownerSub === owner).map((row) => row.id).sort();
      const sorted = (found: { id: string }[]) => found.map((row) => row.id).sort();
      const ofOwner = database.prepared('conformance_boards_of_owner', (db) => db.select({ id: boards.id }).from(boards).where(eq(boards.ownerSub, sql.placeholder('owner'))));
      // Concurrent reads: on a pool, the prepared statement meets connections that have not seen it yet.
      const asked = [...owners, ...owners];
      const both = await Promise.all(asked.map((owner) => database.read(async (db) => [sorted(await ofOwner(db, { owner })), sorted(await db.select({ id: boards.id }).from(boards).where(eq(boards.ownerSub, owner)))])));
      expect(both).toEqual(asked.map((owner) => [idsOf(owner), idsOf(owner)]));
      // In a write it sees the write's own rows.
      const extra = boardRow({ ownerSub: 'nobody' });
      const inWrite = await database.write(async (db) => {
        await db.insert(boards).values(extra);
        return ofOwner(db, { owner: 'nobody' });
      });
      expect(inWrite).toEqual([{ id: extra.id }]);
    });
  });
}

function describeNul(store: StoreUnderTest): void {
  describe('NUL characters', () => {
    it('text, JSON and parameters holding NUL are refused whole or kept whole, as the engine is known to, never cut short', async () => {
      const { database } = store;
      const { boards, oauthStore } = database.tables;
      const outcome = (work: () => Promise<unknown>) => work().catch((error: unknown) => `refused: ${databaseErrorCode(error)}`);
      const outcomes = {
        text: await outcome(async () => {
          await database.write((db) => db.insert(boards).values(boardRow({ title: NUL_TITLE })));
          return boardTitles(database);
        }),
        json: await outcome(async () => {
          await database.write((db) => db.insert(oauthStore).values({ model: 'Session', id: 'nul', payload: { uid: NUL_TITLE } }));
          return (await database.read((db) => db.select({ payload: oauthStore.payload }).from(oauthStore)))[0]!.payload;
        }),
        // A row whose value is what a parameter cut short at its NUL would be: it must not match.
        parameter: await outcome(async () => {
          const cutShort = NUL_TITLE.slice(0, NUL_TITLE.indexOf('\0'));
          await database.write((db) => db.insert(oauthStore).values({ model: 'Session', id: 'cut-short', payload: {}, uid: cutShort }));
          await database.write((db) => db.insert(oauthStore).values({ model: 'Session', id: 'whole', payload: {}, uid: NUL_TITLE }));
          return database.read((db) => db.select({ id: oauthStore.id }).from(oauthStore).where(eq(oauthStore.uid, NUL_TITLE)));
        }),
      };
      expect(outcomes).toEqual(NUL_OUTCOMES[database.engine]);
    });
  });
}
