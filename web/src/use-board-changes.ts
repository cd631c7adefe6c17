import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BoardResult } from '../../server/mcp/tools/schemas.ts';
import { applyChanges, toolCallFor, type BoardChange, type BoardState } from './board-changes.ts';
import type { Shown } from './tool-views.ts';
import type { KanbanHost } from './use-host.ts';

// The person's changes to one board go to the server one at a time, in the order they were made;
// the board shows each at once. A confirmed change replaces the board with the server's; a
// refused one disappears and its message shows. One instance per board (the screen is keyed by
// the board id): once the person has left the board, its late answers change nothing on screen.

type Distribute<Change> = Change extends BoardChange ? Omit<Change, 'id'> : never;
export type NewBoardChange = Distribute<BoardChange>;

export interface BoardChangeReports {
  confirmed(shown: Shown, announcement: string): void;
  refused(message: string, change: BoardChange): void;
}

export interface BoardChanges {
  /** What to show: the server's board with the pending changes applied. */
  state: BoardState;
  make(change: NewBoardChange, done: string): void;
}

export function useBoardChanges(shown: Shown & { view: BoardResult }, host: KanbanHost, reports: BoardChangeReports): BoardChanges {
  const [pending, setPending] = useState<readonly BoardChange[]>([]);
  const confirmed = useRef<BoardState>({ board: shown.view.board, descriptions: shown.descriptions });
  const lastShown = useRef(shown);
  if (lastShown.current !== shown) {
    // A newer board from the host (the conversation's own call): it is the server's truth now.
    lastShown.current = shown;
    confirmed.current = { board: shown.view.board, descriptions: shown.descriptions };
  }
  const queue = useRef<Promise<void>>(Promise.resolve());
  const nextId = useRef(1);
  const latest = useRef({ host, reports });
  latest.current = { host, reports };
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const send = async (change: BoardChange, done: string): Promise<void> => {
    const call = toolCallFor(change, confirmed.current);
    const outcome = await latest.current.host.callTool(call.name, call.args);
    if (!mounted.current) return;
    if (outcome.ok && outcome.shown?.view.view === 'board') {
      // The server's board becomes the confirmed one before the change leaves the list.
      confirmed.current = { board: outcome.shown.view.board, descriptions: outcome.shown.descriptions };
      latest.current.reports.confirmed(outcome.shown, done);
    } else {
      latest.current.reports.refused(outcome.ok ? 'Kanban answered with something other than the board.' : outcome.message, change);
    }
  };

  const make = useCallback((change: NewBoardChange, done: string) => {
    const withId = { ...change, id: nextId.current++ } as BoardChange;
    setPending((list) => [...list, withId]);
    queue.current = queue.current.then(async () => {
      try {
        await send(withId, done);
      } catch (error) {
        // Never leave the queue broken: later changes still go out.
        if (mounted.current) latest.current.reports.refused(`The widget failed to send the change: ${error instanceof Error ? error.message : String(error)}`, withId);
      } finally {
        if (mounted.current) setPending((list) => list.filter((each) => each.id !== withId.id));
      }
    });
  }, []);

  const state = useMemo(() => applyChanges({ board: shown.view.board, descriptions: shown.descriptions }, pending), [shown, pending]);
  return { state, make };
}
