import { z } from 'zod';
import type { BoardRow } from '../../db/database.ts';
import { idPattern } from '../../db/ids.ts';
import { KanbanError } from './errors.ts';

// list_boards pages newest first by (updatedAt, id); the cursor is that pair, opaque to clients.
// Checked as strictly as any input: a forged one must not reach the database as a bad date or text.
const cursorShape = z.tuple([z.number().int().nonnegative().max(8.64e15), z.string().regex(idPattern('board'))]);

export function encodeCursor(row: Pick<BoardRow, 'updatedAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([row.updatedAt.getTime(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  try {
    const [updatedAt, id] = cursorShape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { updatedAt: new Date(updatedAt), id };
  } catch {
    throw new KanbanError({ rule: 'unknown_cursor' });
  }
}
