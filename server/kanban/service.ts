import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { BoardRow, CardRow, ColumnRow, Db, KanbanDatabase } from '../../db/database.ts';
import { newId } from '../../db/ids.ts';
import { positionBetween, spacedPositions } from '../../db/positions.ts';
import { cardSearchText } from '../../db/usernames.ts';
import { preparedBoardAccess, signedInSubject } from './access.ts';
import { boardContents, type BoardWithDetails } from './board-contents.ts';
import { boardReads } from './board-reads.ts';
import { assertDistinctNames, newBoards } from './new-boards.ts';
import { cardPlacement } from './card-placement.ts';
import { busyAsKanbanError, KanbanError } from './errors.ts';
import { quotaChecks, type KanbanQuotas } from './quotas.ts';
import { requestReplay, type Written } from './request-replay.ts';
import type { z } from 'zod';
import type { createBoardInput, createCardInput, moveCardInput, updateBoardInput, updateCardInput } from '../mcp/tools/schemas.ts';
import { LIMITS } from './limits.ts';
import type { Viewer } from '../viewer.ts';

// Every board/column/card write lives here (who may do what: access.ts; the reads: board-reads.ts;
// where a card goes: card-placement.ts; request ids: request-replay.ts). It knows nothing of HTTP
// or MCP: it takes a Viewer and the tools' arguments as their schemas give them (types only),
// returns plain data, or throws a KanbanError naming the rule it keeps. Every write is one
// transaction (database.write): all of it happens, or none of it; a person's writes queue
// behind each other, across replicas on PostgreSQL.



function cardNotFound(cardId: string): KanbanError {
  return new KanbanError({ rule: 'card_not_found', cardId });
}

export type { BoardWithDetails };

/** The board after a change, and one sentence saying what changed. */
export interface BoardChange extends BoardWithDetails {
  change: string;
  /** The card a create made. */
  cardId?: string;
}


