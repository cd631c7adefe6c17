import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout (or the given stream, for tests). Headers that carry credentials are
 * redacted wherever they appear, as a second line of defence: request logs never include them.
 */
/**
 * A failed query is logged as its driver's code and message only: drizzle's wrapper carries the
 * SQL and its bound parameters (a session id, a password hash, a person's card text), and the
 * driver's error a `detail` naming the values.
 */
function serializeError(error: unknown): unknown {
  const wrapped = error as { query?: unknown; params?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (error instanceof Error && 'query' in wrapped && 'params' in wrapped) {
    return { type: 'DatabaseError', message: 'a database query failed', code: wrapped.cause?.code, cause: String(wrapped.cause?.message ?? ''), stack: error.stack?.split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n') };
  }
  return stdSerializers.err(error as Error);
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'kanban-mcp' },
    serializers: { err: serializeError },
    redact: {
      paths: ['authorization', 'cookie', '*.authorization', '*.cookie', 'headers.authorization', 'headers.cookie', 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
