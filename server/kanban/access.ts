import { and, eq, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { BoardRow, CardRow, Db, KanbanDatabase, Tables } from '../../db/database.ts';
import { grantsReading, grantsWriting } from '../scopes.ts';
import { boardNotFound, cardNotFound, KanbanError } from './errors.ts';
import type { Viewer } from '../viewer.ts';

// Who may read and who may change which board. Every read and write goes through these. A public
// board is readable by anyone who has its id (its link); listing covers featured boards and one's own.

/** Private boards are the owner's, and only with kanban.read (kanban.write implies it). */
export function readsPrivate(viewer: Viewer): viewer is Extract<Viewer, { signedIn: true }> {
  return viewer.signedIn && grantsReading(viewer.scopes);
}

export function canEdit(viewer: Viewer, board: Pick<BoardRow, 'ownerSub'>): boolean {
  return viewer.signedIn && board.ownerSub !== null && board.ownerSub === viewer.subject && grantsWriting(viewer.scopes);
}

export function ownership(viewer: Viewer, board: Pick<BoardRow, 'ownerSub'>): { owned: boolean; canEdit: boolean } {
  return { owned: viewer.signedIn && board.ownerSub !== null && board.ownerSub === viewer.subject, canEdit: canEdit(viewer, board) };
}

/** Public boards, and with a subject (a value, or a placeholder of a prepared statement) theirs. */
export function visibleBoards(boards: Tables['boards'], subject: string | Placeholder | undefined): SQL {
  const isPublic = eq(boards.visibility, 'public');
  return subject === undefined ? isPublic : or(isPublic, eq(boards.ownerSub, subject))!;
}

/**
 * The boards list_boards and search_cards go through: the featured public ones (the demo boards,
 * and those the operator features) and the viewer's own. Any other public board is read by its id
 * or link only, so a stranger's board title does not reach every user's assistant (RV-08).
 */
export function boardsListedTo(boards: Tables['boards'], viewer: Viewer): SQL {
  const featured = and(eq(boards.featured, true), eq(boards.visibility, 'public'))!;
  return readsPrivate(viewer) ? or(featured, eq(boards.ownerSub, viewer.subject))! : featured;
}

/** The board a viewer may see, and the board a viewer may change, for every tool that names one. */
export interface BoardAccess {
  visible(db: Db, viewer: Viewer, boardId: string): Promise<BoardRow>;
  editable(db: Db, viewer: Viewer, boardId: string): Promise<BoardRow>;
  /**
   * A card the viewer may change, with its board, read together (one round trip). A card on a
   * board the viewer cannot see does not exist for them: "not found", as a card that does not.
   */
  editableCard(db: Db, viewer: Viewer, cardId: string): Promise<{ card: CardRow; board: BoardRow }>;
}

/**
 * BoardAccess as prepared statements: compiled once on SQLite (building and preparing queries per
 * call was a fifth of a board read's CPU time there), named on PostgreSQL. Every write to an
 * existing board starts here, and so does the version check of a replayed get_board answer.
 */
export function preparedBoardAccess(database: KanbanDatabase): BoardAccess {
  const { boards } = database.tables;
  const byId = eq(boards.id, sql.placeholder('boardId'));
  const publicOnly = database.prepared('board_if_public', (db) => db.select().from(boards).where(and(byId, visibleBoards(boards, undefined))));
  const publicOrOwn = database.prepared('board_if_public_or_own', (db) => db.select().from(boards).where(and(byId, visibleBoards(boards, sql.placeholder('subject')))));
  const visible = async (db: Db, viewer: Viewer, boardId: string): Promise<BoardRow> => {
    const [board] = readsPrivate(viewer) ? await publicOrOwn(db, { boardId, subject: viewer.subject }) : await publicOnly(db, { boardId });
    if (!board) throw boardNotFound(boardId);
    return board;
  };

  const { cards } = database.tables;
  const cardById = eq(cards.id, sql.placeholder('cardId'));
  const cardWithBoard = (db: Db) => db.select({ card: cards, board: boards }).from(cards).innerJoin(boards, eq(cards.boardId, boards.id));
  const cardIfPublic = database.prepared('card_if_public', (db) => cardWithBoard(db).where(and(cardById, visibleBoards(boards, undefined))));
  const cardIfPublicOrOwn = database.prepared('card_if_public_or_own', (db) => cardWithBoard(db).where(and(cardById, visibleBoards(boards, sql.placeholder('subject')))));

  return {
    visible,
    editable: async (db, viewer, boardId) => assertEditable(viewer, await visible(db, viewer, boardId)),
    async editableCard(db, viewer, cardId) {
      const [found] = readsPrivate(viewer) ? await cardIfPublicOrOwn(db, { cardId, subject: viewer.subject }) : await cardIfPublic(db, { cardId });
      if (!found) throw cardNotFound(cardId);
      return { card: found.card, board: assertEditable(viewer, found.board) };
    },
  };
}

/**
 * A board the viewer may see but not change is "read-only", with what they can do instead (a
 * board they cannot see is "not found", before this).
 */
function assertEditable(viewer: Viewer, board: BoardRow): BoardRow {
  if (!canEdit(viewer, board)) {
    throw new KanbanError({ rule: 'board_read_only', boardId: board.id, demo: board.ownerSub === null });
  }
  return board;
}


export function signedInSubject(viewer: Viewer): string {
  if (!viewer.signedIn) throw new KanbanError({ rule: 'not_signed_in' });
  return viewer.subject;
}
