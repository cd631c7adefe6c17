import pg from 'pg';
import { newId } from '../../db/ids.ts';
import { spacedPositions } from '../../db/positions.ts';
import { cardSearchText } from '../../db/usernames.ts';
import { signInActor } from '../support/kanban-actors.ts';
import { LOAD_LIMITS, removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { onEachEngine, type EngineSetup } from './engines.ts';

// How our tools grow with what they hold: server time (the `ms` of each request's log line, so
// no client or loopback cost) at several sizes, on SQLite and on PostgreSQL. Boards are seeded
// straight into the database; the calls are real tools/call requests over HTTP.

export interface ScaleRow {
  /** The engine's label. */
  engine: string;
  case: string;
  /** What the call returns or works over. */
  size: number;
  medianMs: number;
  p95Ms: number;
  responseKb: number;
}

const REPEATS = 25;
const WARM_UP = 5;

async function seedBoard(kanban: RunningKanban, owner: string, cardCount: number, options: { columns?: number; title?: string; cardTitle?: (index: number) => string } = {}): Promise<{ boardId: string; columnIds: string[] }> {
  const { database } = kanban.runtime;
  const { boards, cards, columns } = database.tables;
  const now = new Date();
  const boardId = newId('board');
  const columnCount = options.columns ?? 3;
  const columnIds = Array.from({ length: columnCount }, () => newId('column'));
  await database.write(async (db) => {
    await db.insert(boards).values({ id: boardId, ownerSub: owner, title: options.title ?? `Scale ${cardCount}`, visibility: 'public', personal: false, createdAt: now, updatedAt: now });
    const columnPositions = spacedPositions(columnCount);
    await db.insert(columns).values(columnIds.map((id, index) => ({ id, boardId, title: `Column ${index + 1}`, position: columnPositions[index]!, wipLimit: null })));
    // Cards spread over the columns; in one column when there is one.
    const perColumn = Math.ceil(cardCount / columnCount);
    const positions = spacedPositions(perColumn);
    const rows = Array.from({ length: cardCount }, (_, index) => {
      const title = options.cardTitle?.(index) ?? `Card ${index + 1} with a title of ordinary length`;
      const description = index % 4 === 0 ? 'Some notes about this card, as people write them.' : '';
      return {
        id: newId('card'),
        boardId,
        columnId: columnIds[index % columnCount]!,
        title,
        description,
        // Its folded words, as the app writes them with a card (create_card, the seed).
        searchText: cardSearchText({ title, description }),
        labels: index % 3 === 0 ? ['design', 'q3'] : [],
        dueDate: index % 5 === 0 ? '2027-03-01' : null,
        position: positions[Math.floor(index / columnCount)]!,
        createdBySub: owner,
        createdAt: now,
        updatedAt: now,
      };
    });
    for (let start = 0; start < rows.length; start += 500) await db.insert(cards).values(rows.slice(start, start + 500));
  });
  return { boardId, columnIds };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Statements (each a round trip) one call sends to PostgreSQL. */
export interface RoundTrips {
  getBoard: number;
  createCard: number;
}

export interface Scale {
  rows: ScaleRow[];
  /** Measured on PostgreSQL only (undefined when it did not run). */
  roundTrips?: RoundTrips;
  /** Lines for under the table: PostgreSQL's rolled-back transactions, or why its rows were skipped. */
  notes: string[];
}

const ENGINES: EngineSetup[] = [
  { engine: 'sqlite', label: 'SQLite' },
  { engine: 'postgres', label: 'PostgreSQL' },
];

export async function measureScale(): Promise<Scale> {
  const { results, notes } = await onEachEngine(ENGINES, measureScaleOn);
  return { rows: results.flatMap((result) => result.rows), roundTrips: results.find((result) => result.roundTrips)?.roundTrips, notes };
}

/**
 * Statements sent to PostgreSQL while `call` runs, counted at pg's Client#query in this process,
 * where the server runs (a pooled query goes through it too). The server's own timers (the key
 * table's re-read every 5 s) could add one: the smallest of three tries is kept.
 */
async function roundTripsOf(call: () => Promise<unknown>): Promise<number> {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  const counts: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    let count = 0;
    prototype.query = function counted(this: unknown, ...args: unknown[]) {
      count++;
      return original.apply(this, args);
    };
    try {
      await call();
    } finally {
      prototype.query = original;
    }
    counts.push(count);
  }
  return Math.min(...counts);
}

async function measureScaleOn(setup: EngineSetup, databaseUrl: string): Promise<{ rows: ScaleRow[]; roundTrips?: RoundTrips }> {
  const kanban = await startKanban({ env: { LOG_LEVEL: 'info', DATABASE_URL: databaseUrl, ...LOAD_LIMITS } });
  try {
    const actor = await signInActor(kanban, 'scale');
    const owner = actor.subject!;
    const rows: ScaleRow[] = [];

    /** Calls the tool REPEATS times (after a warm-up) and reads each one's server time from the log. */
    const time = async (label: string, size: number, tool: string, args: () => Record<string, unknown>): Promise<void> => {
      let bytes = 0;
      for (let round = 0; round < WARM_UP + REPEATS; round++) {
        const send = () =>
          fetch(kanban.mcpUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${actor.token}` },
            body: JSON.stringify({ jsonrpc: '2.0', id: round, method: 'tools/call', params: { name: tool, arguments: args() } }),
          });
        // A first call after a long seed may meet a kept-alive connection the server has just closed
        // (its keep-alive timeout is 5 s): sent again on a new one, before the server saw it.
        const response = await send().catch((error: Error) => ((error.cause as { code?: string } | undefined)?.code === 'ECONNRESET' && round === 0 ? send() : Promise.reject(error)));
        const text = await response.text();
        if (response.status !== 200 || text.includes('"isError":true')) throw new Error(`${tool} failed: ${text.slice(0, 300)}`);
        bytes = text.length;
      }
      const times = kanban.logs.filter((line) => line.tool === tool).slice(-REPEATS).map((line) => Number(line.ms));
      kanban.logs.length = 0;
      rows.push({ engine: setup.label, case: label, size, medianMs: percentile(times, 50), p95Ms: percentile(times, 95), responseKb: bytes / 1000 });
    };

    let roundTrips: RoundTrips | undefined;
    for (const size of [10, 100, 1000, 5000]) {
      const { boardId } = await seedBoard(kanban, owner, size);
      await time(`get_board, ${size} cards`, size, 'get_board', () => ({ boardId }));
      if (size === 10 && setup.engine === 'postgres') {
        const call = (name: string, args: Record<string, unknown>, token?: string) => () =>
          fetch(kanban.mcpUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
          }).then((response) => response.text());
        roundTrips = {
          getBoard: await roundTripsOf(call('get_board', { boardId })),
          createCard: await roundTripsOf(call('create_card', { boardId, title: 'Counted' }, actor.token)),
        };
      }
    }

    // 1 000 boards of one user, listed 100 at a time: every page costs the same.
    for (let index = 0; index < 1000; index++) await seedBoard(kanban, owner, 0, { columns: 1, title: `Mine ${index}` });
    await time('list_boards, page 1 of 1 000 boards', 100, 'list_boards', () => ({ limit: 100 }));
    let cursor: string | undefined;
    const pages: string[] = [];
    for (let page = 0; page < 9; page++) {
      const response = await actor.call('list_boards', { limit: 100, ...(cursor ? { cursor } : {}) });
      cursor = (response.structuredContent as { nextCursor?: string }).nextCursor;
      if (cursor) pages.push(cursor);
    }
    const lastCursor = pages.at(-1)!;
    await time('list_boards, page 10 of 1 000 boards', 100, 'list_boards', () => ({ limit: 100, cursor: lastCursor }));

    // 100 000 cards on 20 public boards; 40 of them contain the word searched for.
    for (let board = 0; board < 20; board++) await seedBoard(kanban, owner, 5000, { cardTitle: (index) => (index % 2500 === 7 ? `Call the plumber about pipe ${board}-${index}` : `Card ${index} of board ${board}`) });
    await time('search_cards over 100 000 cards', 100_000, 'search_cards', () => ({ query: 'plumber', limit: 50 }));

    // move_card inside one column of 5 000 cards: top, then bottom, alternately.
    const { columnIds } = await seedBoard(kanban, owner, 5000, { columns: 1 });
    const [moving] = (await kanban.runtime.database.query('select id from cards where column_id = ? limit 1', [columnIds[0]])) as [{ id: string }];
    let toTop = true;
    await time('move_card in a 5 000-card column', 5000, 'move_card', () => ({ cardId: moving.id, position: (toTop = !toTop) ? 'top' : 'bottom' }));
    await actor.client.close();
    return { rows, roundTrips };
  } finally {
    await kanban.stop();
    removeDataDir(kanban.dataDir);
  }
}

export function formatScale({ rows, roundTrips, notes }: Scale): string {
  const lines = [
    `Scale: server time per call (the request log's ms), median and p95 of ${REPEATS} after ${WARM_UP} of warm-up`,
    `${'engine'.padEnd(12)}${'case'.padEnd(40)}${'median ms'.padStart(11)}${'p95 ms'.padStart(9)}${'response kB'.padStart(13)}${'µs per item'.padStart(13)}`,
  ];
  for (const row of rows) {
    lines.push(`${row.engine.padEnd(12)}${row.case.padEnd(40)}${row.medianMs.toFixed(1).padStart(11)}${row.p95Ms.toFixed(1).padStart(9)}${row.responseKb.toFixed(1).padStart(13)}${((row.medianMs * 1000) / row.size).toFixed(1).padStart(13)}`);
  }
  if (roundTrips) lines.push(`PostgreSQL round trips (statements sent): anonymous get_board ${roundTrips.getBoard}, signed-in create_card ${roundTrips.createCard}`);
  return [...lines, ...notes].join('\n');
}
