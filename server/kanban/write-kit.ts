import { asc, count, eq, sql } from 'drizzle-orm';
import { countOf, type BoardRow, type ColumnRow, type Db, type KanbanDatabase } from '../../db/database.ts';
import type { Viewer } from '../viewer.ts';
import type { BoardAccess } from './access.ts';
import type { BoardContents, BoardWithDetails } from './board-contents.ts';
import { newBoards } from './new-boards.ts';
import { quotaChecks, type KanbanQuotas } from './quotas.ts';
import { requestReplay, type Written } from './request-replay.ts';

// What every write shares, whatever it changes (board-writes.ts, card-writes.ts): one transaction
// on the viewer's behalf, the board's version moved on, and the answer read inside that same
// transaction. Made once per service, with its prepared statements.

/** The board after a change, and one sentence saying what changed. */
export interface BoardChange extends BoardWithDetails {
  change: string;
  /** The card a create made. */
  cardId?: string;
}

export type WriteKit = ReturnType<typeof writeKit>;

/** `access` and `contents` are shared with the reads (service.ts). */
export function writeKit(database: KanbanDatabase, quotas: KanbanQuotas, access: BoardAccess, contents: BoardContents) {
  const { boards, cards, columns } = database.tables;
  const columnsOfBoard = database.prepared('columns_of_board', (db) => db.select().from(columns).where(eq(columns.boardId, sql.placeholder('boardId'))).orderBy(asc(columns.position)));
  // set()'s types leave placeholders out, but it takes them as values() does: wrapped with the
  // column's encoder (the Date becomes each engine's timestamp when the statement runs).
  const touchBoard = database.prepared('touch_board', (db) =>
    db.update(boards).set({ updatedAt: sql.placeholder('updatedAt') as unknown as Date }).where(eq(boards.id, sql.placeholder('boardId'))),
  );
  const cardCountOfColumn = database.prepared('card_count_of_column', (db) => db.select({ n: count() }).from(cards).where(eq(cards.columnId, sql.placeholder('columnId'))));

  /** A write on the viewer's behalf: one person's writes queue behind each other across replicas. */
  function write<T>(viewer: Viewer, work: (db: Db) => Promise<T>): Promise<T> {
    return database.write(work, { queueBy: viewer.signedIn ? viewer.subject : undefined });
  }

  /** The board a write changed, as that write's transaction sees it: no second read after the commit. */
  async function present(db: Db, viewer: Viewer, written: Written): Promise<BoardChange> {
    const details = await contents(db, viewer, written.boardId);
    return { ...details, change: written.change, ...(written.cardId === undefined ? {} : { cardId: written.cardId }) };
  }

  return {
    // The board row every write that names a board checks access on (access.ts); it runs in the
    // write given to it, and so sees what that transaction sees.
    access,
    quota: quotaChecks(database, quotas),
    once: requestReplay(database, write),
    newBoards: newBoards(database),
    write,
    present,

    /** A write that answers with the board it changed. */
    writeBoard(viewer: Viewer, work: (db: Db) => Promise<Written>): Promise<BoardChange> {
      return write(viewer, async (db) => present(db, viewer, await work(db)));
    },

    /** Marks the board changed. */
    async afterChange(db: Db, board: BoardRow, change: string, cardId?: string): Promise<Written> {
      // Strictly later than before, even within one millisecond: it is the board's version (mcp/replayed-answers.ts).
      const updatedAt = new Date(Math.max(Date.now(), board.updatedAt.getTime() + 1));
      await touchBoard(db, { updatedAt, boardId: board.id });
      return cardId === undefined ? { boardId: board.id, change } : { boardId: board.id, change, cardId };
    },

    columnsOf(db: Db, boardId: string): Promise<ColumnRow[]> {
      return columnsOfBoard(db, { boardId });
    },

    cardsInColumn(db: Db, columnId: string): Promise<number> {
      return countOf(cardCountOfColumn(db, { columnId }));
    },
  };
}
