import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnServer, type ChildServer } from './support/child-server.ts';
import { dbRow, dbRows, LOAD_LIMITS, useKanban } from './support/kanban-server.ts';
import { databaseEnv } from './support/test-database.ts';
import { actorWithToken, boardOf, cardByTitle, cardsOf, listAllBoards, signInActor, textOf, type Actor, type BoardView } from './support/kanban-actors.ts';

// Many clients writing to one board at once. Half of them talk to this process, half to a second
// server process on the same SQLite file (same PUBLIC_URL, so the same tokens work there): the two
// processes really do contend for the database's write lock, which one process alone never does
// (better-sqlite3 runs each transaction to the end before the next request is looked at).

const shared = useKanban({ env: LOAD_LIMITS });

let A: Actor;
let B: Actor;
let child: ChildServer | undefined;
let childMcpUrl: string;

beforeAll(async () => {
  A = await signInActor(shared.kanban, 'A');
  B = await signInActor(shared.kanban, 'B');
  const port = await freePort();
  child = spawnServer({ PORT: String(port), PUBLIC_URL: shared.kanban.url, ...(await databaseEnv(shared.kanban.dataDir)), LOG_LEVEL: 'info', ...LOAD_LIMITS });
  await child.waitFor('"listening"');
  childMcpUrl = `http://127.0.0.1:${port}/mcp`;
});

afterAll(async () => {
  if (!child) return;
  child.child.kill('SIGTERM');
  await child.exited;
});

/** `count` clients of `of`, alternating between this process and the second one. */
async function clientsOf(of: Actor, count: number): Promise<Actor[]> {
  const clients: Actor[] = [];
  for (let i = 0; i < count; i++) {
    const url = i % 2 === 0 ? shared.kanban.mcpUrl : childMcpUrl;
    clients.push(await actorWithToken({ ...shared.kanban, mcpUrl: url }, `${of.label}${i}`, of.token!, of));
  }
  return clients;
}

/** A small seeded PRNG, so a failing burst can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Failure {
  writer: string;
  call: string;
  error: string;
}

/** Calls a tool and returns the result, or records why it failed (thrown or isError). */
async function attempt(writer: Actor, failures: Failure[], name: string, args: Record<string, unknown>): Promise<CallToolResult | undefined> {
  try {
    const result = await writer.call(name, args);
    if (!result.isError) return result;
    failures.push({ writer: writer.label, call: `${name} ${JSON.stringify(args)}`, error: textOf(result) });
  } catch (error) {
    failures.push({ writer: writer.label, call: `${name} ${JSON.stringify(args)}`, error: String(error) });
  }
  return undefined;
}


function serverErrors(): string[] {
  const here = shared.kanban.logs.filter((line) => typeof line.level === 'number' && line.level >= 50).map((line) => JSON.stringify(line));
  const there = (child?.stdout() ?? '').split('\n').filter((line) => /"level":(5|6)\d/.test(line) || line.includes('SQLITE_BUSY'));
  return [...here, ...there];
}

/** Per column, the writer's own cards in board order. */
function ownOrder(board: BoardView, own: ReadonlySet<string>): Record<string, string[]> {
  return Object.fromEntries(board.columns.map((column) => [column.id, column.cards.filter((card) => own.has(card.id)).map((card) => card.id)]));
}

/** Positions in every column of the board are distinct, and the board lists cards in position order. */
async function expectConsistentPositions(board: BoardView): Promise<void> {
  expect(board.columns.length).toBeGreaterThan(0);
  for (const column of board.columns) {
    const rows = (await dbRows<{ id: string; position: number }>(shared.kanban, 'SELECT id, position FROM cards WHERE column_id = ? ORDER BY position, id', [column.id]));
    expect(new Set(rows.map((row) => row.position)).size, `distinct positions in ${column.title}`).toBe(rows.length);
    expect(column.cards.map((card) => card.id), `order of ${column.title}`).toEqual(rows.map((row) => row.id));
  }
}

