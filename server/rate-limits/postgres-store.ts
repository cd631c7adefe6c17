import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { PostgresDatabase } from '../../db/postgres/client.ts';
import { rateLimitHits } from '../../db/postgres/schema.ts';

// An express-rate-limit store on the PostgreSQL that replicas share: one upsert per hit, the
// window kept by the database's clock. By hand because the store its authors list for PostgreSQL
// (@acpr/rate-limit-postgresql) takes LOCK TABLE on every hit, which would queue every request
// of every replica behind one lock, and runs its migrations unawaited from its constructor.

/** How often this process deletes rows whose window ended long ago. */
const SWEEP_EVERY_MS = 60_000;

/**
 * One hit counted: an upsert for one window length (its prepared name says which). Every request
 * runs it, so it is built once, when the limiter gives the store its window, and planned once per
 * connection, not at every hit.
 */
function countHitStatement(db: PostgresDatabase['autocommit'], windowMs: number) {
  const ended = sql`${rateLimitHits.resetsAt} <= now()`;
  return (
    db
      .insert(rateLimitHits)
      .values({ key: sql.placeholder('key'), hits: 1, resetsAt: sql`now() + ${sql.raw(String(windowMs))} * interval '1 millisecond'` })
      // A window that ended starts again at one; otherwise one more hit in it.
      .onConflictDoUpdate({
        target: rateLimitHits.key,
        set: { hits: sql`CASE WHEN ${ended} THEN 1 ELSE ${rateLimitHits.hits} + 1 END`, resetsAt: sql`CASE WHEN ${ended} THEN excluded.resets_at ELSE ${rateLimitHits.resetsAt} END` },
      })
      .returning({ hits: rateLimitHits.hits, resetsAt: rateLimitHits.resetsAt })
      .prepare(`rate_limit_hit_${windowMs}`)
  );
}
type CountHit = ReturnType<typeof countHitStatement>;

export class PostgresRateLimitStore implements Store {
  readonly prefix: string;
  readonly #db: PostgresDatabase['autocommit'];
  #sweptAt = 0;
  #countHit: CountHit | undefined;

  constructor(database: PostgresDatabase, limiter: string) {
    this.#db = database.autocommit;
    this.prefix = `${limiter}:`;
  }

  init(options: Options): void {
    this.#countHit = countHitStatement(this.#db, Math.trunc(options.windowMs));
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    this.#sweepNowAndThen();
    // express-rate-limit calls init when it makes the limiter, before any hit.
    if (!this.#countHit) throw new Error('PostgresRateLimitStore: init() was not called');
    const [row] = await this.#countHit.execute({ key: this.prefix + key });
    return { totalHits: row!.hits, resetTime: row!.resetsAt };
  }

  /** A hit given back (Budget.giveBack), within the window it was counted in. */
  async decrement(key: string): Promise<void> {
    await this.#db
      .update(rateLimitHits)
      .set({ hits: sql`greatest(${rateLimitHits.hits} - 1, 0)` })
      .where(and(eq(rateLimitHits.key, this.prefix + key), gt(rateLimitHits.resetsAt, sql`now()`)));
  }

  async resetKey(key: string): Promise<void> {
    await this.#db.delete(rateLimitHits).where(eq(rateLimitHits.key, this.prefix + key));
  }

  #sweepNowAndThen(): void {
    const now = Date.now();
    if (now - this.#sweptAt < SWEEP_EVERY_MS) return;
    this.#sweptAt = now;
    // Best effort, off the request's path: a row left over is only a count no one reads.
    void this.#db
      .delete(rateLimitHits)
      .where(lt(rateLimitHits.resetsAt, sql`now() - interval '1 minute'`))
      .catch(() => {});
  }
}
