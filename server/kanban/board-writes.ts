import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { BoardRow, Db, KanbanDatabase } from '../../db/database.ts';
import { newId } from '../../db/ids.ts';
import { positionBetween, spacedPositions } from '../../db/positions.ts';
import type { createBoardInput, updateBoardInput } from '../mcp/tools/schemas.ts';
import type { Viewer } from '../viewer.ts';
import { signedInSubject } from './access.ts';
import type { BoardChange, WriteKit } from './write-kit.ts';
import { KanbanError } from './errors.ts';
import { LIMITS } from './limits.ts';
import { assertDistinctNames } from './new-boards.ts';

// Boards and their columns: create, change, delete.

type BoardUpdate = z.output<typeof updateBoardInput>;

export function boardWrites(database: KanbanDatabase, kit: WriteKit) {
  const { boards, columns } = database.tables;
  const { insertBoard } = kit.newBoards;

  /**
   * The column changes of one update_board, in a fixed order (remove, reorder, add, rename, WIP
   * limits): what each did, in that order.
   */
  async function changeColumns(db: Db, board: BoardRow, input: BoardUpdate): Promise<string[]> {
    const done: string[] = [];
    const columnOfBoard = async (columnId: string) => {
      const [column] = await db.select().from(columns).where(and(eq(columns.id, columnId), eq(columns.boardId, board.id))).limit(1);
      if (!column) throw new KanbanError({ rule: 'no_such_column_id', boardTitle: board.title, columnId });
      return column;
    };
    for (const columnId of new Set(input.removeColumns ?? [])) {
      const column = await columnOfBoard(columnId);
      const held = await kit.cardsInColumn(db, column.id);
      if (held > 0) throw new KanbanError({ rule: 'column_not_empty', columnTitle: column.title, cards: held });
      await db.delete(columns).where(eq(columns.id, column.id));
      done.push(`removed column "${column.title}"`);
    }
    if (input.columnOrder !== undefined) {
      const current = (await kit.columnsOf(db, board.id)).map((column) => column.id);
      const same = input.columnOrder.length === current.length && new Set(input.columnOrder).size === current.length && input.columnOrder.every((id) => current.includes(id));
      if (!same) throw new KanbanError({ rule: 'column_order_incomplete' });
      const positions = spacedPositions(current.length);
      for (const [index, columnId] of input.columnOrder.entries()) await db.update(columns).set({ position: positions[index]! }).where(eq(columns.id, columnId));
      done.push('reordered the columns');
    }
    for (const added of input.addColumns ?? []) {
      const existing = await kit.columnsOf(db, board.id);
      if (existing.length >= LIMITS.columnsPerBoard) {
        throw new KanbanError({ rule: 'too_many_columns', boardTitle: board.title, limit: LIMITS.columnsPerBoard, existing: existing.length, addedTitle: added.title });
      }
      await db.insert(columns).values({ id: newId('column'), boardId: board.id, title: added.title, position: positionBetween(existing.at(-1)?.position, undefined)!, wipLimit: added.wipLimit ?? null });
      done.push(`added column "${added.title}"`);
    }
    for (const { columnId, title } of input.renameColumns ?? []) {
      const column = await columnOfBoard(columnId);
      await db.update(columns).set({ title }).where(eq(columns.id, column.id));
      done.push(`renamed column "${column.title}" to "${title}"`);
    }
    for (const { columnId, wipLimit } of input.wipLimits ?? []) {
      const column = await columnOfBoard(columnId);
      await db.update(columns).set({ wipLimit }).where(eq(columns.id, column.id));
      done.push(wipLimit === null ? `removed the WIP limit of "${column.title}"` : `set the WIP limit of "${column.title}" to ${wipLimit}`);
    }
    return done;
  }

  return {
    async createBoard(viewer: Viewer, input: z.output<typeof createBoardInput>): Promise<BoardChange> {
      const { requestId, ...args } = input;
      if (args.columns) assertDistinctNames(args.columns);
      return kit.once(viewer, requestId, 'create_board', args, async (db) => {
        await kit.quota.assertBoardRoom(db, signedInSubject(viewer));
        const board = await insertBoard(db, signedInSubject(viewer), { title: args.title, columns: args.columns, visibility: args.visibility });
        return kit.afterChange(db, board, `Created board "${board.title}" (${board.visibility}).`);
      }, (db, written) => kit.present(db, viewer, written));
    },

    async updateBoard(viewer: Viewer, input: BoardUpdate): Promise<BoardChange> {
      return kit.writeBoard(viewer, async (db) => {
        const board = await kit.access.editable(db, viewer, input.boardId);
        const done: string[] = [];
        if (input.title !== undefined) done.push(`renamed it "${input.title}"`);
        if (input.visibility !== undefined) done.push(`made it ${input.visibility}`);
        // Title and visibility in one UPDATE of the board row.
        if (input.title !== undefined || input.visibility !== undefined) {
          await db.update(boards).set({ ...(input.title === undefined ? {} : { title: input.title }), ...(input.visibility === undefined ? {} : { visibility: input.visibility }) }).where(eq(boards.id, board.id));
        }
        done.push(...(await changeColumns(db, board, input)));
        if (done.length === 0) throw new KanbanError({ rule: 'nothing_to_change_on_board' });
        const after = await kit.columnsOf(db, board.id);
        assertDistinctNames(after.map((column) => column.title));
        if (after.length === 0) throw new KanbanError({ rule: 'last_column' });
        return kit.afterChange(db, board, `On board "${input.title ?? board.title}": ${done.join('; ')}.`);
      });
    },

    deleteBoard(viewer: Viewer, boardId: string): Promise<{ deleted: { id: string; title: string }; change: string }> {
      return kit.write(viewer, async (db) => {
        const board = await kit.access.editable(db, viewer, boardId);
        await db.delete(boards).where(eq(boards.id, board.id));
        return { deleted: { id: board.id, title: board.title }, change: `Deleted board "${board.title}" and its cards.` };
      });
    },
  };
}
