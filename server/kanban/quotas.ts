import { count, eq, sql } from 'drizzle-orm';
import { countOf, type BoardRow, type Db, type KanbanDatabase } from '../../db/database.ts';
import { KanbanError } from './errors.ts';
import { LIMITS } from './limits.ts';

// How much one person may keep, and so how big one board's answer can grow: boards they own,
// cards on those boards, and characters of card descriptions on one board (get_board sends every
// description to the widget). Checked inside the write that would pass them: a person's writes
// queue behind each other (write-kit.ts), so two at once cannot both take the last place.

export interface KanbanQuotas {
  boardsPerUser: number;
  cardsPerUser: number;
  descriptionCharsPerBoard: number;
}

/** Characters as SQL's length() counts them (code points, not UTF-16 units). */
function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function quotaChecks(database: KanbanDatabase, quotas: KanbanQuotas) {
  const { boards, cards } = database.tables;
  const boardsOwned = database.prepared('boards_owned', (db) => db.select({ n: count() }).from(boards).where(eq(boards.ownerSub, sql.placeholder('owner'))));
  // Both counts a new card must fit in, in one statement (one round trip on PostgreSQL): its board's
  // cards, and the cards on all its owner's boards.
  const cardCounts = database.prepared('card_counts', (db) => {
    const onBoard = db.select({ n: count() }).from(cards).where(eq(cards.boardId, sql.placeholder('boardId')));
    const owned = db.select({ n: count() }).from(cards).innerJoin(boards, eq(cards.boardId, boards.id)).where(eq(boards.ownerSub, sql.placeholder('owner')));
    return db.select({ onBoard: sql<number>`${onBoard}`.mapWith(Number), owned: sql<number>`${owned}`.mapWith(Number) }).from(boards).where(eq(boards.id, sql.placeholder('boardId')));
  });
  const descriptionChars = database.prepared('description_chars_of_board', (db) =>
    db.select({ n: sql<number>`coalesce(sum(length(${cards.description})), 0)`.mapWith(Number) }).from(cards).where(eq(cards.boardId, sql.placeholder('boardId'))),
  );

  return {
    async assertBoardRoom(db: Db, owner: string): Promise<void> {
      if ((await countOf(boardsOwned(db, { owner }))) < quotas.boardsPerUser) return;
      throw new KanbanError({ rule: 'board_quota', limit: quotas.boardsPerUser });
    },

    /** Room for one more card on `board` (LIMITS.cardsPerBoard), and in its owner's quota. */
    async assertCardRoom(db: Db, board: BoardRow, owner: string): Promise<void> {
      // One row: the board was read in this same write.
      const [{ onBoard, owned }] = (await cardCounts(db, { boardId: board.id, owner })) as [{ onBoard: number; owned: number }];
      if (onBoard >= LIMITS.cardsPerBoard) throw new KanbanError({ rule: 'board_full', boardTitle: board.title, limit: LIMITS.cardsPerBoard });
      if (owned >= quotas.cardsPerUser) throw new KanbanError({ rule: 'card_quota', limit: quotas.cardsPerUser });
    },

    /** `description` replaces `replacing` (an existing card's) on `board`. */
    async assertDescriptionRoom(db: Db, board: BoardRow, description: string, replacing = ''): Promise<void> {
      const growth = characters(description) - characters(replacing);
      if (growth <= 0) return;
      const used = await countOf(descriptionChars(db, { boardId: board.id }));
      if (used + growth <= quotas.descriptionCharsPerBoard) return;
      const left = Math.max(0, quotas.descriptionCharsPerBoard - used);
      throw new KanbanError({ rule: 'description_quota', boardTitle: board.title, left, limit: quotas.descriptionCharsPerBoard, needed: growth });
    },
  };
}
