import { and, asc, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { KanbanDb } from '../../db/client.ts';
import { boards, cards, columns, type BoardRow, type CardRow } from '../../db/schema.ts';
import { boardNotFound, KanbanError } from './errors.ts';
import type { BoardSummary, BoardView, CardView, SearchHit } from './schemas.ts';
import type { Viewer } from './viewer.ts';

// Every board/column/card rule lives here. It knows nothing of HTTP or MCP: it takes a Viewer
// and plain arguments, and returns plain data or throws a KanbanError.

const DEFAULT_PAGE_SIZE = 20;
const DEFAULT_SEARCH_RESULTS = 20;
const MAX_SEARCH_WORDS = 10;

/** The boards a viewer may read: public ones, and their own. */
function boardsVisibleTo(viewer: Viewer): SQL {
  const isPublic = eq(boards.visibility, 'public');
  if (!viewer.signedIn) return isPublic;
  return or(isPublic, eq(boards.ownerSub, viewer.subject))!;
}

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

export interface BoardWithDetails {
  board: BoardView;
  /** Card descriptions by card id: bulky, so tools send them to the widget only. */
  descriptions: Record<string, string>;
}

export function createKanbanService(db: KanbanDb) {
  function findVisibleBoard(viewer: Viewer, boardId: string): BoardRow {
    const board = db.select().from(boards).where(and(eq(boards.id, boardId), boardsVisibleTo(viewer))).get();
    if (!board) throw boardNotFound(boardId);
    return board;
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
          updatedAt: boards.updatedAt,
          columnCount: db.$count(columns, eq(columns.boardId, boards.id)),
          cardCount: db.$count(cards, eq(cards.boardId, boards.id)),
        })
        .from(boards)
        .where(
          and(
            boardsVisibleTo(viewer),
            after && or(lt(boards.updatedAt, after.updatedAt), and(eq(boards.updatedAt, after.updatedAt), lt(boards.id, after.id))),
          ),
        )
        .orderBy(desc(boards.updatedAt), desc(boards.id))
        .limit(limit + 1)
        .all();
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        boards: page.map((row) => ({ ...row, updatedAt: row.updatedAt.toISOString() })),
        ...(rows.length > limit && last ? { nextCursor: encodeCursor(last) } : {}),
      };
    },

    getBoard(viewer: Viewer, boardId: string): BoardWithDetails {
      const board = findVisibleBoard(viewer, boardId);
      const columnRows = db.select().from(columns).where(eq(columns.boardId, board.id)).orderBy(asc(columns.position)).all();
      const cardRows = db.select().from(cards).where(eq(cards.boardId, board.id)).orderBy(asc(cards.position)).all();
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
          updatedAt: board.updatedAt.toISOString(),
          columns: columnRows.map((column) => ({
            id: column.id,
            title: column.title,
            wipLimit: column.wipLimit,
            cards: cardsByColumn.get(column.id) ?? [],
          })),
        },
        descriptions,
      };
    },

    searchCards(viewer: Viewer, options: { query: string; boardId?: string; limit?: number }): SearchHit[] {
      if (options.boardId !== undefined) findVisibleBoard(viewer, options.boardId);
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
  };
}

export type KanbanService = ReturnType<typeof createKanbanService>;
