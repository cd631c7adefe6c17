import { and, asc, desc, eq, ne, sql } from 'drizzle-orm';
import type { CardRow, Db, KanbanDatabase } from '../../db/database.ts';
import { positionBetween, spacedPositions } from '../../db/positions.ts';
import { KanbanError } from './errors.ts';

// Where a card goes in a column: gap-numbered positions (db/positions.ts), so placing a card
// between two neighbours writes one row; a column is respaced only when a gap runs out.

export function cardPlacement(database: KanbanDatabase) {
  const { cards } = database.tables;
  const cardsOfColumn = database.prepared('cards_of_column', (db) => db.select().from(cards).where(eq(cards.columnId, sql.placeholder('columnId'))).orderBy(asc(cards.position), asc(cards.id)));
  const cardsInColumn = (db: Db, columnId: string): Promise<CardRow[]> => cardsOfColumn(db, { columnId });
  // The top and the bottom card, the moving one aside: placing at either end reads one row, not the column.
  const othersInColumn = and(eq(cards.columnId, sql.placeholder('columnId')), ne(cards.id, sql.placeholder('except')));
  const firstOfColumn = database.prepared('first_card_of_column', (db) => db.select().from(cards).where(othersInColumn).orderBy(asc(cards.position), asc(cards.id)).limit(1));
  const lastOfColumn = database.prepared('last_card_of_column', (db) => db.select().from(cards).where(othersInColumn).orderBy(desc(cards.position), desc(cards.id)).limit(1));

  /** Respaces a column's cards (in their current order) when neighbours leave no room between them. */
  async function rebalance(db: Db, columnId: string): Promise<CardRow[]> {
    const ordered = await cardsInColumn(db, columnId);
    const positions = spacedPositions(ordered.length);
    const respaced = ordered.map((card, index) => ({ ...card, position: positions[index]! }));
    for (const card of respaced) await db.update(cards).set({ position: card.position }).where(eq(cards.id, card.id));
    return respaced;
  }

  /** The position for a card placed in `columnId` (the moving card itself excluded from neighbours). */
  async function placement(db: Db, columnId: string, where: { position: 'top' | 'bottom' | 'before' | 'after'; relativeTo?: string }, movingId?: string): Promise<number> {
    const pick = (ordered: CardRow[]) => {
      const others = ordered.filter((card) => card.id !== movingId);
      if (where.position === 'top') return positionBetween(undefined, others[0]?.position);
      if (where.position === 'bottom') return positionBetween(others.at(-1)?.position, undefined);
      const index = others.findIndex((card) => card.id === where.relativeTo);
      if (index === -1) throw new KanbanError({ rule: 'neighbour_not_in_column', cardId: where.relativeTo ?? '', position: where.position });
      return where.position === 'before' ? positionBetween(others[index - 1]?.position, others[index]!.position) : positionBetween(others[index]!.position, others[index + 1]?.position);
    };
    const edge = where.position === 'top' ? firstOfColumn : where.position === 'bottom' ? lastOfColumn : undefined;
    const near = edge ? await edge(db, { columnId, except: movingId ?? '' }) : await cardsInColumn(db, columnId);
    return pick(near) ?? pick(await rebalance(db, columnId))!;
  }

  return placement;
}
