import { isDatabaseBusy, type KanbanDatabase } from '../../db/database.ts';

// Why the domain refused, as data: which rule, and the facts a sentence needs. The words a person
// or the model reads are server/mcp's (tools/refusal-text.ts), which turns each into a tool result
// with isError; the domain names no tool and no argument.

export type KanbanRefusal =
  // not found: the same answer for "does not exist" and "exists but you may not see it", no existence oracle
  | { rule: 'board_not_found'; boardId: string }
  | { rule: 'card_not_found'; cardId: string }
  // read-only
  | { rule: 'board_read_only'; boardId: string; demo: boolean }
  | { rule: 'not_signed_in' }
  // invalid
  | { rule: 'unknown_cursor' }
  | { rule: 'board_quota'; limit: number }
  | { rule: 'card_quota'; limit: number }
  | { rule: 'description_quota'; boardTitle: string; left: number; limit: number; needed: number }
  | { rule: 'board_full'; boardTitle: string; limit: number }
  | { rule: 'board_without_columns'; boardTitle: string }
  | { rule: 'no_such_column'; boardTitle: string; reference: string; columnTitles: string[] }
  | { rule: 'no_such_column_id'; boardTitle: string; columnId: string }
  | { rule: 'wip_limit'; columnTitle: string; cards: number; limit: number }
  | { rule: 'column_not_empty'; columnTitle: string; cards: number }
  | { rule: 'column_order_incomplete' }
  | { rule: 'too_many_columns'; boardTitle: string; limit: number; existing: number; addedTitle: string }
  | { rule: 'last_column' }
  | { rule: 'duplicate_column_name'; title: string }
  | { rule: 'nothing_to_change_on_board' }
  | { rule: 'nothing_to_change_on_card' }
  | { rule: 'neighbour_without_before_or_after' }
  | { rule: 'move_next_to_itself' }
  | { rule: 'neighbour_not_in_column'; cardId: string; position: 'before' | 'after' }
  | { rule: 'request_id_reused'; requestId: string; earlierTool: string }
  // another writer held the database too long, or PostgreSQL gave up: nothing was written, and a retry works
  | { rule: 'busy' };

type KanbanRule = KanbanRefusal['rule'];

const NOT_FOUND: readonly KanbanRule[] = ['board_not_found', 'card_not_found'];

export class KanbanError extends Error {
  readonly refusal: KanbanRefusal;
  constructor(refusal: KanbanRefusal) {
    super(`kanban refused: ${refusal.rule}`);
    this.name = 'KanbanError';
    this.refusal = refusal;
  }

  get notFound(): boolean {
    return NOT_FOUND.includes(this.refusal.rule);
  }
}

export function boardNotFound(boardId: string): KanbanError {
  return new KanbanError({ rule: 'board_not_found', boardId });
}

export function cardNotFound(cardId: string): KanbanError {
  return new KanbanError({ rule: 'card_not_found', cardId });
}

/**
 * The database as the domain uses it: a read or write too busy to answer is a KanbanError ('busy'),
 * so mcp/ knows no engine's errors. Every statement of the domain runs inside one of these three.
 */
export function busyAsRefusal(database: KanbanDatabase): KanbanDatabase {
  const refuse = (error: unknown): never => {
    throw isDatabaseBusy(error) ? new KanbanError({ rule: 'busy' }) : error;
  };
  return {
    ...database,
    read: (work) => database.read(work).catch(refuse),
    single: (work) => database.single(work).catch(refuse),
    write: (work, options) => database.write(work, options).catch(refuse),
  };
}
