import { and, asc, desc, eq, lt, or, sql } from 'drizzle-orm';
import { INDEXED_WORD_LENGTH, type KanbanDatabase } from '../../db/database.ts';
import { foldText } from '../../db/usernames.ts';
import { boardsListedTo, ownership, type BoardAccess } from './access.ts';
import type { BoardContents, BoardWithDetails } from './board-contents.ts';
import { decodeCursor, encodeCursor } from './board-cursors.ts';
import { KanbanError } from './errors.ts';
import type { z } from 'zod';
import type { BoardSummary, listBoardsInput, SearchHit, searchCardsInput } from '../mcp/tools/schemas.ts';
import { ANONYMOUS, type Viewer } from '../viewer.ts';

// What the tools read: the boards listed to a viewer (a page at a time), one board, the version of
// a public board's anonymous answer, and a search over cards. Writes are board-writes.ts's and
// card-writes.ts's.

const DEFAULT_PAGE_SIZE = 20;
const DEFAULT_SEARCH_RESULTS = 20;
const MAX_SEARCH_WORDS = 10;

/** `access` and `contents` are shared with the writes (access.ts, board-contents.ts), prepared once (service.ts). */
export function boardReads(database: KanbanDatabase, access: BoardAccess, contents: BoardContents) {
  const { boards, cards, columns } = database.tables;
  const { dialect } = database;
  const visibleBoard = access.visible;
  // A card's folded words (cards.search_text, written with the card); a row put straight into the
  // table without them is folded on the fly.
  const searchText = sql`coalesce(${cards.searchText}, ${dialect.fold(sql`${cards.title} || ${'\n'} || ${cards.description}`)})`;
  /** Cards holding every word (folded): through the engine's text index when a word is long enough for it, each checked on the card itself. */
  const holdingEvery = (words: string[]) => {
    const indexed = words.filter((word) => [...word].length >= INDEXED_WORD_LENGTH);
    return and(...(indexed.length > 0 ? [dialect.cardsThatMayHold(cards, indexed)] : []), ...words.map((word) => dialect.contains(searchText, word)));
  };

  return {
    async listBoards(viewer: Viewer, options: z.output<typeof listBoardsInput> = {}): Promise<{ boards: BoardSummary[]; nextCursor?: string }> {
      const limit = options.limit ?? DEFAULT_PAGE_SIZE;
      const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
      const rows = await database.read(async (db) =>
        db.select({
          id: boards.id,
          title: boards.title,
          visibility: boards.visibility,
          ownerSub: boards.ownerSub,
          updatedAt: boards.updatedAt,
          columnCount: db.$count(columns, eq(columns.boardId, boards.id)),
          cardCount: db.$count(cards, eq(cards.boardId, boards.id)),
        })
        .from(boards)
        .where(and(boardsListedTo(boards, viewer), after && or(lt(boards.updatedAt, after.updatedAt), and(eq(boards.updatedAt, after.updatedAt), lt(boards.id, after.id)))))
        .orderBy(desc(boards.updatedAt), desc(boards.id))
        .limit(limit + 1),
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        boards: page.map(({ ownerSub, ...row }) => ({ ...row, ...ownership(viewer, { ownerSub }), updatedAt: row.updatedAt.toISOString() })),
        ...(rows.length > limit && last ? { nextCursor: encodeCursor(last) } : {}),
      };
    },

    /** A board the viewer may see: one statement, a snapshot by itself. */
    getBoard(viewer: Viewer, boardId: string): Promise<BoardWithDetails> {
      return database.single((db) => contents(db, viewer, boardId));
    },

    /**
     * The version of what anyone not signed in reads of a board (its updatedAt, which every change
     * moves strictly forward), or undefined when they may read none of it: one statement.
     */
    async anonymousBoardVersion(boardId: string): Promise<number | undefined> {
      try {
        return (await database.single((db) => visibleBoard(db, ANONYMOUS, boardId))).updatedAt.getTime();
      } catch (error) {
        if (error instanceof KanbanError && error.notFound) return undefined;
        throw error;
      }
    },

    /** Over the listed boards (access.ts), or one board the viewer may read (a public one by its id). */
    searchCards(viewer: Viewer, options: z.output<typeof searchCardsInput>): Promise<(SearchHit & { ownBoard: boolean })[]> {
      const words = options.query.split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);
      const folded = words.map(foldText);
      return database.read(async (db) => {
        if (options.boardId !== undefined) await visibleBoard(db, viewer, options.boardId);
        const rows = await db
        .select({
          card: { id: cards.id, title: cards.title, labels: cards.labels, dueDate: cards.dueDate },
          board: { id: boards.id, title: boards.title },
          column: { id: columns.id, title: columns.title },
          ownerSub: boards.ownerSub,
        })
        .from(cards)
        .innerJoin(boards, eq(boards.id, cards.boardId))
        .innerJoin(columns, eq(columns.id, cards.columnId))
        .where(and(options.boardId === undefined ? boardsListedTo(boards, viewer) : eq(cards.boardId, options.boardId), holdingEvery(folded)))
        .orderBy(desc(cards.updatedAt), asc(cards.id))
        .limit(options.limit ?? DEFAULT_SEARCH_RESULTS);
        // The select shapes each card as CardView already.
        return rows.map(({ ownerSub, ...row }) => ({ ...row, ownBoard: ownership(viewer, { ownerSub }).owned }));
      });
    },
  };
}
