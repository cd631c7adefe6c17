import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { BoardView } from '../../server/mcp/tools/schemas.ts';
import { findColumn, locateCard } from './board-changes.ts';

// Moving a card by pointer (drag it anywhere with a mouse, or by its handle on touch, where the
// rest of the card must still scroll) or by keyboard (the handle picks it up, arrows move it,
// Enter drops, Escape cancels). Both show the card at its new place while it moves. Written here
// rather than taken from a drag-and-drop library: the whole job is "which column, which index",
// and the widget's load time is measured; a library would add more than this file.

export interface DropTarget {
  columnId: string;
  /** Index in the column, counted without the moving card. */
  index: number;
}

export interface CardDrag {
  cardId: string;
  mode: 'pointer' | 'keyboard';
  target: DropTarget;
  /** Where the pointer is, for the floating copy of the card. */
  pointer?: { x: number; y: number };
}

const DRAG_THRESHOLD_PX = 5;

function targetAt(x: number, y: number, cardId: string): DropTarget | undefined {
  const column = document.elementFromPoint(x, y)?.closest<HTMLElement>('[data-column-id]');
  if (!column?.dataset.columnId) return undefined;
  const others = [...column.querySelectorAll<HTMLElement>('[data-card-id]')].filter((card) => card.dataset.cardId !== cardId);
  const index = others.filter((card) => {
    const box = card.getBoundingClientRect();
    return box.top + box.height / 2 < y;
  }).length;
  return { columnId: column.dataset.columnId, index };
}

function describeTarget(board: BoardView, target: DropTarget, cardId: string): string {
  const column = findColumn(board, target.columnId);
  if (!column) return '';
  const size = column.cards.filter((card) => card.id !== cardId).length + 1;
  return `${column.title}, position ${target.index + 1} of ${size}.`;
}

