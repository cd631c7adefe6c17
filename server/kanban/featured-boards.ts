import { eq } from 'drizzle-orm';
import type { KanbanDatabase } from '../../db/database.ts';

// The boards list_boards and search_cards show to everyone (access.ts): the demo boards, and the
// public boards the operator chooses with `pnpm boards:feature ID`. Other public boards are read
// by their id only, so no one's board reaches every user's assistant without the operator's say.

export type FeatureOutcome = { done: true; title: string } | { done: false; why: 'not found' | 'private' };

/** Features a public board (`featured` true) or stops featuring any board (false). */
export function setFeatured(database: KanbanDatabase, boardId: string, featured: boolean): Promise<FeatureOutcome> {
  const { boards } = database.tables;
  return database.write(async (db) => {
    const [board] = await db.select({ title: boards.title, visibility: boards.visibility }).from(boards).where(eq(boards.id, boardId)).limit(1);
    if (!board) return { done: false, why: 'not found' };
    if (featured && board.visibility !== 'public') return { done: false, why: 'private' };
    await db.update(boards).set({ featured }).where(eq(boards.id, boardId));
    return { done: true, title: board.title };
  });
}
