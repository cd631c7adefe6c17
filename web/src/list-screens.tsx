import type { ListBoardsResult, SearchCardsResult, WhoamiResult } from '../../server/mcp/tools/schemas.ts';

// The views that are lists: boards to pick from, cards found by a search, and who is signed in.

export function BoardsScreen(props: { view: ListBoardsResult; onOpen(boardId: string): void; onMore(cursor: string): void }) {
  const { boards, nextCursor } = props.view;
  if (boards.length === 0) return <p className="empty">There are no boards to show yet.</p>;
  return (
    <section aria-label="Boards">
      <ul className="board-list">
        {boards.map((board) => (
          <li key={board.id}>
            <button type="button" className="board-pick" onClick={() => props.onOpen(board.id)}>
              <span className="board-pick-title">{board.title}</span>
              <span className="board-pick-meta">
                {board.visibility === 'public' ? 'Public' : 'Private'} · {board.cardCount} card{board.cardCount === 1 ? '' : 's'} · {board.columnCount} column
                {board.columnCount === 1 ? '' : 's'}
                {board.owned ? ' · yours' : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {nextCursor && (
        <button type="button" onClick={() => props.onMore(nextCursor)}>
          More boards
        </button>
      )}
    </section>
  );
}

export function SearchScreen(props: { view: SearchCardsResult; onOpen(boardId: string): void }) {
  const { results, query } = props.view;
  if (results.length === 0) return <p className="empty">No card matches “{query}”.</p>;
  return (
    <ul className="board-list" aria-label={`Cards matching ${query}`}>
      {results.map((hit) => (
        <li key={hit.card.id}>
          <button type="button" className="board-pick" onClick={() => props.onOpen(hit.board.id)}>
            <span className="board-pick-title">{hit.card.title}</span>
            <span className="board-pick-meta">
              {hit.board.title} › {hit.column.title}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function AccountScreen(props: { view: WhoamiResult; onShowBoards(): void }) {
  return (
    <section className="account">
      <p>
        Signed in as <strong>{props.view.viewer.name ?? 'an account without a name'}</strong>.
      </p>
      <button type="button" className="primary" onClick={props.onShowBoards}>
        Show my boards
      </button>
    </section>
  );
}
