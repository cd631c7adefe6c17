import { and, eq } from 'drizzle-orm';
import type { BoardRow, Db, KanbanDatabase } from '../../db/database.ts';
import { newId } from '../../db/ids.ts';
import { spacedPositions } from '../../db/positions.ts';
import { signedInSubject } from './access.ts';
import { KanbanError } from './errors.ts';
import type { Viewer } from '../viewer.ts';

// A new board with its columns: one a person creates (create_board), and their personal board,
// made by their first create_card without a boardId.

const DEFAULT_COLUMNS = ['To do', 'Doing', 'Done'];
const PERSONAL_BOARD_TITLE = 'My board';

/** Columns are found by name too, so two names that differ only in case would be ambiguous. */
export function assertDistinctNames(titles: string[]): void {
  const seen = new Set<string>();
  for (const title of titles) {
    const key = title.trim().toLowerCase();
    if (seen.has(key)) throw new KanbanError({ rule: 'duplicate_column_name', title });
    seen.add(key);
  }
}

export function newBoards(database: KanbanDatabase) {
  const { boards, columns } = database.tables;

  async function insertBoard(db: Db, owner: string, input: { title: string; columns?: string[]; visibility?: 'public' | 'private'; personal?: boolean }): Promise<BoardRow> {
    const now = new Date();
    const row: BoardRow = { id: newId('board'), ownerSub: owner, title: input.title, visibility: input.visibility ?? 'private', personal: input.personal ?? false, featured: false, createdAt: now, updatedAt: now };
    await db.insert(boards).values(row);
    const titles = input.columns ?? DEFAULT_COLUMNS;
    const positions = spacedPositions(titles.length);
    await db.insert(columns).values(titles.map((title, index) => ({ id: newId('column'), boardId: row.id, title, position: positions[index]!, wipLimit: null })));
    return row;
  }

  /** The viewer's personal board, made on first use. One per owner: their writes queue, and the unique index holds it. */
  async function personalBoard(db: Db, viewer: Viewer): Promise<BoardRow> {
    const owner = signedInSubject(viewer);
    const [existing] = await db.select().from(boards).where(and(eq(boards.ownerSub, owner), eq(boards.personal, true))).limit(1);
    return existing ?? insertBoard(db, owner, { title: PERSONAL_BOARD_TITLE, personal: true });
  }

  return { insertBoard, personalBoard };
}
