import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { KanbanDb } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { positionBetween, spacedPositions } from '../../db/positions.ts';
import { boards, cards, columns, toolRequests, type BoardRow, type CardRow, type ColumnRow } from '../../db/schema.ts';
import { boardsVisibleTo, ownership, preparedBoardAccess, signedInSubject } from './access.ts';
import { KanbanError } from './errors.ts';
import { LIMITS, type BoardSummary, type BoardView, type CardView, type SearchHit } from './schemas.ts';
import type { Viewer } from './viewer.ts';

// Every board/column/card rule lives here (who may do what: access.ts). It knows nothing of
// HTTP or MCP: it takes a Viewer and plain arguments, and returns plain data or throws a
// KanbanError. Every write is one IMMEDIATE transaction: all of it happens, or none of it.

const DEFAULT_PAGE_SIZE = 20;
const DEFAULT_SEARCH_RESULTS = 20;
const MAX_SEARCH_WORDS = 10;
const DEFAULT_COLUMNS = ['To do', 'Doing', 'Done'];
const PERSONAL_BOARD_TITLE = 'My board';
const REQUEST_ID_TTL_MS = 24 * 60 * 60 * 1000;
const REQUEST_SWEEP_EVERY_MS = 60 * 1000;

// list_boards pages newest first by (updatedAt, id); the cursor is that pair, opaque to clients.
const cursorShape = z.tuple([z.number().int().nonnegative(), z.string().max(64)]);

function encodeCursor(row: Pick<BoardRow, 'updatedAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([row.updatedAt.getTime(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  try {
    const [updatedAt, id] = cursorShape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { updatedAt: new Date(updatedAt), id };
  } catch {
    throw new KanbanError('invalid', 'That cursor is not one list_boards gave out. Call list_boards without a cursor to start from the first page.');
  }
}

/** LIKE pattern matching `word` anywhere, with LIKE's own wildcards taken literally. */
function containsPattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function toCardView(card: Pick<CardRow, 'id' | 'title' | 'labels' | 'dueDate'>): CardView {
  return { id: card.id, title: card.title, labels: card.labels, dueDate: card.dueDate };
}

function cardNotFound(cardId: string): KanbanError {
  return new KanbanError('not_found', `No card ${cardId} is visible to you. Call get_board to see a board's cards and their ids.`);
}

export interface BoardWithDetails {
  board: BoardView;
  /** Card descriptions by card id: bulky, so tools send them to the widget only. */
  descriptions: Record<string, string>;
}

/** The board after a change, and one sentence saying what changed. */
export interface BoardChange extends BoardWithDetails {
  change: string;
  /** The card a create made. */
  cardId?: string;
}

/** What a write did, as remembered for a requestId replay: small, and re-read on the way out. */
interface Written {
  boardId: string;
  change: string;
  cardId?: string;
}

type Tx = Parameters<Parameters<KanbanDb['transaction']>[0]>[0];

/** Columns are found by name too, so two names that differ only in case would be ambiguous. */
function assertDistinctNames(titles: string[]): void {
  const seen = new Set<string>();
  for (const title of titles) {
    const key = title.trim().toLowerCase();
    if (seen.has(key)) throw new KanbanError('invalid', `Two columns would be named "${title}": column names must differ (ignoring case).`);
    seen.add(key);
  }
}

