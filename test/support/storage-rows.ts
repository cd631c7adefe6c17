import { asc, count } from 'drizzle-orm';
import type { BoardRow, CardRow, ColumnRow, KanbanDatabase } from '../../db/database.ts';
import { newId } from '../../db/ids.ts';
import { cardSearchText } from '../../db/usernames.ts';

// Rows of the real schema for the storage conformance suite (storage-conformance.ts): whole rows,
// written through Drizzle as the app writes them, with what a case cares about overridden.

/** With milliseconds, as the app's cursors carry them: a store that rounds them loses rows from pages. */
export const WRITTEN_AT = new Date('2030-01-02T03:04:05.678Z');

export function boardRow(overrides: Partial<BoardRow> = {}): BoardRow {
  return { id: newId('board'), ownerSub: 'owner', title: 'Board', visibility: 'private', personal: false, featured: false, createdAt: WRITTEN_AT, updatedAt: WRITTEN_AT, ...overrides };
}

export function columnRow(boardId: string, overrides: Partial<ColumnRow> = {}): ColumnRow {
  return { id: newId('column'), boardId, title: 'To do', position: 1024, wipLimit: null, ...overrides };
}

/** A card with its folded words (search_text) written with it, as the app writes every card. */
export function cardRow(boardId: string, columnId: string, overrides: Partial<CardRow> = {}): CardRow {
  const title = overrides.title ?? 'Card';
  const description = overrides.description ?? '';
  return {
    id: newId('card'),
    boardId,
    columnId,
    title,
    description,
    searchText: cardSearchText({ title, description }),
    labels: [],
    dueDate: null,
    position: 1024,
    createdBySub: null,
    createdAt: WRITTEN_AT,
    updatedAt: WRITTEN_AT,
    ...overrides,
  };
}

/** A board and its one column, written in one write: where most cases start. */
export async function boardWithColumn(database: KanbanDatabase, board: Partial<BoardRow> = {}): Promise<{ board: BoardRow; column: ColumnRow }> {
  const { boards, columns } = database.tables;
  const row = boardRow(board);
  const column = columnRow(row.id);
  await database.write(async (db) => {
    await db.insert(boards).values(row);
    await db.insert(columns).values(column);
  });
  return { board: row, column };
}

/** The boards' titles, sorted: what a case reads back after a write. */
export async function boardTitles(database: KanbanDatabase): Promise<string[]> {
  const { boards } = database.tables;
  const rows = await database.read((db) => db.select({ title: boards.title }).from(boards).orderBy(asc(boards.title)));
  return rows.map((row) => row.title);
}

/** How many rows `table` holds, in a read of their own. */
export async function countRows(database: KanbanDatabase, table: keyof Pick<KanbanDatabase['tables'], 'boards' | 'columns' | 'cards' | 'oauthStore'>): Promise<number> {
  const from = database.tables[table];
  const [row] = await database.read((db) => db.select({ n: count() }).from(from));
  return row!.n;
}
