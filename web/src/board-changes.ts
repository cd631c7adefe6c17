import type { BoardView, CardView, ColumnView } from '../../server/mcp/tools/schemas.ts';

// A change the person made that the server has not confirmed yet. The board on screen is the
// last board the server sent with the pending changes applied in order: a refusal drops its
// change, and what shows is again exactly what the server holds plus what is still in flight.

export interface CardEdit {
  title: string;
  description: string;
  labels: string[];
  dueDate: string | null;
}

export type BoardChange =
  | { kind: 'add'; id: number; tempCardId: string; columnId: string; title: string; requestId: string }
  | { kind: 'move'; id: number; cardId: string; columnId: string; index: number }
  | { kind: 'edit'; id: number; cardId: string; edit: CardEdit }
  | { kind: 'delete'; id: number; cardId: string };

export interface BoardState {
  board: BoardView;
  descriptions: Record<string, string>;
}

export const PENDING_CARD_PREFIX = 'pending-';

function withoutCard(board: BoardView, cardId: string): { board: BoardView; card: CardView | undefined } {
  let card: CardView | undefined;
  const columns = board.columns.map((column) => {
    const found = column.cards.find((each) => each.id === cardId);
    if (!found) return column;
    card = found;
    return { ...column, cards: column.cards.filter((each) => each.id !== cardId) };
  });
  return { board: { ...board, columns }, card };
}

function insertCard(board: BoardView, columnId: string, index: number, card: CardView): BoardView {
  return {
    ...board,
    columns: board.columns.map((column) => {
      if (column.id !== columnId) return column;
      const cards = [...column.cards];
      cards.splice(Math.max(0, Math.min(index, cards.length)), 0, card);
      return { ...column, cards };
    }),
  };
}

export function applyChange(state: BoardState, change: BoardChange): BoardState {
  switch (change.kind) {
    case 'add': {
      const column = findColumn(state.board, change.columnId);
      if (!column) return state;
      const card: CardView = { id: change.tempCardId, title: change.title, labels: [], dueDate: null };
      return { ...state, board: insertCard(state.board, change.columnId, column.cards.length, card) };
    }
    case 'move': {
      const { board, card } = withoutCard(state.board, change.cardId);
      return card ? { ...state, board: insertCard(board, change.columnId, change.index, card) } : state;
    }
    case 'edit': {
      const { description, ...shown } = change.edit;
      const columns = state.board.columns.map((column) => ({
        ...column,
        cards: column.cards.map((card) => (card.id === change.cardId ? { ...card, ...shown } : card)),
      }));
      return { board: { ...state.board, columns }, descriptions: { ...state.descriptions, [change.cardId]: description } };
    }
    case 'delete':
      return { ...state, board: withoutCard(state.board, change.cardId).board };
  }
}

export function applyChanges(state: BoardState, changes: readonly BoardChange[]): BoardState {
  return changes.reduce(applyChange, state);
}

interface CardPlace {
  card: CardView;
  column: ColumnView;
  /** The card's index in its column. */
  index: number;
}

/** Where a card is on the board, if it is there. */
export function locateCard(board: BoardView, cardId: string): CardPlace | undefined {
  for (const column of board.columns) {
    const index = column.cards.findIndex((card) => card.id === cardId);
    if (index >= 0) return { card: column.cards[index]!, column, index };
  }
  return undefined;
}

export function findColumn(board: BoardView, columnId: string): ColumnView | undefined {
  return board.columns.find((column) => column.id === columnId);
}

/**
 * move_card's arguments for "put the card at `index` of the column" (index counted without the
 * card itself), against the server's board when the move is sent (changes go one at a time, so
 * every earlier one is settled by then and no pending card is in it).
 */
function moveArguments(board: BoardView, cardId: string, columnId: string, index: number): Record<string, unknown> {
  const others = findColumn(board, columnId)?.cards.filter((card) => card.id !== cardId) ?? [];
  const before = others[index - 1];
  if (index <= 0) return { cardId, column: columnId, position: 'top' };
  if (index >= others.length || !before) return { cardId, column: columnId, position: 'bottom' };
  return { cardId, column: columnId, position: 'after', relativeTo: before.id };
}

/** The tool call that makes the change on the server, against the board as it stands then. */
export function toolCallFor(change: BoardChange, state: BoardState): { name: string; args: Record<string, unknown> } {
  switch (change.kind) {
    case 'add':
      return { name: 'create_card', args: { boardId: state.board.id, column: change.columnId, title: change.title, requestId: change.requestId } };
    case 'move':
      return { name: 'move_card', args: moveArguments(state.board, change.cardId, change.columnId, change.index) };
    case 'edit':
      return { name: 'update_card', args: { cardId: change.cardId, ...change.edit } };
    case 'delete':
      return { name: 'delete_card', args: { cardId: change.cardId } };
  }
}