export function createKanbanService(db: KanbanDb) {
  // The reads of every get_board and of the board after every write, prepared once. One
  // connection: inside a transaction they read what the transaction sees.
  const access = preparedBoardAccess(db);
  const visibleBoard = access.visible;
  const columnsOfBoard = db.select().from(columns).where(eq(columns.boardId, sql.placeholder('boardId'))).orderBy(asc(columns.position)).prepare();
  const cardsOfBoard = db.select().from(cards).where(eq(cards.boardId, sql.placeholder('boardId'))).orderBy(asc(cards.position), asc(cards.id)).prepare();
  const cardsOfColumn = db.select().from(cards).where(eq(cards.columnId, sql.placeholder('columnId'))).orderBy(asc(cards.position), asc(cards.id)).prepare();
  const cardCountOfBoard = db.select({ n: count() }).from(cards).where(eq(cards.boardId, sql.placeholder('boardId'))).prepare();
  const cardCountOfColumn = db.select({ n: count() }).from(cards).where(eq(cards.columnId, sql.placeholder('columnId'))).prepare();
  // Placeholders in set() take no column mapping: the value is already what is stored (ms).
  const touchBoard = db.update(boards).set({ updatedAt: sql`${sql.placeholder('nowMs')}` }).where(eq(boards.id, sql.placeholder('boardId'))).prepare();
  const forgetOldRequests = db.delete(toolRequests).where(lt(toolRequests.createdAt, sql.placeholder('before'))).prepare();
  let requestsSweptAt = 0;

  function boardDetails(viewer: Viewer, board: BoardRow): BoardWithDetails {
    const columnRows = columnsOfBoard.all({ boardId: board.id });
    const cardRows = cardsOfBoard.all({ boardId: board.id });
    const cardsByColumn = new Map<string, CardView[]>(columnRows.map((column) => [column.id, []]));
    const descriptions: Record<string, string> = {};
    for (const card of cardRows) {
      cardsByColumn.get(card.columnId)?.push(toCardView(card));
      if (card.description) descriptions[card.id] = card.description;
    }
    return {
      board: {
        id: board.id,
        title: board.title,
        visibility: board.visibility,
        ...ownership(viewer, board),
        updatedAt: board.updatedAt.toISOString(),
        columns: columnRows.map((column) => ({ id: column.id, title: column.title, wipLimit: column.wipLimit, cards: cardsByColumn.get(column.id) ?? [] })),
      },
      descriptions,
    };
  }

  /** One IMMEDIATE transaction: a read that turns into a write never meets SQLITE_BUSY_SNAPSHOT. */
  function write<T>(run: (tx: Tx) => T): T {
    return db.transaction(run, { behavior: 'immediate' });
  }

  /** Marks the board changed. The board itself is read after the commit (present), not under the write lock. */
  function afterChange(board: BoardRow, change: string, cardId?: string): Written {
    touchBoard.run({ boardId: board.id, nowMs: Date.now() });
    return cardId === undefined ? { boardId: board.id, change } : { boardId: board.id, change, cardId };
  }

  /** Several statements that must see one state of the database (a deferred read transaction). */
  function read<T>(run: (tx: Tx) => T): T {
    return db.transaction(run);
  }

  /** The board a write changed, as it is now. */
  function present(viewer: Viewer, written: Written): BoardChange {
    const details = read(() => boardDetails(viewer, visibleBoard(viewer, written.boardId)));
    return { ...details, change: written.change, ...(written.cardId === undefined ? {} : { cardId: written.cardId }) };
  }

  function columnsOf(boardId: string): ColumnRow[] {
    return columnsOfBoard.all({ boardId });
  }

  /** A column of the board by id or by name (case-insensitive); by default the first. */
  function resolveColumn(board: BoardRow, reference: string | undefined): ColumnRow {
    const all = columnsOf(board.id);
    if (all.length === 0) throw new KanbanError('invalid', `Board "${board.title}" has no columns. Add one with update_board first.`);
    if (reference === undefined) return all[0]!;
    const wanted = reference.trim().toLowerCase();
    const found = all.find((column) => column.id === reference.trim()) ?? all.find((column) => column.title.toLowerCase() === wanted);
    if (!found) throw new KanbanError('invalid', `Board "${board.title}" has no column "${reference}". Its columns are: ${all.map((column) => column.title).join(', ')}.`);
    return found;
  }

  function cardsInColumn(columnId: string): CardRow[] {
    return cardsOfColumn.all({ columnId });
  }

  function assertWipRoom(column: ColumnRow, force: boolean | undefined): void {
    if (column.wipLimit === null || force) return;
    const { n } = cardCountOfColumn.get({ columnId: column.id })!;
    if (n >= column.wipLimit) {
      throw new KanbanError('invalid', `Column "${column.title}" is at its WIP limit (${n} of ${column.wipLimit}). Finish or move a card out first, or pass force: true to go over the limit.`);
    }
  }

  /** Respaces a column's cards (in their current order) when neighbours leave no room between them. */
  function rebalance(tx: Tx, columnId: string): CardRow[] {
    const ordered = cardsInColumn(columnId);
    const positions = spacedPositions(ordered.length);
    return ordered.map((card, index) => {
      const position = positions[index]!;
      tx.update(cards).set({ position }).where(eq(cards.id, card.id)).run();
      return { ...card, position };
    });
  }

  /** The position for a card placed in `columnId` (the moving card itself excluded from neighbours). */
  function placement(tx: Tx, columnId: string, where: { position: 'top' | 'bottom' | 'before' | 'after'; relativeTo?: string }, movingId?: string): number {
    const pick = (ordered: CardRow[]) => {
      const others = ordered.filter((card) => card.id !== movingId);
      if (where.position === 'top') return positionBetween(undefined, others[0]?.position);
      if (where.position === 'bottom') return positionBetween(others.at(-1)?.position, undefined);
      const index = others.findIndex((card) => card.id === where.relativeTo);
      if (index === -1) throw new KanbanError('invalid', `Card ${where.relativeTo} is not in that column: to move ${where.position} a card, name one in the target column.`);
      return where.position === 'before' ? positionBetween(others[index - 1]?.position, others[index]!.position) : positionBetween(others[index]!.position, others[index + 1]?.position);
    };
    return pick(cardsInColumn(columnId)) ?? pick(rebalance(tx, columnId))!;
  }

  function assertCardRoom(board: BoardRow): void {
    const { n } = cardCountOfBoard.get({ boardId: board.id })!;
    if (n >= LIMITS.cardsPerBoard) throw new KanbanError('invalid', `Board "${board.title}" already holds ${LIMITS.cardsPerBoard} cards, the most a board can hold. Delete some, or start another board.`);
  }

  function insertBoard(tx: Tx, owner: string, input: { title: string; columns?: string[]; visibility?: 'public' | 'private'; personal?: boolean }): BoardRow {
    const now = new Date();
    const row: BoardRow = { id: newId('board'), ownerSub: owner, title: input.title, visibility: input.visibility ?? 'private', personal: input.personal ?? false, createdAt: now, updatedAt: now };
    tx.insert(boards).values(row).run();
    const titles = input.columns ?? DEFAULT_COLUMNS;
    const positions = spacedPositions(titles.length);
    tx.insert(columns).values(titles.map((title, index) => ({ id: newId('column'), boardId: row.id, title, position: positions[index]!, wipLimit: null }))).run();
    return row;
  }

  /** The viewer's personal board, made on first use (the unique index keeps it to one per owner). */
  function personalBoard(tx: Tx, viewer: Viewer): BoardRow {
    const owner = signedInSubject(viewer);
    const existing = tx.select().from(boards).where(and(eq(boards.ownerSub, owner), eq(boards.personal, true))).get();
    return existing ?? insertBoard(tx, owner, { title: PERSONAL_BOARD_TITLE, personal: true });
  }

  /**
   * Runs a create once per (user, requestId) within a day: a retried call gets the first result
   * back. The lookup, the write and the remembered result share one transaction.
   */
  function once(viewer: Viewer, requestId: string | undefined, tool: string, args: object, run: (tx: Tx) => Written): Written {
    // Old requestIds are forgotten now and then, not on every write (the lookup below ignores
    // day-old ones whenever the sweep last ran).
    if (Date.now() - requestsSweptAt > REQUEST_SWEEP_EVERY_MS) {
      forgetOldRequests.run({ before: Date.now() - REQUEST_ID_TTL_MS });
      requestsSweptAt = Date.now();
    }
    return write((tx) => {
      if (requestId === undefined) return run(tx);
      const subject = signedInSubject(viewer);
      const fingerprint = createHash('sha256').update(`${tool}\n${JSON.stringify(args)}`).digest('base64url');
      const found = tx.select().from(toolRequests).where(and(eq(toolRequests.subject, subject), eq(toolRequests.requestId, requestId))).get();
      // Older than a day counts as never seen, whenever the sweep last ran.
      const earlier = found && found.createdAt.getTime() > Date.now() - REQUEST_ID_TTL_MS ? found : undefined;
      if (found && !earlier) tx.delete(toolRequests).where(and(eq(toolRequests.subject, subject), eq(toolRequests.requestId, requestId))).run();
      if (earlier) {
        const { fingerprint: earlierFingerprint, ...written } = earlier.result as unknown as Written & { fingerprint: string };
        if (earlier.tool !== tool || earlierFingerprint !== fingerprint) {
          throw new KanbanError('invalid', `requestId ${requestId} was already used for a different call (${earlier.tool}): use a new requestId for each new call.`);
        }
        return written;
      }
      const written = run(tx);
      tx.insert(toolRequests).values({ subject, requestId, tool, result: { ...written, fingerprint }, createdAt: new Date() }).run();
      return written;
    });
  }

  function findEditableCard(tx: Tx, viewer: Viewer, cardId: string): { card: CardRow; board: BoardRow } {
    const card = tx.select().from(cards).where(eq(cards.id, cardId)).get();
    if (!card) throw cardNotFound(cardId);
    try {
      return { card, board: access.editable(viewer, card.boardId) };
    } catch (error) {
      // A card on a board the viewer cannot see does not exist for them.
      if (error instanceof KanbanError && error.kind === 'not_found') throw cardNotFound(cardId);
      throw error;
    }
  }

  return {
    listBoards(viewer: Viewer, options: { limit?: number; cursor?: string } = {}): { boards: BoardSummary[]; nextCursor?: string } {
      const limit = options.limit ?? DEFAULT_PAGE_SIZE;
      const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
      const rows = db
        .select({
          id: boards.id,
          title: boards.title,
          visibility: boards.visibility,
          ownerSub: boards.ownerSub,
          updatedAt: boards.updatedAt,
          columnCount: db.$count(columns, eq(columns.boardId, boards.id)),
          cardCount: db.$count(cards, eq(cards.boardId, boards.id)),
        })
        .from(boards)
        .where(and(boardsVisibleTo(viewer), after && or(lt(boards.updatedAt, after.updatedAt), and(eq(boards.updatedAt, after.updatedAt), lt(boards.id, after.id)))))
        .orderBy(desc(boards.updatedAt), desc(boards.id))
        .limit(limit + 1)
        .all();
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        boards: page.map(({ ownerSub, ...row }) => ({ ...row, ...ownership(viewer, { ownerSub }), updatedAt: row.updatedAt.toISOString() })),
        ...(rows.length > limit && last ? { nextCursor: encodeCursor(last) } : {}),
      };
    },

    getBoard(viewer: Viewer, boardId: string): BoardWithDetails {
      return read(() => boardDetails(viewer, visibleBoard(viewer, boardId)));
    },

    searchCards(viewer: Viewer, options: { query: string; boardId?: string; limit?: number }): SearchHit[] {
      if (options.boardId !== undefined) visibleBoard(viewer, options.boardId);
      const words = options.query.split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);
      const everyWordMatches = words.map((word) => {
        const pattern = containsPattern(word);
        return sql`(${cards.title} LIKE ${pattern} ESCAPE '\\' OR ${cards.description} LIKE ${pattern} ESCAPE '\\')`;
      });
      const rows = db
        .select({
          card: { id: cards.id, title: cards.title, labels: cards.labels, dueDate: cards.dueDate },
          board: { id: boards.id, title: boards.title },
          column: { id: columns.id, title: columns.title },
        })
        .from(cards)
        .innerJoin(boards, eq(boards.id, cards.boardId))
        .innerJoin(columns, eq(columns.id, cards.columnId))
        .where(and(boardsVisibleTo(viewer), options.boardId === undefined ? undefined : eq(cards.boardId, options.boardId), ...everyWordMatches))
        .orderBy(desc(cards.updatedAt), asc(cards.id))
        .limit(options.limit ?? DEFAULT_SEARCH_RESULTS)
        .all();
      return rows.map((row) => ({ ...row, card: toCardView(row.card) }));
    },

    createBoard(viewer: Viewer, input: { title: string; columns?: string[]; visibility?: 'public' | 'private'; requestId?: string }): BoardChange {
      const { requestId, ...args } = input;
      assertDistinctNames(args.columns ?? DEFAULT_COLUMNS);
      return present(
        viewer,
        once(viewer, requestId, 'create_board', args, (tx) => {
          const board = insertBoard(tx, signedInSubject(viewer), { title: args.title, columns: args.columns, visibility: args.visibility });
          return afterChange(board, `Created board "${board.title}" (${board.visibility}).`);
        }),
      );
    },

    updateBoard(
      viewer: Viewer,
      input: {
        boardId: string;
        title?: string;
        visibility?: 'public' | 'private';
        addColumns?: { title: string; wipLimit?: number | null }[];
        renameColumns?: { columnId: string; title: string }[];
        columnOrder?: string[];
        removeColumns?: string[];
        wipLimits?: { columnId: string; wipLimit: number | null }[];
      },
    ): BoardChange {
      const written = write((tx) => {
        const board = access.editable(viewer, input.boardId);
        const done: string[] = [];
        const columnOfBoard = (columnId: string) => {
          const column = tx.select().from(columns).where(and(eq(columns.id, columnId), eq(columns.boardId, board.id))).get();
          if (!column) throw new KanbanError('invalid', `Board "${board.title}" has no column ${columnId}. Call get_board to see its column ids.`);
          return column;
        };
        if (input.title !== undefined) done.push(`renamed it "${input.title}"`);
        if (input.visibility !== undefined) done.push(`made it ${input.visibility}`);
        // Title and visibility in one UPDATE of the board row.
        if (input.title !== undefined || input.visibility !== undefined) {
          tx.update(boards).set({ ...(input.title === undefined ? {} : { title: input.title }), ...(input.visibility === undefined ? {} : { visibility: input.visibility }) }).where(eq(boards.id, board.id)).run();
        }
        for (const columnId of new Set(input.removeColumns ?? [])) {
          const column = columnOfBoard(columnId);
          const { n } = tx.select({ n: count() }).from(cards).where(eq(cards.columnId, column.id)).get()!;
          if (n > 0) throw new KanbanError('invalid', `Column "${column.title}" still holds ${n} card${n === 1 ? '' : 's'}: move or delete them first.`);
          tx.delete(columns).where(eq(columns.id, column.id)).run();
          done.push(`removed column "${column.title}"`);
        }
        if (input.columnOrder !== undefined) {
          const current = columnsOf(board.id).map((column) => column.id);
          const same = input.columnOrder.length === current.length && new Set(input.columnOrder).size === current.length && input.columnOrder.every((id) => current.includes(id));
          if (!same) throw new KanbanError('invalid', 'columnOrder must list every column id of the board exactly once. Call get_board to see them.');
          spacedPositions(current.length).forEach((position, index) => tx.update(columns).set({ position }).where(eq(columns.id, input.columnOrder![index]!)).run());
          done.push('reordered the columns');
        }
        for (const added of input.addColumns ?? []) {
          const existing = columnsOf(board.id);
          if (existing.length >= LIMITS.columnsPerBoard) {
            throw new KanbanError('invalid', `A board holds at most ${LIMITS.columnsPerBoard} columns; "${board.title}" has ${existing.length}, so "${added.title}" does not fit.`);
          }
          tx.insert(columns).values({ id: newId('column'), boardId: board.id, title: added.title, position: positionBetween(existing.at(-1)?.position, undefined)!, wipLimit: added.wipLimit ?? null }).run();
          done.push(`added column "${added.title}"`);
        }
        for (const { columnId, title } of input.renameColumns ?? []) {
          const column = columnOfBoard(columnId);
          tx.update(columns).set({ title }).where(eq(columns.id, column.id)).run();
          done.push(`renamed column "${column.title}" to "${title}"`);
        }
        for (const { columnId, wipLimit } of input.wipLimits ?? []) {
          const column = columnOfBoard(columnId);
          tx.update(columns).set({ wipLimit }).where(eq(columns.id, column.id)).run();
          done.push(wipLimit === null ? `removed the WIP limit of "${column.title}"` : `set the WIP limit of "${column.title}" to ${wipLimit}`);
        }
        if (done.length === 0) throw new KanbanError('invalid', 'Nothing to change: give a title, a visibility, or column changes.');
        const after = columnsOf(board.id);
        assertDistinctNames(after.map((column) => column.title));
        if (after.length === 0) throw new KanbanError('invalid', 'A board keeps at least one column: add another before removing the last.');
        return afterChange(board, `On board "${input.title ?? board.title}": ${done.join('; ')}.`);
      });
      return present(viewer, written);
    },

    deleteBoard(viewer: Viewer, boardId: string): { deleted: { id: string; title: string }; change: string } {
      return write((tx) => {
        const board = access.editable(viewer, boardId);
        tx.delete(boards).where(eq(boards.id, board.id)).run();
        return { deleted: { id: board.id, title: board.title }, change: `Deleted board "${board.title}" and its cards.` };
      });
    },

    createCard(
      viewer: Viewer,
      input: { title: string; boardId?: string; column?: string; description?: string; labels?: string[]; dueDate?: string; position?: 'top' | 'bottom'; force?: boolean; requestId?: string },
    ): BoardChange & { cardId: string } {
      const { requestId, ...args } = input;
      const written = once(viewer, requestId, 'create_card', args, (tx) => {
        const board = input.boardId === undefined ? personalBoard(tx, viewer) : access.editable(viewer, input.boardId);
        const column = resolveColumn(board, input.column);
        assertCardRoom(board);
        assertWipRoom(column, input.force);
        const now = new Date();
        const card = {
          id: newId('card'),
          boardId: board.id,
          columnId: column.id,
          title: input.title,
          description: input.description ?? '',
          labels: input.labels ?? [],
          dueDate: input.dueDate ?? null,
          position: placement(tx, column.id, { position: input.position ?? 'bottom' }),
          createdBySub: signedInSubject(viewer),
          createdAt: now,
          updatedAt: now,
        };
        tx.insert(cards).values(card).run();
        return afterChange(board, `Added "${card.title}" (${card.id}) to ${column.title} on board "${board.title}".`, card.id);
      });
      return { ...present(viewer, written), cardId: written.cardId! };
    },

    updateCard(viewer: Viewer, input: { cardId: string; title?: string; description?: string; labels?: string[]; dueDate?: string | null }): BoardChange {
      const fields = { title: input.title, description: input.description, labels: input.labels, dueDate: input.dueDate };
      const changed = Object.entries(fields).filter(([, value]) => value !== undefined);
      if (changed.length === 0) throw new KanbanError('invalid', 'Nothing to change: give a title, description, labels or dueDate.');
      const written = write((tx) => {
        const { card, board } = findEditableCard(tx, viewer, input.cardId);
        tx.update(cards).set({ ...Object.fromEntries(changed), updatedAt: new Date() }).where(eq(cards.id, card.id)).run();
        return afterChange(board, `Updated ${changed.map(([name]) => name).join(', ')} of "${input.title ?? card.title}".`);
      });
      return present(viewer, written);
    },

    moveCard(viewer: Viewer, input: { cardId: string; column?: string; position?: 'top' | 'bottom' | 'before' | 'after'; relativeTo?: string; force?: boolean }): BoardChange {
      const position = input.position ?? 'bottom';
      if ((position === 'before' || position === 'after') !== (input.relativeTo !== undefined)) {
        throw new KanbanError('invalid', 'relativeTo goes with position "before" or "after", and only with them.');
      }
      const written = write((tx) => {
        const { card, board } = findEditableCard(tx, viewer, input.cardId);
        if (input.relativeTo === card.id) throw new KanbanError('invalid', 'A card cannot move before or after itself.');
        // "Move X before Y" names no column: Y's column, found on this board only.
        const neighbour = input.relativeTo === undefined ? undefined : tx.select().from(cards).where(and(eq(cards.id, input.relativeTo), eq(cards.boardId, board.id))).get();
        const target = resolveColumn(board, input.column ?? neighbour?.columnId ?? card.columnId);
        if (target.id !== card.columnId) assertWipRoom(target, input.force);
        const newPosition = placement(tx, target.id, { position, relativeTo: input.relativeTo }, card.id);
        tx.update(cards).set({ columnId: target.id, position: newPosition, updatedAt: new Date() }).where(eq(cards.id, card.id)).run();
        const where = neighbour ? `${position} "${neighbour.title}"` : position;
        return afterChange(board, `Moved "${card.title}" to ${target.title} (${where}).`);
      });
      return present(viewer, written);
    },

    deleteCard(viewer: Viewer, cardId: string): BoardChange {
      const written = write((tx) => {
        const { card, board } = findEditableCard(tx, viewer, cardId);
        tx.delete(cards).where(eq(cards.id, card.id)).run();
        return afterChange(board, `Deleted "${card.title}".`);
      });
      return present(viewer, written);
    },
  };
}

export type KanbanService = ReturnType<typeof createKanbanService>;
