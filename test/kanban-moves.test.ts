import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KanbanDatabase } from '../db/database.ts';
import { loadConfig } from '../server/config.ts';
import { KanbanError, type KanbanRefusal } from '../server/kanban/errors.ts';
import { createKanbanService, type KanbanService } from '../server/kanban/service.ts';
import { refusalText } from '../server/mcp/tools/refusal-text.ts';
import type { Viewer } from '../server/viewer.ts';
import { makeDataDir, removeDataDir } from './support/kanban-server.ts';
import { openTestDatabase } from './support/test-database.ts';

// Card order on a real database (SQLite, or PostgreSQL in that run of the suite), checked against an in-memory model of what the order must
// be. Positions are gap-numbered: a move rewrites the card's row (and touches the board's
// updatedAt), except when the gap runs out and the column is respaced.

const owner: Viewer = { signedIn: true, subject: 'acc_mover', scopes: ['kanban.read', 'kanban.write'] };

let dir: string;
let database: KanbanDatabase;
let kanban: KanbanService;
beforeAll(async () => {
  dir = makeDataDir();
  database = await openTestDatabase(dir);
  kanban = createKanbanService(database, loadConfig({ NODE_ENV: 'test' }).usage);
});
afterAll(async () => {
  await database.close();
  removeDataDir(dir);
});

/** Rows written so far on SQLite's connection (PostgreSQL: cardsWrittenWith below). */
async function totalChanges(): Promise<number | undefined> {
  if (database.engine !== 'sqlite') return undefined;
  return (await database.query<{ n: number }>('select total_changes() as n'))[0]!.n;
}

/**
 * PostgreSQL: the cards the transaction that last wrote `cardId` wrote (each row version carries
 * its transaction's id, xmin). A move is one transaction, so this counts the cards it wrote.
 */
async function cardsWrittenWith(cardId: string): Promise<number> {
  return Number((await database.query<{ n: number | string }>('select count(*) as n from cards where xmin = (select xmin from cards where id = ?)', [cardId]))[0]!.n);
}

async function orderOnBoard(boardId: string): Promise<string[][]> {
  return (await kanban.getBoard(owner, boardId)).board.columns.map((column) => column.cards.map((card) => card.id));
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % below;
  };
}

