import { eq, inArray } from 'drizzle-orm';
import type { Db, KanbanDatabase } from '../../db/database.ts';

// Everything the app keeps for one owner (a token subject), for deleting an account: their boards
// with the columns and cards on them (only a board's owner writes on it: access.ts, so nobody
// else's cards are there), and the remembered results of their write tools (tool_requests).

export interface OwnedDataDeleted {
  boards: number;
  cards: number;
}

/** Inside a write queued by `subject`: deletes all of it. */
export async function deleteOwnedDataIn(database: KanbanDatabase, db: Db, subject: string): Promise<OwnedDataDeleted> {
  const { boards, cards, toolRequests } = database.tables;
  const owned = db.select({ id: boards.id }).from(boards).where(eq(boards.ownerSub, subject));
  // Cards first, to count them; columns go with their board (ON DELETE CASCADE on both engines).
  const cardRows = await db.delete(cards).where(inArray(cards.boardId, owned)).returning({ id: cards.id });
  const boardRows = await db.delete(boards).where(eq(boards.ownerSub, subject)).returning({ id: boards.id });
  await db.delete(toolRequests).where(eq(toolRequests.subject, subject));
  return { boards: boardRows.length, cards: cardRows.length };
}
