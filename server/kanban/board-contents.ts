import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db, KanbanDatabase } from '../../db/database.ts';
import { ownership, preparedForViewer } from './access.ts';
import { boardNotFound } from './errors.ts';
import type { BoardView, CardView } from '../mcp/tools/schemas.ts';
import type { Viewer } from '../viewer.ts';

// A board the viewer may see, with its columns and cards, in one statement: the board's row, and
// its columns and cards each aggregated into one JSON value by the database (dialect.jsonRows).
// One round trip, and a snapshot by itself, so a read needs no transaction around it; a write
// answers with it from inside its own. Mapping 5 000 cards row by row was most of a big read.

export interface BoardWithDetails {
  board: BoardView;
  /** Card descriptions by card id: bulky, so tools send them to the widget only. */
  descriptions: Record<string, string>;
}

type ColumnValues = [id: string, title: string, wipLimit: number | null];
type CardValues = [id: string, columnId: string, title: string, labels: string[], dueDate: string | null, description: string];

/** A board the viewer may see, whole, read in the transaction given. */
export type BoardContents = (db: Db, viewer: Viewer, boardId: string) => Promise<BoardWithDetails>;

export function boardContents(database: KanbanDatabase): BoardContents {
  const { boards, columns, cards } = database.tables;
  const { dialect } = database;
  const fields = {
    ...getTableColumns(boards),
    columnsJson: dialect.jsonRows([columns.id, columns.title, columns.wipLimit], sql`${columns} WHERE ${columns.boardId} = ${boards.id}`, sql`${columns.position}`),
    cardsJson: dialect.jsonRows(
      [cards.id, cards.columnId, cards.title, dialect.json(cards.labels), cards.dueDate, cards.description],
      sql`${cards} WHERE ${cards.boardId} = ${boards.id}`,
      sql`${cards.position}, ${cards.id}`,
    ),
  };
  const contentsOf = preparedForViewer(database, 'board_contents', (db, visible) => db.select(fields).from(boards).where(and(eq(boards.id, sql.placeholder('boardId')), visible)));

  return async (db, viewer, boardId) => {
    const [row] = await contentsOf(db, viewer, { boardId });
    if (!row) throw boardNotFound(boardId);
    const cardsByColumn = new Map<string, CardView[]>();
    const boardColumns = (JSON.parse(row.columnsJson) as ColumnValues[]).map(([id, title, wipLimit]) => {
      const columnCards: CardView[] = [];
      cardsByColumn.set(id, columnCards);
      return { id, title, wipLimit, cards: columnCards };
    });
    const descriptions: Record<string, string> = {};
    for (const [id, columnId, title, labels, dueDate, description] of JSON.parse(row.cardsJson) as CardValues[]) {
      cardsByColumn.get(columnId)?.push({ id, title, labels, dueDate });
      if (description) descriptions[id] = description;
    }
    return {
      board: { id: row.id, title: row.title, visibility: row.visibility, ...ownership(viewer, row), updatedAt: row.updatedAt.toISOString(), columns: boardColumns },
      descriptions,
    };
  };
}
