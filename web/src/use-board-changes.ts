import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BoardResult } from '../../server/kanban/schemas.ts';
import { applyChanges, toolCallFor, type BoardChange, type BoardState } from './board-changes.ts';
import type { KanbanHost } from './use-host.ts';
import type { Shown } from './tool-views.ts';

// The person's changes to a board go to the server one at a time, in the order they were made;
// the board shows each at once. A confirmed change replaces the board with the server's; a
// refused one disappears and its message shows.

type Distribute<Change> = Change extends BoardChange ? Omit<Change, 'id'> : never;
export type NewBoardChange = Distribute<BoardChange>;

export interface BoardChanges {
  /** What to show: the server's board with the pending changes applied. */
  state: BoardState;
  pending: readonly BoardChange[];
  make(change: NewBoardChange, done: string): void;
}

export function useBoardChanges(
  shown: Shown & { view: BoardResult },
  host: KanbanHost,
  report: { confirmed(shown: Shown, announcement: string): void; refused(message: string): void },
): BoardChanges {
  const [pending, setPending] = useState<readonly BoardChange[]>([]);
  const confirmed = useRef<BoardState>({ board: shown.view.board, descriptions: shown.descriptions });
  const lastShown = useRef(shown);
  if (lastShown.current !== shown) {
    lastShown.current = shown;
    confirmed.current = { board: shown.view.board, descriptions: shown.descriptions };
  }
  const queue = useRef<Promise<void>>(Promise.resolve());
  const nextId = useRef(1);
  const reportRef = useRef(report);
  reportRef.current = report;

  // Another board arrived (the person opened one, or the chat showed a new result): drop what
  // was pending on the old one; its calls still run, but their results no longer show here.
  const boardId = shown.view.board.id;
  useEffect(() => setPending([]), [boardId]);

  const make = useCallback(
    (change: NewBoardChange, done: string) => {
      const withId = { ...change, id: nextId.current++ } as BoardChange;
      setPending((list) => [...list, withId]);
      queue.current = queue.current.then(async () => {
        const call = toolCallFor(withId, confirmed.current);
        const outcome = await host.callTool(call.name, call.args);
        if (outcome.ok && outcome.shown?.view.view === 'board') {
          // The server's board becomes the confirmed one before the change leaves the list.
          confirmed.current = { board: outcome.shown.view.board, descriptions: outcome.shown.descriptions };
          reportRef.current.confirmed(outcome.shown, done);
        } else {
          reportRef.current.refused(outcome.ok ? 'Kanban answered with something other than the board.' : outcome.message);
        }
        setPending((list) => list.filter((each) => each.id !== withId.id));
      });
    },
    [host],
  );

  const state = useMemo(
    () => applyChanges({ board: shown.view.board, descriptions: shown.descriptions }, pending),
    [shown, pending],
  );
  return { state, pending, make };
}
