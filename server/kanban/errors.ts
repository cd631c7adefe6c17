// Domain errors carry a sentence for a person; server/mcp maps them to tool results with isError.
export type KanbanErrorKind = 'not_found' | 'read_only' | 'invalid';

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