describe('8 clients of one user writing to one board at once', () => {
  it('8 × 25 concurrent creates and moves: every acknowledged write is there exactly once, in the order each client made', async () => {
    const WRITERS = 8;
    const ROUNDS = 25;
    const seed = Date.now() % 1_000_000;
    const random = mulberry32(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

    // The second process accepts the same token: it shares the signing keys and the issuer URL.
    const probe = await actorWithToken({ ...shared.kanban, mcpUrl: childMcpUrl }, 'probe', A.token!, A);
    expect((await probe.call('whoami')).structuredContent).toMatchObject({ subject: A.subject });

    const start = boardOf(await A.call('create_board', { title: 'Burst', columns: ['To do', 'Doing', 'Review', 'Done'] }));
    const columnIds = start.columns.map((column) => column.id);
    const writers = await clientsOf(A, WRITERS);
    // Each writer's model of its own cards: per column, in order. Only it moves its cards, so
    // others' inserts never change the relative order of its own cards.
    const models = writers.map(() => Object.fromEntries(columnIds.map((id) => [id, [] as string[]])) as Record<string, string[]>);
    const owned = writers.map(() => new Set<string>());
    const acknowledged: string[] = [];
    const failures: Failure[] = [];
    const tally = { create: 0, top: 0, bottom: 0, before: 0, after: 0 };

    const remove = (model: Record<string, string[]>, cardId: string) => {
      for (const id of columnIds) model[id] = model[id]!.filter((card) => card !== cardId);
    };
    const columnOf = (model: Record<string, string[]>, cardId: string) => columnIds.find((id) => model[id]!.includes(cardId))!;

    async function step(index: number, round: number): Promise<void> {
      const writer = writers[index]!;
      const model = models[index]!;
      const mine = [...owned[index]!];
      if (mine.length < 2 || random() < 0.45) {
        const title = `w${index}-r${round}`;
        const column = pick(columnIds);
        const position = pick(['top', 'bottom'] as const);
        const result = await attempt(writer, failures, 'create_card', { boardId: start.id, title, column, position });
        if (!result) return;
        const board = boardOf(result);
        const card = cardByTitle(board, title);
        expect(card.columnId).toBe(column);
        owned[index]!.add(card.id);
        if (position === 'top') model[column]!.unshift(card.id);
        else model[column]!.push(card.id);
        acknowledged.push(title);
        tally.create++;
        expect(ownOrder(board, owned[index]!), `${writer.label} after creating ${title}`).toEqual(model);
        return;
      }
      const cardId = pick(mine);
      const position = pick(['top', 'bottom', 'before', 'after'] as const);
      let column: string;
      let relativeTo: string | undefined;
      if (position === 'before' || position === 'after') {
        relativeTo = pick(mine.filter((id) => id !== cardId));
        column = columnOf(model, relativeTo);
      } else {
        column = pick(columnIds);
      }
      const result = await attempt(writer, failures, 'move_card', { cardId, column, position, ...(relativeTo ? { relativeTo } : {}) });
      if (!result) return;
      remove(model, cardId);
      const list = model[column]!;
      if (position === 'top') list.unshift(cardId);
      else if (position === 'bottom') list.push(cardId);
      else list.splice(list.indexOf(relativeTo!) + (position === 'after' ? 1 : 0), 0, cardId);
      tally[position]++;
      expect(ownOrder(boardOf(result), owned[index]!), `${writer.label} after moving ${cardId} ${position}`).toEqual(model);
    }

    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(writers.map((_, index) => step(index, round)));
    }

    expect(failures, `seed ${seed}`).toEqual([]);
    expect(serverErrors()).toEqual([]);
    // Half the writers went through the second process: both processes wrote to the one file.
    // (Its log lines reach us through a pipe, a moment after the responses.)
    const servedThere = () => (child!.stdout().match(/"tool":"(create_card|move_card)"/g) ?? []).length;
    for (let waited = 0; servedThere() < (WRITERS / 2) * ROUNDS && waited < 3000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(servedThere()).toBe((WRITERS / 2) * ROUNDS);
    // The burst really did all four kinds of move, and many creates.
    expect(tally.create).toBeGreaterThanOrEqual(WRITERS * 2);
    for (const kind of ['top', 'bottom', 'before', 'after'] as const) expect(tally[kind], `${kind} moves (seed ${seed})`).toBeGreaterThan(0);

    const board = boardOf(await A.call('get_board', { boardId: start.id }));
    const titles = cardsOf(board).map((card) => card.title);
    expect(titles.length).toBe(acknowledged.length);
    expect([...titles].sort()).toEqual([...acknowledged].sort());
    writers.forEach((writer, index) => expect(ownOrder(board, owned[index]!), writer.label).toEqual(models[index]));
    await expectConsistentPositions(board);
    const rows = (await dbRow<{ n: number; titles: number }>(shared.kanban, 'SELECT count(*) AS n, count(DISTINCT title) AS titles FROM cards WHERE board_id = ?', [start.id]));
    expect(rows).toEqual({ n: acknowledged.length, titles: acknowledged.length });
  });
});

describe('two users writing at once, each on their own board (AU-17)', () => {
  it('each sees only their own writes, and every answer is about the caller', async () => {
    const boards = {
      A: boardOf(await A.call('create_board', { title: 'A busy', visibility: 'private' })),
      B: boardOf(await B.call('create_board', { title: 'B busy', visibility: 'private' })),
    };
    const writers = [...(await clientsOf(A, 4)).map((client) => ({ client, user: A, board: boards.A })), ...(await clientsOf(B, 4)).map((client) => ({ client, user: B, board: boards.B }))];
    const failures: Failure[] = [];
    const made = { A: [] as string[], B: [] as string[] };
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        writers.map(async ({ client, user, board }, index) => {
          const title = `${user.label}-${index}-${round}`;
          const result = await attempt(client, failures, 'create_card', { boardId: board.id, title });
          if (!result) return;
          const after = boardOf(result);
          expect(after.id).toBe(board.id);
          expect((result.structuredContent as { viewer: { name?: string } }).viewer.name).toBe(user.username);
          expect(cardsOf(after).length).toBeGreaterThan(0);
          expect(cardsOf(after).every((card) => card.title.startsWith(`${user.label}-`))).toBe(true);
          made[user.label as 'A' | 'B'].push(title);
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(serverErrors()).toEqual([]);
    for (const [label, user, other] of [['A', A, B], ['B', B, A]] as const) {
      const rows = (await dbRows<{ title: string; created_by_sub: string }>(shared.kanban, 'SELECT title, created_by_sub FROM cards WHERE board_id = ?', [boards[label].id]));
      expect(rows.map((row) => row.title).sort()).toEqual([...made[label]].sort());
      expect(new Set(rows.map((row) => row.created_by_sub))).toEqual(new Set([user.subject]));
      const refused = await other.call('get_board', { boardId: boards[label].id });
      expect(refused.isError).toBe(true);
      expect((await listAllBoards(other)).map((board) => board.id)).not.toContain(boards[label].id);
    }
    expect(made.A).toHaveLength(40);
    expect(made.B).toHaveLength(40);
  });
});

describe('the personal board is made exactly once, even when the first calls race', () => {
  async function race(user: Actor, count: number) {
    const before = (await dbRow<{ n: number }>(shared.kanban, 'SELECT count(*) AS n FROM boards WHERE owner_sub = ? AND personal = TRUE', [user.subject]));
    expect(before!.n).toBe(0);
    const clients = await clientsOf(user, count);
    const failures: Failure[] = [];
    const results = await Promise.all(clients.map((client, index) => attempt(client, failures, 'create_card', { title: `first ${index}` })));
    expect(failures).toEqual([]);
    const boardIds = new Set(results.map((result) => boardOf(result!).id));
    expect(boardIds.size).toBe(1);
    const personal = (await dbRows<{ id: string; title: string }>(shared.kanban, 'SELECT id, title FROM boards WHERE owner_sub = ? AND personal = TRUE', [user.subject]));
    expect(personal).toEqual([{ id: [...boardIds][0], title: 'My board' }]);
    const cards = (await dbRows<{ title: string }>(shared.kanban, 'SELECT title FROM cards WHERE board_id = ? ORDER BY title', [personal[0]!.id]));
    expect(cards.map((card) => card.title)).toEqual(clients.map((_, index) => `first ${index}`).sort());
    const later = boardOf(await user.call('create_card', { title: 'later' }));
    expect(later.id).toBe(personal[0]!.id);
    expect(serverErrors()).toEqual([]);
  }

  it('two concurrent first create_card calls without boardId (one per process)', async () => {
    await race(A, 2);
  });

  it('eight concurrent first calls', async () => {
    await race(B, 8);
  });
});