export function useCardDrag(options: {
  board: BoardView;
  enabled: boolean;
  onDrop(cardId: string, target: DropTarget): void;
  announce(text: string): void;
}) {
  const { board, enabled, onDrop, announce } = options;
  const [drag, setDrag] = useState<CardDrag | undefined>();
  const dragRef = useRef(drag);
  dragRef.current = drag;
  const boardRef = useRef(board);
  boardRef.current = board;
  const suppressClick = useRef(false);
  const focusHandleOf = useRef<string | undefined>(undefined);
  /** Removes the window listeners of a pointer drag in progress. */
  const endPointerDrag = useRef<(() => void) | undefined>(undefined);
  useEffect(() => () => endPointerDrag.current?.(), []);

  const origin = (cardId: string): DropTarget | undefined => {
    const place = locateCard(boardRef.current, cardId);
    return place ? { columnId: place.column.id, index: place.index } : undefined;
  };

  const drop = (current: CardDrag) => {
    const from = origin(current.cardId);
    setDrag(undefined);
    focusHandleOf.current = current.mode === 'keyboard' ? current.cardId : undefined;
    if (from && (from.columnId !== current.target.columnId || from.index !== current.target.index)) onDrop(current.cardId, current.target);
    else if (current.mode === 'keyboard') announce('The card stays where it was.');
  };

  /** Puts a card held by keyboard back where it was. */
  const cancel = () => {
    setDrag(undefined);
    announce('Move cancelled. The card is back where it was.');
  };

  const onPointerDown = (event: PointerEvent<HTMLElement>, cardId: string) => {
    if (!enabled || event.button !== 0 || dragRef.current || endPointerDrag.current) return;
    if (event.pointerType !== 'mouse' && !(event.target as Element).closest('[data-drag-handle]')) return;
    const start = { x: event.clientX, y: event.clientY };
    const pointerId = event.pointerId;
    const from = origin(cardId);
    if (!from) return;
    let moving = false;
    const move = (moveEvent: globalThis.PointerEvent) => {
      if (moveEvent.pointerId !== pointerId) return; // another finger
      if (!moving && Math.hypot(moveEvent.clientX - start.x, moveEvent.clientY - start.y) < DRAG_THRESHOLD_PX) return;
      moving = true;
      moveEvent.preventDefault();
      const pointer = { x: moveEvent.clientX, y: moveEvent.clientY };
      setDrag((current) => ({ cardId, mode: 'pointer', pointer, target: targetAt(pointer.x, pointer.y, cardId) ?? current?.target ?? from }));
    };
    const removeListeners = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', finish);
      window.removeEventListener('pointercancel', finish);
      endPointerDrag.current = undefined;
    };
    const finish = (endEvent: globalThis.PointerEvent) => {
      if (endEvent.pointerId !== pointerId) return;
      removeListeners();
      if (!moving) return;
      // The click that ends a drag must not also open the card.
      suppressClick.current = true;
      setTimeout(() => (suppressClick.current = false), 0);
      const current = dragRef.current;
      if (endEvent.type === 'pointercancel' || !current) setDrag(undefined);
      else drop(current);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', finish);
    window.addEventListener('pointercancel', finish);
    endPointerDrag.current = removeListeners;
  };

  /** The handle's click: picks the card up, or drops it where the arrows took it. */
  const onHandleClick = (cardId: string, title: string) => {
    if (suppressClick.current) return;
    const current = dragRef.current;
    if (current?.mode === 'keyboard' && current.cardId === cardId) return drop(current);
    const from = origin(cardId);
    if (!from) return;
    setDrag({ cardId, mode: 'keyboard', target: from });
    announce(`Picked up ${title}. ${describeTarget(boardRef.current, from, cardId)} Arrow keys move it, Enter drops it, Escape cancels.`);
  };

  const onHandleKeyDown = (event: KeyboardEvent<HTMLElement>, cardId: string) => {
    const current = dragRef.current;
    if (current?.mode !== 'keyboard' || current.cardId !== cardId) return;
    // Leaving the card puts it back; the focus moves on as usual.
    if (event.key === 'Tab') return cancel();
    const columns = boardRef.current.columns;
    const columnIndex = columns.findIndex((column) => column.id === current.target.columnId);
    const sizeOf = (index: number) => columns[index]!.cards.filter((card) => card.id !== current.cardId).length;
    let target: DropTarget | undefined;
    if (event.key === 'ArrowLeft' && columnIndex > 0) target = { columnId: columns[columnIndex - 1]!.id, index: Math.min(current.target.index, sizeOf(columnIndex - 1)) };
    if (event.key === 'ArrowRight' && columnIndex < columns.length - 1) target = { columnId: columns[columnIndex + 1]!.id, index: Math.min(current.target.index, sizeOf(columnIndex + 1)) };
    if (event.key === 'ArrowUp') target = { ...current.target, index: Math.max(0, current.target.index - 1) };
    if (event.key === 'ArrowDown') target = { ...current.target, index: Math.min(sizeOf(columnIndex), current.target.index + 1) };
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      focusHandleOf.current = current.cardId;
      return cancel();
    }
    if (!event.key.startsWith('Arrow')) return;
    event.preventDefault();
    if (!target) return;
    focusHandleOf.current = current.cardId;
    setDrag({ ...current, target });
    announce(describeTarget(boardRef.current, target, current.cardId));
  };

  // Moving the card to another column re-creates its element: keep the keyboard focus on it.
  useLayoutEffect(() => {
    const cardId = focusHandleOf.current;
    if (!cardId) return;
    focusHandleOf.current = undefined;
    document.querySelector<HTMLElement>(`[data-handle-for="${CSS.escape(cardId)}"]`)?.focus();
  });

  // A click elsewhere while a card is held by keyboard puts it back.
  useEffect(() => {
    const heldCardId = drag?.mode === 'keyboard' ? drag.cardId : undefined;
    if (!heldCardId) return;
    const putBack = (event: globalThis.PointerEvent) => {
      if (!(event.target as Element).closest?.(`[data-handle-for="${CSS.escape(heldCardId)}"]`)) setDrag(undefined);
    };
    window.addEventListener('pointerdown', putBack);
    return () => window.removeEventListener('pointerdown', putBack);
    // Once per card picked up, not on every arrow key.
  }, [drag?.mode === 'keyboard' ? drag.cardId : undefined]);

  return { drag, onPointerDown, onHandleClick, onHandleKeyDown, clickSuppressed: () => suppressClick.current };
}
