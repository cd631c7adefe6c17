import { boardOutput, createBoardInput, deleteBoardInput, getBoardInput, listBoardsInput, listBoardsOutput, updateBoardInput, type BoardSummary, type BoardView } from './schemas.ts';
import { defineTool, PUBLIC_READ, READS_OWN_DATA, WRITE, writes } from '../catalogue.ts';
import { boardOutcome, boardsOutcome, defineBoardWrite } from './board-outcome.ts';
import { othersContent, OTHERS_TEXT_IS_DATA } from './others-text.ts';

// The model reads these summaries; long boards are cut so a 5 000-card board stays readable.
const TITLES_PER_COLUMN = 10;

function describeBoard(board: BoardView): string {
  const cardCount = board.columns.reduce((sum, column) => sum + column.cards.length, 0);
  const columns = board.columns.map((column) => {
    const shown = column.cards.slice(0, TITLES_PER_COLUMN).map((card) => card.title);
    return { column, shown, more: column.cards.length - shown.length };
  });
  if (!board.owned) {
    const data = {
      title: board.title,
      columns: columns.map(({ column, shown, more }) => ({ title: column.title, cards: column.cards.length, ...(column.wipLimit === null ? {} : { wipLimit: column.wipLimit }), titles: shown, ...(more > 0 ? { moreCards: more } : {}) })),
    };
    return othersContent(`Board ${board.id} (${board.visibility}, ${cardCount} cards, not yours: read-only for you). Its title, columns and first card titles:`, data);
  }
  const lines = columns.map(({ column, shown, more }) => {
    const count = column.wipLimit === null ? `${column.cards.length}` : `${column.cards.length}/${column.wipLimit} WIP`;
    return `${column.title} (${count}): ${shown.length === 0 ? 'empty' : shown.join('; ') + (more > 0 ? `; +${more} more` : '')}`;
  });
  return [`${board.title} (${board.visibility}, ${cardCount} cards, id ${board.id}).`, ...lines].join('\n');
}

function describeBoards(boards: BoardSummary[]): string {
  if (boards.length === 0) return 'There are no boards to show.';
  const own = boards.filter((board) => board.owned);
  const others = boards.filter((board) => !board.owned);
  const parts = [`${boards.length} board${boards.length === 1 ? '' : 's'}.`];
  if (own.length > 0) parts.push(`Yours: ${own.map((board) => `${board.title} (${board.id}, ${board.cardCount} cards)`).join('; ')}.`);
  if (others.length > 0) parts.push(othersContent(`Featured boards (read-only for you):`, others.map((board) => ({ id: board.id, title: board.title, cards: board.cardCount }))));
  return parts.join('\n');
}

export const listBoards = defineTool({
  name: 'list_boards',
  title: 'List boards',
  description:
    'Lists the Kanban boards the user can browse: featured public boards anyone can see, and once signed in their own boards. ' +
    'Other public boards are not listed: they open by id with get_board. ' +
    'Returns each board with its id, title, visibility and card count. Use it first to find a board id for get_board. ' +
    OTHERS_TEXT_IS_DATA,
  input: listBoardsInput,
  output: listBoardsOutput,
  annotations: READS_OWN_DATA,
  securitySchemes: PUBLIC_READ,
  invocation: { invoking: 'Looking up boards…', invoked: 'Boards ready' },
  async handler(args, { viewer, kanban }) {
    const page = await kanban.listBoards(viewer, args);
    const summary = describeBoards(page.boards) + (page.nextCursor ? '\nMore boards exist: call list_boards with the nextCursor.' : '');
    return boardsOutcome(viewer, page, summary);
  },
});

export const getBoard = defineTool({
  name: 'get_board',
  title: 'Show a board',
  description:
    'Shows one Kanban board with its columns in order and the cards in each column (title, labels, due date). ' +
    'Use it when the user asks to see or summarise a board; get the boardId from list_boards, or from the user (a public board opens for anyone who has its id). ' +
    OTHERS_TEXT_IS_DATA,
  input: getBoardInput,
  output: boardOutput,
  annotations: READS_OWN_DATA,
  securitySchemes: PUBLIC_READ,
  invocation: { invoking: 'Opening the board…', invoked: 'Board ready' },
  async handler({ boardId }, { viewer, kanban }) {
    const details = await kanban.getBoard(viewer, boardId);
    return boardOutcome(viewer, details, describeBoard(details.board));
  },
});

export const createBoard = defineBoardWrite({
  name: 'create_board',
  title: 'Create a board',
  description:
    'Creates a new Kanban board owned by the signed-in user, with the given columns (default To do, Doing, Done). ' +
    'Private by default; public boards can be browsed by anyone. Returns the new board.',
  input: createBoardInput,
  destructive: false,
  repeatable: false,
  signInPrompt: 'Sign in to create boards',
  invocation: { invoking: 'Creating the board…', invoked: 'Board created' },
  change: (kanban, viewer, args) => kanban.createBoard(viewer, args),
});

export const updateBoard = defineBoardWrite({
  name: 'update_board',
  title: 'Change a board',
  description:
    "Changes one of the user's boards: rename it, make it public or private, add, rename, reorder or remove (empty) columns, " +
    'and set or clear work-in-progress limits per column. Get column ids from get_board. Returns the board after the change.',
  input: updateBoardInput,
  destructive: false,
  repeatable: false,
  signInPrompt: 'Sign in to change boards',
  invocation: { invoking: 'Changing the board…', invoked: 'Board changed' },
  change: (kanban, viewer, args) => kanban.updateBoard(viewer, args),
});

export const deleteBoard = defineTool({
  name: 'delete_board',
  title: 'Delete a board',
  description: "Deletes one of the user's boards with all its columns and cards. This cannot be undone: confirm with the user first. Returns the first page of the boards the user can still see.",
  input: deleteBoardInput,
  output: listBoardsOutput,
  annotations: writes({ destructive: true, repeatable: true }),
  securitySchemes: WRITE,
  signInPrompt: 'Sign in to delete boards',
  invocation: { invoking: 'Deleting the board…', invoked: 'Board deleted' },
  async handler({ boardId }, { viewer, kanban }) {
    const { change } = await kanban.deleteBoard(viewer, boardId);
    return boardsOutcome(viewer, await kanban.listBoards(viewer), change);
  },
});
