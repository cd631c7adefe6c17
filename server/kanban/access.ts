import { and, eq, or, type SQL } from 'drizzle-orm';
import type { KanbanDb } from '../../db/client.ts';
import { boards, type BoardRow } from '../../db/schema.ts';
import { hasScopes, SCOPES } from '../scopes.ts';
import { boardNotFound, KanbanError } from './errors.ts';
import type { Viewer } from './viewer.ts';

// Who may read and who may change which board. Every read and write goes through these.

/** Private boards are the owner's, and only with kanban.read (kanban.write implies it). */
function readsPrivate(viewer: Viewer): viewer is Extract<Viewer, { signedIn: true }> {
  return viewer.signedIn && hasScopes(viewer.scopes, [SCOPES.read]);
}

export function canEdit(viewer: Viewer, board: Pick<BoardRow, 'ownerSub'>): boolean {
  return viewer.signedIn && board.ownerSub !== null && board.ownerSub === viewer.subject && hasScopes(viewer.scopes, [SCOPES.write]);
}

export function ownership(viewer: Viewer, board: Pick<BoardRow, 'ownerSub'>): { owned: boolean; canEdit: boolean } {
  return { owned: viewer.signedIn && board.ownerSub !== null && board.ownerSub === viewer.subject, canEdit: canEdit(viewer, board) };
}

/** The boards a viewer may read: public ones, and their own. */
export function boardsVisibleTo(viewer: Viewer): SQL {
  const isPublic = eq(boards.visibility, 'public');
  if (!readsPrivate(viewer)) return isPublic;
  return or(isPublic, eq(boards.ownerSub, viewer.subject))!;
}

/** The database or a transaction on it: these rules only read. */
export type BoardReader = Pick<KanbanDb, 'select'>;

/** The board, if the viewer may read it; otherwise the same "not found" as for no board at all. */
export function findVisibleBoard(db: BoardReader, viewer: Viewer, boardId: string): BoardRow {
  const board = db.select().from(boards).where(and(eq(boards.id, boardId), boardsVisibleTo(viewer))).get();
  if (!board) throw boardNotFound(boardId);
  return board;
}

/** The board, if the viewer may change it: "not found" when they cannot see it, "read-only" when they can. */
export function findEditableBoard(db: BoardReader, viewer: Viewer, boardId: string): BoardRow {
  const board = findVisibleBoard(db, viewer, boardId);
  if (!canEdit(viewer, board)) {
    const why = board.ownerSub === null ? 'it is a demo board' : 'only its owner can change it';
    throw new KanbanError('read_only', `Board "${board.title}" is read-only for you: ${why}. Create a board of your own with create_board, or add cards to your personal board (create_card without boardId).`);
  }
  return board;
}

export function signedInSubject(viewer: Viewer): string {
  if (!viewer.signedIn) throw new KanbanError('read_only', 'Sign in to change boards.');
  return viewer.subject;
}
