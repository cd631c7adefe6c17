import { isDatabaseBusy } from '../../db/database.ts';

// Domain errors carry a sentence for a person; server/mcp maps them to tool results with isError.
/** busy: another writer held the database too long, or PostgreSQL gave up; nothing was written, and a retry works. */
export type KanbanErrorKind = 'not_found' | 'read_only' | 'invalid' | 'busy';

export class KanbanError extends Error {
  readonly kind: KanbanErrorKind;
  constructor(kind: KanbanErrorKind, message: string) {
    super(message);
    this.name = 'KanbanError';
    this.kind = kind;
  }
}

/** The same answer for "does not exist" and "exists but you may not see it": no existence oracle. */
export function boardNotFound(boardId: string): KanbanError {
  return new KanbanError('not_found', `No board ${boardId} is visible to you. Call list_boards to see the boards you can open.`);
}

type ServiceMethods = Record<string, (...args: never[]) => Promise<unknown>>;

/** The service's methods, a database too busy to answer reaching their callers as a KanbanError ('busy'): mcp/ knows no engine's errors. */
export function busyAsKanbanError<T extends ServiceMethods>(methods: T): T {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, method] of Object.entries(methods)) {
    wrapped[name] = async (...args) => {
      try {
        return await method(...args);
      } catch (error) {
        throw isDatabaseBusy(error) ? new KanbanError('busy', 'The database is busy: nothing was written.') : error;
      }
    };
  }
  return wrapped as T;
}
