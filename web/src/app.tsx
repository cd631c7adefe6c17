import { useCallback, useEffect, useRef, useState } from 'react';
import type { BoardResult } from '../../server/mcp/tools/schemas.ts';
import { BoardScreen } from './board-screen.tsx';
import { AccountScreen, BoardsScreen, SearchScreen } from './list-screens.tsx';
import type { Shown } from './tool-views.ts';
import { useHost } from './use-host.ts';

// Signed out, the widget never calls a write tool: in ChatGPT that fails with HTTP 400 instead
// of signing in (openai-apps-sdk-examples#202). It asks the chat instead, where the model's call
// to a signed-in tool brings up ChatGPT's sign-in.
const SIGN_IN_MESSAGE = 'Sign me in to Kanban so I can add and move cards on my boards.';

type Notice = { tone: 'error' | 'info'; text: string };

function isBoard(shown: Shown | undefined): shown is Shown & { view: BoardResult } {
  return shown?.view.view === 'board';
}

export function App() {
  const host = useHost();
  const [shown, setShown] = useState<Shown | undefined>(host.delivered && 'shown' in host.delivered ? host.delivered.shown : undefined);
  const [notice, setNotice] = useState<Notice | undefined>(host.delivered && 'error' in host.delivered ? { tone: 'error', text: host.delivered.error } : undefined);
  const [announcement, setAnnouncement] = useState('');
  const [loading, setLoading] = useState(false);
  const [openCardId, setOpenCardId] = useState<string | undefined>(host.initialWidgetState?.openCardId);
  const latestRequest = useRef(0);

  // A new result from the conversation replaces whatever the widget shows.
  useEffect(() => {
    if (!host.delivered) return;
    latestRequest.current++;
    if ('shown' in host.delivered) setShown(host.delivered.shown);
    else setNotice({ tone: 'error', text: host.delivered.error });
  }, [host.delivered]);

  const announce = useCallback((text: string) => {
    // Cleared first so the same words are announced again; a timer, not a frame: hosts may
    // pause animation frames in an iframe that is off screen.
    setAnnouncement('');
    setTimeout(() => setAnnouncement(text), 50);
  }, []);

  /** Shows what a read tool returns; a slower answer to an earlier click never replaces a newer one. */
  const show = async (name: string, args: Record<string, unknown>, merge?: (next: Shown) => Shown): Promise<void> => {
    const request = ++latestRequest.current;
    setLoading(true);
    const outcome = await host.callTool(name, args);
    if (request !== latestRequest.current) return;
    setLoading(false);
    if (outcome.ok && outcome.shown) {
      setShown(merge ? merge(outcome.shown) : outcome.shown);
      setNotice(undefined);
    } else setNotice({ tone: 'error', text: outcome.ok ? 'Kanban answered with nothing to show.' : outcome.message });
  };
  const openBoard = (boardId: string) => {
    setOpenCardId(undefined);
    return show('get_board', { boardId });
  };
  const showBoards = () => show('list_boards', {});

  // ChatGPT keeps this widget's state across reloads: come back to the board the person had open
  // (with its open card), and only then start saving, so the first save cannot overwrite it.
  const [restoring, setRestoring] = useState(() => host.initialWidgetState?.boardId !== undefined);
  useEffect(() => {
    const saved = host.initialWidgetState?.boardId;
    if (!restoring || !shown || !saved) return;
    if (isBoard(shown) && shown.view.board.id === saved) return setRestoring(false);
    // show() leaves openCardId alone: the saved open card comes back with its board.
    void show('get_board', { boardId: saved }).then(() => setRestoring(false));
  }, [restoring, shown === undefined]);
  const boardId = isBoard(shown) ? shown.view.board.id : undefined;
  useEffect(() => {
    if (boardId && !restoring) host.saveWidgetState({ boardId, openCardId });
  }, [boardId, openCardId, restoring]);

  const askToSignIn = async () => {
    const sent = await host.sendMessage(SIGN_IN_MESSAGE);
    setNotice(sent ? { tone: 'info', text: 'Asked the chat to sign you in. Follow the sign-in there, then add your card.' } : { tone: 'error', text: 'Could not reach the chat. Type “sign me in to Kanban” in the conversation.' });
  };
  const openLink = async (url: string) => {
    if (!(await host.openLink(url))) setNotice({ tone: 'error', text: `The chat did not open the link. Copy it instead: ${url}` });
  };
  const requestFullscreen = host.requestFullscreen;
  const goFullscreen = async () => {
    if (requestFullscreen && !(await requestFullscreen())) setNotice({ tone: 'info', text: 'This chat cannot show the board fullscreen.' });
  };

  const viewer = shown?.view.viewer;
  return (
    <>
      <div className="kanban" aria-busy={loading || host.waiting}>
        <header className="top-bar">
          {shown && shown.view.view !== 'boards' && (
            <button type="button" className="quiet" onClick={showBoards}>
              ← All boards
            </button>
          )}
          <h1 id="board-title">{titleOf(shown)}</h1>
          {isBoard(shown) && <span className="badge">{shown.view.board.visibility === 'public' ? 'Public' : 'Private'}</span>}
          <span className="spacer" />
          {viewer?.signedIn && <span className="viewer">Signed in{viewer.name ? ` as ${viewer.name}` : ''}</span>}
          {viewer && !viewer.signedIn && (
            <button type="button" className="primary" onClick={askToSignIn}>
              {isBoard(shown) ? 'Sign in to add cards' : 'Sign in to see your boards'}
            </button>
          )}
          {requestFullscreen && (
            <button type="button" className="quiet" onClick={goFullscreen} aria-label="Show fullscreen">
              <span aria-hidden="true">⤢</span>
            </button>
          )}
        </header>
        {notice && (
          <div className={`notice ${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
            <span>{notice.text}</span>
            <button type="button" className="quiet" aria-label="Dismiss" onClick={() => setNotice(undefined)}>
              ×
            </button>
          </div>
        )}
        {!shown && !notice && <p className="empty">{host.waiting ? 'Kanban is working on it…' : 'Loading Kanban…'}</p>}
        {isBoard(shown) && (
          <BoardScreen
            key={shown.view.board.id}
            shown={shown}
            host={host}
            onOpenLink={openLink}
            openCardId={openCardId}
            setOpenCardId={setOpenCardId}
            onConfirmed={setShown}
            onRefused={(text) => setNotice({ tone: 'error', text })}
            announce={announce}
          />
        )}
        {shown?.view.view === 'boards' && (
          <BoardsScreen
            view={shown.view}
            onOpen={openBoard}
            onMore={(cursor) =>
              show('list_boards', { cursor }, (next) =>
                next.view.view === 'boards' && shown.view.view === 'boards' ? { ...next, view: { ...next.view, boards: [...shown.view.boards, ...next.view.boards] } } : next,
              )
            }
          />
        )}
        {shown?.view.view === 'search' && <SearchScreen view={shown.view} onOpen={openBoard} />}
        {shown?.view.view === 'account' && <AccountScreen view={shown.view} onShowBoards={showBoards} />}
      </div>
      {/* Outside the busy region: screen readers may hold back announcements inside one. */}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </>
  );
}

function titleOf(shown: Shown | undefined): string {
  switch (shown?.view.view) {
    case 'board':
      return shown.view.board.title;
    case 'boards':
      return 'Boards';
    case 'search':
      return `Cards matching “${shown.view.query}”`;
    case 'account':
      return 'Your Kanban account';
    default:
      return 'Kanban';
  }
}