describe('moving cards', () => {
  it('top, bottom, before, after and across columns land exactly where asked', async () => {
    const board = (await kanban.createBoard(owner, { title: 'Moves' })).board;
    const [todo, doing] = board.columns;
    const ids: string[] = [];
    for (const title of ['a', 'b', 'c', 'd']) ids.push((await kanban.createCard(owner, { boardId: board.id, title })).cardId);
    const [a, b, c, d] = ids as [string, string, string, string];
    expect((await orderOnBoard(board.id))[0]).toEqual([a, b, c, d]);
    await kanban.moveCard(owner, { cardId: d, position: 'top' });
    expect((await orderOnBoard(board.id))[0]).toEqual([d, a, b, c]);
    await kanban.moveCard(owner, { cardId: d, position: 'bottom' });
    expect((await orderOnBoard(board.id))[0]).toEqual([a, b, c, d]);
    await kanban.moveCard(owner, { cardId: c, position: 'before', relativeTo: a });
    expect((await orderOnBoard(board.id))[0]).toEqual([c, a, b, d]);
    await kanban.moveCard(owner, { cardId: c, position: 'after', relativeTo: b });
    expect((await orderOnBoard(board.id))[0]).toEqual([a, b, c, d]);
    await kanban.moveCard(owner, { cardId: b, column: doing!.title });
    await kanban.moveCard(owner, { cardId: a, column: doing!.id, position: 'before', relativeTo: b });
    expect(await orderOnBoard(board.id)).toEqual([[c, d], [a, b], []]);
    expect(todo!.title).toBe('To do');
  });

  it('1 000 random moves keep the order the model predicts; each move touches two rows unless the column is respaced', async () => {
    const board = (await kanban.createBoard(owner, { title: 'Random moves', columns: ['One', 'Two', 'Three'] })).board;
    const columnIds = board.columns.map((column) => column.id);
    const model: string[][] = columnIds.map(() => []);
    for (let i = 0; i < 30; i++) {
      const column = i % 3;
      model[column]!.push((await kanban.createCard(owner, { boardId: board.id, title: `card ${i}`, column: columnIds[column] })).cardId);
    }
    const next = random(42);
    let respaced = 0;
    for (let move = 0; move < 1000; move++) {
      const all = model.flat();
      const cardId = all[next(all.length)]!;
      const from = model.findIndex((column) => column.includes(cardId));
      // Every other move squeezes a card in right after the first card of column One, so the gap
      // there halves each time until it runs out and the column is respaced.
      const squeeze = move % 2 === 0;
      const to = squeeze ? 0 : next(3);
      const targetWithout = model[to]!.filter((id) => id !== cardId);
      const kinds = ['top', 'bottom', 'before', 'after'] as const;
      const kind = targetWithout.length === 0 ? 'bottom' : squeeze ? 'after' : kinds[next(4)]!;
      const relativeTo = kind === 'before' || kind === 'after' ? targetWithout[squeeze ? 0 : next(targetWithout.length)] : undefined;

      const before = await totalChanges();
      await kanban.moveCard(owner, { cardId, column: columnIds[to], position: kind, ...(relativeTo ? { relativeTo } : {}) });
      const after = await totalChanges();
      if (before !== undefined) {
        // SQLite counts writes: the card and the board's version, and on a respacing every card then
        // in the target column (the moving one twice, if it is there).
        const touched = after! - before;
        if (touched !== 2) {
          respaced++;
          expect(touched, `move ${move}`).toBe(2 + targetWithout.length + (from === to ? 1 : 0));
        }
      } else {
        // PostgreSQL counts rows: the moving card alone, or on a respacing every card of the target column.
        const written = await cardsWrittenWith(cardId);
        if (written !== 1) {
          respaced++;
          expect(written, `move ${move}`).toBe(targetWithout.length + 1);
        }
      }

      model[from] = model[from]!.filter((id) => id !== cardId);
      const index = kind === 'top' ? 0 : kind === 'bottom' ? targetWithout.length : targetWithout.indexOf(relativeTo!) + (kind === 'after' ? 1 : 0);
      targetWithout.splice(index, 0, cardId);
      model[to] = targetWithout;
      if (move % 25 === 0 || move === 999) expect(await orderOnBoard(board.id), `after move ${move}`).toEqual(model);
    }
    expect(respaced).toBeGreaterThan(0);
    const positions = await database.query<{ column_id: string; position: number }>('select column_id, position from cards where board_id = ?', [board.id]);
    expect(positions).toHaveLength(30);
    const keys = positions.map((row) => `${row.column_id}:${row.position}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

/** The domain's refusal of `call` (kanban/errors.ts); the words the model reads of it are mcp/'s refusalText. */
async function refusalOf(call: Promise<unknown>): Promise<KanbanRefusal> {
  const error = await call.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(KanbanError);
  return (error as KanbanError).refusal;
}

describe('WIP limits', () => {
  it('a full column refuses a new or moved card with a clear message, unless force', async () => {
    const board = (await kanban.createBoard(owner, { title: 'WIP' })).board;
    const doing = board.columns[1]!;
    await kanban.updateBoard(owner, { boardId: board.id, wipLimits: [{ columnId: doing.id, wipLimit: 1 }] });
    await kanban.createCard(owner, { boardId: board.id, title: 'first', column: 'Doing' });
    const full = await refusalOf(kanban.createCard(owner, { boardId: board.id, title: 'second', column: 'doing' }));
    expect(full).toEqual({ rule: 'wip_limit', columnTitle: 'Doing', cards: 1, limit: 1 });
    expect(refusalText(full)).toBe('Column "Doing" is at its WIP limit (1 of 1). Finish or move a card out first, or pass force: true to go over the limit.');
    const waiting = (await kanban.createCard(owner, { boardId: board.id, title: 'waiting' })).cardId;
    expect(refusalText(await refusalOf(kanban.moveCard(owner, { cardId: waiting, column: 'Doing' })))).toMatch(/WIP limit/);
    expect((await orderOnBoard(board.id))[1]).toHaveLength(1);
    await kanban.moveCard(owner, { cardId: waiting, column: 'Doing', force: true });
    await kanban.createCard(owner, { boardId: board.id, title: 'third', column: 'Doing', force: true });
    expect((await orderOnBoard(board.id))[1]).toHaveLength(3);
    // Moving within a full column is not "adding" to it.
    await kanban.moveCard(owner, { cardId: waiting, position: 'top' });
    expect((await orderOnBoard(board.id))[1]![0]).toBe(waiting);
  });
});
