import type { Request, RequestHandler } from 'express';
import { MemoryStore, rateLimit, type Options, type Store } from 'express-rate-limit';
import type { KanbanDatabase } from '../../db/database.ts';
import type { PostgresDatabase } from '../../db/postgres/client.ts';
import type { Logger } from '../logger.ts';

// Request budgets (express-rate-limit), for /mcp and the issuer alike, and where they are counted.
// One process (SQLite): its own memory, express-rate-limit's default. Several replicas: a store
// they all share, so a budget holds across them: Redis when REDIS_URL is set, otherwise the
// PostgreSQL they already share. A shared store that fails lets requests through (said in the
// log): the app stays up without its limits rather than going down with them.

/** A limiter (the middleware) that can also give back the try a request was counted for. */
export type Budget = RequestHandler & {
  /**
   * Uncounts `req`'s hit, and is awaited before the answer is sent, so the client's next request
   * sees it. (express-rate-limit's skipSuccessfulRequests gives it back only once the answer has
   * gone, so a quick client's next request could still be counted against it.) A store that fails
   * keeps the hit, said in the log; the request goes on.
   */
  giveBack(req: Request): Promise<void>;
};

export interface RequestBudgets {
  where: 'memory' | 'redis' | 'postgres';
  /** A limiter with counters of its own, called `name`, with our common options under `options`. */
  budget(name: string, options: Partial<Options>): Budget;
  close(): Promise<void>;
}

const REDIS_CONNECT_TIMEOUT_MS = 5000;
/** Tries at the start before giving up (a wrong REDIS_URL stops the start); once up, it reconnects for ever. */
const REDIS_FIRST_CONNECT_TRIES = 3;
/** A count Redis has not answered within this lets its request through: a stalled Redis must not stall us. */
const REDIS_COMMAND_TIMEOUT_MS = 500;
const REDIS_CLOSE_WAIT_MS = 2000;
/** One log line per limiter per this long while its store fails, not one per request. */
const STORE_ERROR_LOG_EVERY_MS = 10_000;

interface StoreSource {
  where: RequestBudgets['where'];
  storeFor(name: string): Store;
  close(): Promise<void>;
}

async function redisStores(url: string, namespace: string, logger: Logger): Promise<StoreSource> {
  // Loaded only when used, like the PostgreSQL store below (db/open.ts says why).
  const [{ RedisStore }, { createClient }] = await Promise.all([import('rate-limit-redis'), import('redis')]);
  let everReady = false;
  const client = createClient({
    url,
    // Down Redis: a count fails at once instead of queueing; a stalled one, after REDIS_COMMAND_TIMEOUT_MS.
    disableOfflineQueue: true,
    commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS, rejectInFlight: true },
    pingInterval: 5000,
    socket: {
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries, cause) => (!everReady && retries >= REDIS_FIRST_CONNECT_TRIES ? cause : Math.min(100 * 2 ** retries, 5000)),
    },
  });
  client.on('ready', () => (everReady = true));
  // Only the message: node-redis errors name the host, never the password, but the URL stays out of the log.
  client.on('error', (error: Error) => logger.warn({ err: { message: error.message } }, 'redis: request budgets not counted until it answers'));
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw new Error(`Redis at REDIS_URL did not answer (${(error as Error).message}).`, { cause: error });
  }
  return {
    where: 'redis',
    // Replicas of one app share PUBLIC_URL, and so their budgets; other apps on the same Redis do not.
    storeFor: (name) => new RedisStore({ prefix: `kanban-mcp:${namespace}:${name}:`, sendCommand: (...args: string[]) => client.sendCommand(args) }),
    // close() waits for replies in flight: a stalled Redis must not hold up our shutdown.
    close: async () => {
      const closed = client.close().then(() => true);
      if (!(await Promise.race([closed, new Promise<false>((resolve) => setTimeout(resolve, REDIS_CLOSE_WAIT_MS, false).unref())]))) client.destroy();
    },
  };
}

async function storeSource(options: { redisUrl: string | undefined; namespace: string; database: KanbanDatabase; logger: Logger }): Promise<StoreSource> {
  if (options.redisUrl !== undefined) return redisStores(options.redisUrl, options.namespace, options.logger);
  if (options.database.engine === 'postgres') {
    const database = options.database as PostgresDatabase;
    const { PostgresRateLimitStore } = await import('./postgres-store.ts');
    return { where: 'postgres', storeFor: (name) => new PostgresRateLimitStore(database, name), close: async () => {} };
  }
  return { where: 'memory', storeFor: () => new MemoryStore(), close: async () => {} };
}

export async function openRequestBudgets(options: { redisUrl: string | undefined; namespace: string; database: KanbanDatabase; logger: Logger }): Promise<RequestBudgets> {
  const source = await storeSource(options);
  const { logger } = options;
  return {
    where: source.where,
    budget(name, limiterOptions) {
      let loggedAt = 0;
      const store = source.storeFor(name);
      const limiter = rateLimit({
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        identifier: name,
        store,
        passOnStoreError: true,
        logger: {
          error: (error: unknown, message: string) => {
            if (Date.now() - loggedAt < STORE_ERROR_LOG_EVERY_MS) return;
            loggedAt = Date.now();
            logger.warn({ err: error, limiter: name }, message);
          },
          warn: (message: string) => logger.warn({ limiter: name }, message),
        } as Options['logger'],
        // Its X-Forwarded-For and Forwarded checks print a stack to the console; app.ts warns once in
        // our log instead (and anyone can send Forwarded, which Express never reads).
        validate: { xForwardedForHeader: false, forwardedHeader: false },
        ...limiterOptions,
      });
      const giveBack = async (req: Request) => {
        // Unset when the store failed at the count and the request was let through uncounted.
        const counted = (req as Request & { rateLimit?: { key: string; resetTime?: Date } }).rateLimit;
        if (counted === undefined) return;
        // A hit whose window has ended is not taken off the next one (as express-rate-limit does).
        if (counted.resetTime !== undefined && Date.now() >= counted.resetTime.getTime()) return;
        const { key } = counted;
        try {
          await store.decrement(key);
        } catch (error) {
          logger.warn({ err: error, limiter: name }, 'a try could not be given back');
        }
      };
      return Object.assign(limiter, { giveBack });
    },
    close: () => source.close(),
  };
}
