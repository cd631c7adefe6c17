import type { KanbanRefusal } from '../../kanban/errors.ts';

// What the model (and the person behind it) reads when the domain refuses: what is wrong, and which
// tool or argument puts it right. The domain gives the rule and its facts (kanban/errors.ts).

export function refusalText(refusal: KanbanRefusal): string {
  switch (refusal.rule) {
    case 'board_not_found':
      return `No board ${refusal.boardId} is visible to you. Call list_boards to see the boards you can open.`;
    case 'card_not_found':
      return `No card ${refusal.cardId} is visible to you. Call get_board to see a board's cards and their ids.`;
    case 'board_read_only':
      // By id, not title: the title is someone else's text, and this goes to the model as it is.
      return `Board ${refusal.boardId} is read-only for you: ${refusal.demo ? 'it is a demo board' : 'only its owner can change it'}. Create a board of your own with create_board, or add cards to your personal board (create_card without boardId).`;
    case 'not_signed_in':
      return 'Sign in to change boards.';
    case 'unknown_cursor':
      return 'That cursor is not one list_boards gave out. Call list_boards without a cursor to start from the first page.';
    case 'board_quota':
      return `You already have ${refusal.limit} boards, the most one person can keep. Delete a board you no longer need, then try again.`;
    case 'card_quota':
      return `Your boards already hold ${refusal.limit} cards, the most one person can keep. Delete cards you no longer need, then try again.`;
    case 'description_quota':
      return `Board "${refusal.boardTitle}" has room for ${refusal.left} more characters of card descriptions (its limit is ${refusal.limit}), and this needs ${refusal.needed}. Shorten the description, or put the card on another board.`;
    case 'board_full':
      return `Board "${refusal.boardTitle}" already holds ${refusal.limit} cards, the most a board can hold. Delete some, or start another board.`;
    case 'board_without_columns':
      return `Board "${refusal.boardTitle}" has no columns. Add one with update_board first.`;
    case 'no_such_column':
      return `Board "${refusal.boardTitle}" has no column "${refusal.reference}". Its columns are: ${refusal.columnTitles.join(', ')}.`;
    case 'no_such_column_id':
      return `Board "${refusal.boardTitle}" has no column ${refusal.columnId}. Call get_board to see its column ids.`;
    case 'wip_limit':
      return `Column "${refusal.columnTitle}" is at its WIP limit (${refusal.cards} of ${refusal.limit}). Finish or move a card out first, or pass force: true to go over the limit.`;
    case 'column_not_empty':
      return `Column "${refusal.columnTitle}" still holds ${refusal.cards} card${refusal.cards === 1 ? '' : 's'}: move or delete them first.`;
    case 'column_order_incomplete':
      return 'columnOrder must list every column id of the board exactly once. Call get_board to see them.';
    case 'too_many_columns':
      return `A board holds at most ${refusal.limit} columns; "${refusal.boardTitle}" has ${refusal.existing}, so "${refusal.addedTitle}" does not fit.`;
    case 'last_column':
      return 'A board keeps at least one column: add another before removing the last.';
    case 'duplicate_column_name':
      return `Two columns would be named "${refusal.title}": column names must differ (ignoring case).`;
    case 'nothing_to_change_on_board':
      return 'Nothing to change: give a title, a visibility, or column changes.';
    case 'nothing_to_change_on_card':
      return 'Nothing to change: give a title, description, labels or dueDate.';
    case 'neighbour_without_before_or_after':
      return 'relativeTo goes with position "before" or "after", and only with them.';
    case 'move_next_to_itself':
      return 'A card cannot move before or after itself.';
    case 'neighbour_not_in_column':
      return `Card ${refusal.cardId} is not in that column: to move ${refusal.position} a card, name one in the target column.`;
    case 'request_id_reused':
      return `requestId ${refusal.requestId} was already used for a different call (${refusal.earlierTool}): use a new requestId for each new call.`;
    case 'busy':
      return 'Kanban is busy saving another change and nothing was changed. Try again in a moment.';
  }
}
