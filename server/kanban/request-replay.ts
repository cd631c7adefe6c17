import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { placeholders, type Db, type KanbanDatabase } from '../../db/database.ts';
import { signedInSubject } from './access.ts';
import { KanbanError } from './errors.ts';
import type { Viewer } from '../viewer.ts';

// create_card and create_board take a requestId: a client retrying a call that timed out gets the
// first result back instead of a second card. Remembered a day per (user, requestId).

const REQUEST_ID_TTL_MS = 24 * 60 * 60 * 1000;
const REQUEST_SWEEP_EVERY_MS = 60 * 1000;

/** What a write did, as remembered for a requestId replay: small; the board is read for the answer. */
export interface Written {
  boardId: string;
  change: string;
  cardId?: string;
}

/** `write` is write-kit.ts's: the viewer's write, queued behind their others. */
export function requestReplay(database: KanbanDatabase, write: <T>(viewer: Viewer, work: (db: Db) => Promise<T>) => Promise<T>) {
  const { toolRequests } = database.tables;
  const remembered = database.prepared('tool_request', (db) =>
    db.select().from(toolRequests).where(and(eq(toolRequests.subject, sql.placeholder('subject')), eq(toolRequests.requestId, sql.placeholder('requestId')))).limit(1),
  );
  const remember = database.prepared('remember_tool_request', (db) => db.insert(toolRequests).values(placeholders(['subject', 'requestId', 'tool', 'result', 'createdAt'])));
  let requestsSweptAt = 0;

  /**
   * Runs a create once per (user, requestId) within a day: a retried call gets the first result
   * back. The lookup, the write, the remembered result and `answer` (made from what was written,
   * then or the first time) share one transaction.
   */
  return async function once<T>(viewer: Viewer, requestId: string | undefined, tool: string, args: object, run: (db: Db) => Promise<Written>, answer: (db: Db, written: Written) => Promise<T>): Promise<T> {
    // Old requestIds are forgotten now and then, not on every write (the lookup below ignores
    // day-old ones whenever the sweep last ran).
    // Everyone's day-old rows, outside anyone's queue: rows no lookup honours any more. Best
    // effort: a sweep that fails (busy) is tried again next minute, and fails no one's write.
    if (Date.now() - requestsSweptAt > REQUEST_SWEEP_EVERY_MS) {
      requestsSweptAt = Date.now();
      await database.write((db) => db.delete(toolRequests).where(lt(toolRequests.createdAt, new Date(Date.now() - REQUEST_ID_TTL_MS)))).catch(() => undefined);
    }
    return write(viewer, async (db) => answer(db, await runOnce(db, viewer, requestId, tool, args, run)));
  };

  async function runOnce(db: Db, viewer: Viewer, requestId: string | undefined, tool: string, args: object, run: (db: Db) => Promise<Written>): Promise<Written> {
    if (requestId === undefined) return run(db);
    const subject = signedInSubject(viewer);
    const fingerprint = createHash('sha256').update(`${tool}\n${JSON.stringify(args)}`).digest('base64url');
    const [found] = await remembered(db, { subject, requestId });
    // Older than a day counts as never seen, whenever the sweep last ran.
    const earlier = found && found.createdAt.getTime() > Date.now() - REQUEST_ID_TTL_MS ? found : undefined;
    if (found && !earlier) await db.delete(toolRequests).where(and(eq(toolRequests.subject, subject), eq(toolRequests.requestId, requestId)));
    if (earlier) {
      const { fingerprint: earlierFingerprint, ...written } = earlier.result as unknown as Written & { fingerprint: string };
      if (earlier.tool !== tool || earlierFingerprint !== fingerprint) {
        throw new KanbanError({ rule: 'request_id_reused', requestId, earlierTool: earlier.tool });
      }
      return written;
    }
    const written = await run(db);
    await remember(db, { subject, requestId, tool, result: { ...written, fingerprint }, createdAt: new Date() });
    return written;
  }
}
