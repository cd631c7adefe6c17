import { and, eq, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { BoardRow, CardRow, Db, KanbanDatabase, Preparable, Tables } from '../../db/database.ts';
import { grantsReading, grantsWriting } from '../scopes.ts';
import { boardNotFound, cardNotFound, KanbanError } from './errors.ts';
import type { Viewer } from '../viewer.ts';

// Who may read and who may change which board. Every read and write goes through these. A public
// board is readable by anyone who has its id (its link); listing covers featured boards and one's own.

/** Private boards are the owner's, and only with kanban.read (kanban.write implies it). */
function readsPrivate(viewer: Viewer): viewer is Extract<Viewer, { signedIn: true }> {
  return viewer.signedIn && grantsReading(viewer.scopes);
}

export function canEdit(viewer: Viewer, board: Pick<BoardRow, 'ownerSub'>): boolean {
  return viewer.signedIn && board.ownerSub !== null && board.ownerSub === viewer.subject && grantsWriting(viewer.scopes);
}

export function ownership(viewer: Viewer, board: Pick<BoardRow, 'ownerSub'>): { owned: boolean; canEdit: boolean } {
  return { owned: viewer.signedIn && board.ownerSub !== null && board.ownerSub === viewer.subject, canEdit: canEdit(viewer, board) };
}

/** Public boards, and with a subject (a placeholder of a prepared statement) theirs. */
function visibleBoards(boards: Tables['boards'], subject: Placeholder | undefined): SQL {
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

/**
 * A read limited to the boards a viewer may see (`visible`, put in its WHERE), prepared twice: for
 * viewers who see public boards only, and for those who also see their own, whose subject fills
 * the second one's placeholder. The caller passes the viewer; the right one runs.
 */
export function preparedForViewer<Params extends Record<string, unknown>, Row>(
  database: KanbanDatabase,
  name: string,
  build: (db: Db, visible: SQL) => Preparable<Params, Row[]>,
): (db: Db, viewer: Viewer, params: Params) => Promise<Row[]> {
  const { boards } = database.tables;
  const publicOnly = database.prepared(`${name}_if_public`, (db) => build(db, visibleBoards(boards, undefined)));
  const publicOrOwn = database.prepared(`${name}_if_public_or_own`, (db) => build(db, visibleBoards(boards, sql.placeholder('subject'))) as Preparable<Params & { subject: string }, Row[]>);
  return (db, viewer, params) => (readsPrivate(viewer) ? publicOrOwn(db, { ...params, subject: viewer.subject }) : publicOnly(db, params));
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
  const { boards, cards } = database.tables;
  const boardOf = preparedForViewer(database, 'board', (db, visible) => db.select().from(boards).where(and(eq(boards.id, sql.placeholder('boardId')), visible)));
  const cardOf = preparedForViewer(database, 'card', (db, visible) =>
    db.select({ card: cards, board: boards }).from(cards).innerJoin(boards, eq(cards.boardId, boards.id)).where(and(eq(cards.id, sql.placeholder('cardId')), visible)),
  );
  const visible = async (db: Db, viewer: Viewer, boardId: string): Promise<BoardRow> => {
    const [board] = await boardOf(db, viewer, { boardId });
    if (!board) throw boardNotFound(boardId);
    return board;
  };

  return {
    visible,
    editable: async (db, viewer, boardId) => assertEditable(viewer, await visible(db, viewer, boardId)),
    async editableCard(db, viewer, cardId) {
      const [found] = await cardOf(db, viewer, { cardId });
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
