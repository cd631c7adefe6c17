import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { placeholders, type BoardRow, type ColumnRow, type Db, type KanbanDatabase } from '../../db/database.ts';
import { newId } from '../../db/ids.ts';
import { cardSearchText } from '../../db/usernames.ts';
import type { createCardInput, moveCardInput, updateCardInput } from '../mcp/tools/schemas.ts';
import type { Viewer } from '../viewer.ts';
import { signedInSubject } from './access.ts';
import type { BoardChange, WriteKit } from './write-kit.ts';
import { cardPlacement } from './card-placement.ts';
import { KanbanError } from './errors.ts';

// Cards: create (on a named board, or the person's personal board), change, move, delete.

export function cardWrites(database: KanbanDatabase, kit: WriteKit) {
  const { cards } = database.tables;
  const placement = cardPlacement(database);
  const { personalBoard } = kit.newBoards;
  const insertCard = database.prepared('insert_card', (db) =>
    db.insert(cards).values(placeholders(['id', 'boardId', 'columnId', 'title', 'description', 'searchText', 'labels', 'dueDate', 'position', 'createdBySub', 'createdAt', 'updatedAt'])),
  );

  /** A column of the board by id or by name (case-insensitive); by default the first. */
  async function resolveColumn(db: Db, board: BoardRow, reference: string | undefined): Promise<ColumnRow> {
    const all = await kit.columnsOf(db, board.id);
    if (all.length === 0) throw new KanbanError({ rule: 'board_without_columns', boardTitle: board.title });
    if (reference === undefined) return all[0]!;
    const wanted = reference.trim().toLowerCase();
    const found = all.find((column) => column.id === reference.trim()) ?? all.find((column) => column.title.toLowerCase() === wanted);
    if (!found) throw new KanbanError({ rule: 'no_such_column', boardTitle: board.title, reference, columnTitles: all.map((column) => column.title) });
    return found;
  }

  async function assertWipRoom(db: Db, column: ColumnRow, force: boolean | undefined): Promise<void> {
    if (column.wipLimit === null || force) return;
    const held = await kit.cardsInColumn(db, column.id);
    if (held >= column.wipLimit) throw new KanbanError({ rule: 'wip_limit', columnTitle: column.title, cards: held, limit: column.wipLimit });
  }

  return {
    async createCard(viewer: Viewer, input: z.output<typeof createCardInput>): Promise<BoardChange & { cardId: string }> {
      const { requestId, ...args } = input;
      return kit.once(viewer, requestId, 'create_card', args, async (db) => {
        const board = input.boardId === undefined ? await personalBoard(db, viewer) : await kit.access.editable(db, viewer, input.boardId);
        const column = await resolveColumn(db, board, input.column);
        await kit.quota.assertCardRoom(db, board, signedInSubject(viewer));
        if (input.description) await kit.quota.assertDescriptionRoom(db, board, input.description);
        await assertWipRoom(db, column, input.force);
        const now = new Date();
        const card = {
          id: newId('card'),
          boardId: board.id,
          columnId: column.id,
          title: input.title,
          description: input.description ?? '',
          searchText: cardSearchText({ title: input.title, description: input.description ?? '' }),
          labels: input.labels ?? [],
          dueDate: input.dueDate ?? null,
          position: await placement(db, column.id, { position: input.position ?? 'bottom' }),
          createdBySub: signedInSubject(viewer),
          createdAt: now,
          updatedAt: now,
        };
        await insertCard(db, card);
        return kit.afterChange(db, board, `Added "${card.title}" (${card.id}) to ${column.title} on board "${board.title}".`, card.id);
      }, async (db, written) => ({ ...(await kit.present(db, viewer, written)), cardId: written.cardId! }));
    },

    async updateCard(viewer: Viewer, input: z.output<typeof updateCardInput>): Promise<BoardChange> {
      const fields = { title: input.title, description: input.description, labels: input.labels, dueDate: input.dueDate };
      const changed = Object.entries(fields).filter(([, value]) => value !== undefined);
      if (changed.length === 0) throw new KanbanError({ rule: 'nothing_to_change_on_card' });
      return kit.writeBoard(viewer, async (db) => {
        const { card, board } = await kit.access.editableCard(db, viewer, input.cardId);
        if (input.description !== undefined) await kit.quota.assertDescriptionRoom(db, board, input.description, card.description);
        const words = input.title === undefined && input.description === undefined ? {} : { searchText: cardSearchText({ title: input.title ?? card.title, description: input.description ?? card.description }) };
        await db.update(cards).set({ ...Object.fromEntries(changed), ...words, updatedAt: new Date() }).where(eq(cards.id, card.id));
        return kit.afterChange(db, board, `Updated ${changed.map(([name]) => name).join(', ')} of "${input.title ?? card.title}".`);
      });
    },

    async moveCard(viewer: Viewer, input: z.output<typeof moveCardInput>): Promise<BoardChange> {
      const position = input.position ?? 'bottom';
      if ((position === 'before' || position === 'after') !== (input.relativeTo !== undefined)) {
        throw new KanbanError({ rule: 'neighbour_without_before_or_after' });
      }
      return kit.writeBoard(viewer, async (db) => {
        const { card, board } = await kit.access.editableCard(db, viewer, input.cardId);
        if (input.relativeTo === card.id) throw new KanbanError({ rule: 'move_next_to_itself' });
        // "Move X before Y" names no column: Y's column, found on this board only.
        const [neighbour] = input.relativeTo === undefined ? [] : await db.select().from(cards).where(and(eq(cards.id, input.relativeTo), eq(cards.boardId, board.id))).limit(1);
        const target = await resolveColumn(db, board, input.column ?? neighbour?.columnId ?? card.columnId);
        if (target.id !== card.columnId) await assertWipRoom(db, target, input.force);
        const newPosition = await placement(db, target.id, { position, relativeTo: input.relativeTo }, card.id);
        await db.update(cards).set({ columnId: target.id, position: newPosition, updatedAt: new Date() }).where(eq(cards.id, card.id));
        const where = neighbour ? `${position} "${neighbour.title}"` : position;
        return kit.afterChange(db, board, `Moved "${card.title}" to ${target.title} (${where}).`);
      });
    },

    async deleteCard(viewer: Viewer, cardId: string): Promise<BoardChange> {
      return kit.writeBoard(viewer, async (db) => {
        const { card, board } = await kit.access.editableCard(db, viewer, cardId);
        await db.delete(cards).where(eq(cards.id, card.id));
        return kit.afterChange(db, board, `Deleted "${card.title}".`);
      });
    },
  };
}