export function createKanbanService(database: KanbanDatabase, quotas: KanbanQuotas) {
  const { boards, cards, columns } = database.tables;
  // The board row every tool that names a board checks access on, prepared (see access.ts); each
  // runs in the read or write given to it, and so sees what that transaction sees. A whole board,
  // for get_board and for the answer of every write, is board-contents.ts's one statement; the
  // reads (listing, a board, search) are board-reads.ts's.
  const access = preparedBoardAccess(database);
  const quota = quotaChecks(database, quotas);
  const once = requestReplay(database, write);
  const placement = cardPlacement(database);
  const contents = boardContents(database);
  const { insertBoard, personalBoard } = newBoards(database);
  const reads = boardReads(database, access, contents);
  const columnsOfBoard = database.prepared('columns_of_board', (db) => db.select().from(columns).where(eq(columns.boardId, sql.placeholder('boardId'))).orderBy(asc(columns.position)));
  const cardCountOfBoard = database.prepared('card_count_of_board', (db) => db.select({ n: count() }).from(cards).where(eq(cards.boardId, sql.placeholder('boardId'))));
  const cardCountOfColumn = database.prepared('card_count_of_column', (db) => db.select({ n: count() }).from(cards).where(eq(cards.columnId, sql.placeholder('columnId'))));
  /** A write on the viewer's behalf: one person's writes queue behind each other across replicas. */
  function write<T>(viewer: Viewer, work: (db: Db) => Promise<T>): Promise<T> {
    return database.write(work, { queueBy: viewer.signedIn ? viewer.subject : undefined });
  }

  /** Marks the board changed. */
  async function afterChange(db: Db, board: BoardRow, change: string, cardId?: string): Promise<Written> {
    // Strictly later than before, even within one millisecond: it is the board's version (mcp/replayed-answers.ts).
    const updatedAt = new Date(Math.max(Date.now(), board.updatedAt.getTime() + 1));
    await db.update(boards).set({ updatedAt }).where(eq(boards.id, board.id));
    return cardId === undefined ? { boardId: board.id, change } : { boardId: board.id, change, cardId };
  }

  /** The board a write changed, as that write's transaction sees it: no second read after the commit. */
  async function present(db: Db, viewer: Viewer, written: Written): Promise<BoardChange> {
    const details = await contents(db, viewer, written.boardId);
    return { ...details, change: written.change, ...(written.cardId === undefined ? {} : { cardId: written.cardId }) };
  }

  /** A write that answers with the board it changed. */
  function writeBoard(viewer: Viewer, work: (db: Db) => Promise<Written>): Promise<BoardChange> {
    return write(viewer, async (db) => present(db, viewer, await work(db)));
  }

  function columnsOf(db: Db, boardId: string): Promise<ColumnRow[]> {
    return columnsOfBoard(db, { boardId });
  }

  /** A column of the board by id or by name (case-insensitive); by default the first. */
  async function resolveColumn(db: Db, board: BoardRow, reference: string | undefined): Promise<ColumnRow> {
    const all = await columnsOf(db, board.id);
    if (all.length === 0) throw new KanbanError({ rule: 'board_without_columns', boardTitle: board.title });
    if (reference === undefined) return all[0]!;
    const wanted = reference.trim().toLowerCase();
    const found = all.find((column) => column.id === reference.trim()) ?? all.find((column) => column.title.toLowerCase() === wanted);
    if (!found) throw new KanbanError({ rule: 'no_such_column', boardTitle: board.title, reference, columnTitles: all.map((column) => column.title) });
    return found;
  }

  async function assertWipRoom(db: Db, column: ColumnRow, force: boolean | undefined): Promise<void> {
    if (column.wipLimit === null || force) return;
    const [{ n }] = (await cardCountOfColumn(db, { columnId: column.id })) as [{ n: number }];
    if (n >= column.wipLimit) {
      throw new KanbanError({ rule: 'wip_limit', columnTitle: column.title, cards: n, limit: column.wipLimit });
    }
  }


  async function assertCardRoom(db: Db, board: BoardRow): Promise<void> {
    const [{ n }] = (await cardCountOfBoard(db, { boardId: board.id })) as [{ n: number }];
    if (n >= LIMITS.cardsPerBoard) throw new KanbanError({ rule: 'board_full', boardTitle: board.title, limit: LIMITS.cardsPerBoard });
  }

  async function findEditableCard(db: Db, viewer: Viewer, cardId: string): Promise<{ card: CardRow; board: BoardRow }> {
    const [card] = await db.select().from(cards).where(eq(cards.id, cardId)).limit(1);
    if (!card) throw cardNotFound(cardId);
    try {
      return { card, board: await access.editable(db, viewer, card.boardId) };
    } catch (error) {
      // A card on a board the viewer cannot see does not exist for them.
      if (error instanceof KanbanError && error.notFound) throw cardNotFound(cardId);
      throw error;
    }
  }

  return busyAsKanbanError({
    ...reads,

    async createBoard(viewer: Viewer, input: z.output<typeof createBoardInput>): Promise<BoardChange> {
      const { requestId, ...args } = input;
      if (args.columns) assertDistinctNames(args.columns);
      return once(viewer, requestId, 'create_board', args, async (db) => {
        await quota.assertBoardRoom(db, signedInSubject(viewer));
        const board = await insertBoard(db, signedInSubject(viewer), { title: args.title, columns: args.columns, visibility: args.visibility });
        return afterChange(db, board, `Created board "${board.title}" (${board.visibility}).`);
      }, (db, written) => present(db, viewer, written));
    },

    async updateBoard(viewer: Viewer, input: z.output<typeof updateBoardInput>): Promise<BoardChange> {
      return writeBoard(viewer, async (db) => {
        const board = await access.editable(db, viewer, input.boardId);
        const done: string[] = [];
        const columnOfBoard = async (columnId: string) => {
          const [column] = await db.select().from(columns).where(and(eq(columns.id, columnId), eq(columns.boardId, board.id))).limit(1);
          if (!column) throw new KanbanError({ rule: 'no_such_column_id', boardTitle: board.title, columnId });
          return column;
        };
        if (input.title !== undefined) done.push(`renamed it "${input.title}"`);
        if (input.visibility !== undefined) done.push(`made it ${input.visibility}`);
        // Title and visibility in one UPDATE of the board row.
        if (input.title !== undefined || input.visibility !== undefined) {
          await db.update(boards).set({ ...(input.title === undefined ? {} : { title: input.title }), ...(input.visibility === undefined ? {} : { visibility: input.visibility }) }).where(eq(boards.id, board.id));
        }
        for (const columnId of new Set(input.removeColumns ?? [])) {
          const column = await columnOfBoard(columnId);
          const [{ n }] = (await cardCountOfColumn(db, { columnId: column.id })) as [{ n: number }];
          if (n > 0) throw new KanbanError({ rule: 'column_not_empty', columnTitle: column.title, cards: n });
          await db.delete(columns).where(eq(columns.id, column.id));
          done.push(`removed column "${column.title}"`);
        }
        if (input.columnOrder !== undefined) {
          const current = (await columnsOf(db, board.id)).map((column) => column.id);
          const same = input.columnOrder.length === current.length && new Set(input.columnOrder).size === current.length && input.columnOrder.every((id) => current.includes(id));
          if (!same) throw new KanbanError({ rule: 'column_order_incomplete' });
          const positions = spacedPositions(current.length);
          for (const [index, columnId] of input.columnOrder.entries()) await db.update(columns).set({ position: positions[index]! }).where(eq(columns.id, columnId));
          done.push('reordered the columns');
        }
        for (const added of input.addColumns ?? []) {
          const existing = await columnsOf(db, board.id);
          if (existing.length >= LIMITS.columnsPerBoard) {
            throw new KanbanError({ rule: 'too_many_columns', boardTitle: board.title, limit: LIMITS.columnsPerBoard, existing: existing.length, addedTitle: added.title });
          }
          await db.insert(columns).values({ id: newId('column'), boardId: board.id, title: added.title, position: positionBetween(existing.at(-1)?.position, undefined)!, wipLimit: added.wipLimit ?? null });
          done.push(`added column "${added.title}"`);
        }
        for (const { columnId, title } of input.renameColumns ?? []) {
          const column = await columnOfBoard(columnId);
          await db.update(columns).set({ title }).where(eq(columns.id, column.id));
          done.push(`renamed column "${column.title}" to "${title}"`);
        }
        for (const { columnId, wipLimit } of input.wipLimits ?? []) {
          const column = await columnOfBoard(columnId);
          await db.update(columns).set({ wipLimit }).where(eq(columns.id, column.id));
          done.push(wipLimit === null ? `removed the WIP limit of "${column.title}"` : `set the WIP limit of "${column.title}" to ${wipLimit}`);
        }
        if (done.length === 0) throw new KanbanError({ rule: 'nothing_to_change_on_board' });
        const after = await columnsOf(db, board.id);
        assertDistinctNames(after.map((column) => column.title));
        if (after.length === 0) throw new KanbanError({ rule: 'last_column' });
        return afterChange(db, board, `On board "${input.title ?? board.title}": ${done.join('; ')}.`);
      });
    },

    deleteBoard(viewer: Viewer, boardId: string): Promise<{ deleted: { id: string; title: string }; change: string }> {
      return write(viewer, async (db) => {
        const board = await access.editable(db, viewer, boardId);
        await db.delete(boards).where(eq(boards.id, board.id));
        return { deleted: { id: board.id, title: board.title }, change: `Deleted board "${board.title}" and its cards.` };
      });
    },

    async createCard(viewer: Viewer, input: z.output<typeof createCardInput>): Promise<BoardChange & { cardId: string }> {
      const { requestId, ...args } = input;
      return once(viewer, requestId, 'create_card', args, async (db) => {
        const board = input.boardId === undefined ? await personalBoard(db, viewer) : await access.editable(db, viewer, input.boardId);
        const column = await resolveColumn(db, board, input.column);
        await assertCardRoom(db, board);
        await quota.assertCardRoom(db, signedInSubject(viewer));
        if (input.description) await quota.assertDescriptionRoom(db, board, input.description);
        await assertWipRoom(db, column, input.force);
        const now = new Date();
        const card = {
          id: newId('card'),
          boardId: board.id,
          columnId: column.id,
          title: input.title,
          description: input.description ?? '',
          searchText: cardSearchText({ title: input.title, description: input.description ?? '' }),
          labels: input.labels ?? [],
          dueDate: input.dueDate ?? null,
          position: await placement(db, column.id, { position: input.position ?? 'bottom' }),
          createdBySub: signedInSubject(viewer),
          createdAt: now,
          updatedAt: now,
        };
        await db.insert(cards).values(card);
        return afterChange(db, board, `Added "${card.title}" (${card.id}) to ${column.title} on board "${board.title}".`, card.id);
      }, async (db, written) => ({ ...(await present(db, viewer, written)), cardId: written.cardId! }));
    },

    async updateCard(viewer: Viewer, input: z.output<typeof updateCardInput>): Promise<BoardChange> {
      const fields = { title: input.title, description: input.description, labels: input.labels, dueDate: input.dueDate };
      const changed = Object.entries(fields).filter(([, value]) => value !== undefined);
      if (changed.length === 0) throw new KanbanError({ rule: 'nothing_to_change_on_card' });
      return writeBoard(viewer, async (db) => {
        const { card, board } = await findEditableCard(db, viewer, input.cardId);
        if (input.description !== undefined) await quota.assertDescriptionRoom(db, board, input.description, card.description);
        const words = input.title === undefined && input.description === undefined ? {} : { searchText: cardSearchText({ title: input.title ?? card.title, description: input.description ?? card.description }) };
        await db.update(cards).set({ ...Object.fromEntries(changed), ...words, updatedAt: new Date() }).where(eq(cards.id, card.id));
        return afterChange(db, board, `Updated ${changed.map(([name]) => name).join(', ')} of "${input.title ?? card.title}".`);
      });
    },

    async moveCard(viewer: Viewer, input: z.output<typeof moveCardInput>): Promise<BoardChange> {
      const position = input.position ?? 'bottom';
      if ((position === 'before' || position === 'after') !== (input.relativeTo !== undefined)) {
        throw new KanbanError({ rule: 'neighbour_without_before_or_after' });
      }
      return writeBoard(viewer, async (db) => {
        const { card, board } = await findEditableCard(db, viewer, input.cardId);
        if (input.relativeTo === card.id) throw new KanbanError({ rule: 'move_next_to_itself' });
        // "Move X before Y" names no column: Y's column, found on this board only.
        const [neighbour] = input.relativeTo === undefined ? [] : await db.select().from(cards).where(and(eq(cards.id, input.relativeTo), eq(cards.boardId, board.id))).limit(1);
        const target = await resolveColumn(db, board, input.column ?? neighbour?.columnId ?? card.columnId);
        if (target.id !== card.columnId) await assertWipRoom(db, target, input.force);
        const newPosition = await placement(db, target.id, { position, relativeTo: input.relativeTo }, card.id);
        await db.update(cards).set({ columnId: target.id, position: newPosition, updatedAt: new Date() }).where(eq(cards.id, card.id));
        const where = neighbour ? `${position} "${neighbour.title}"` : position;
        return afterChange(db, board, `Moved "${card.title}" to ${target.title} (${where}).`);
      });
    },

    async deleteCard(viewer: Viewer, cardId: string): Promise<BoardChange> {
      return writeBoard(viewer, async (db) => {
        const { card, board } = await findEditableCard(db, viewer, cardId);
        await db.delete(cards).where(eq(cards.id, card.id));
        return afterChange(db, board, `Deleted "${card.title}".`);
      });
    },
  });
}

export type KanbanService = ReturnType<typeof createKanbanService>;
