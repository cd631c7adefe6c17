import { useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import type { BoardResult, CardView, ColumnView } from '../../server/mcp/tools/schemas.ts';
import { applyChange, findColumn, locateCard, PENDING_CARD_PREFIX } from './board-changes.ts';
import { CardDialog } from './card-dialog.tsx';
import { DueDate, Labels } from './card-parts.tsx';
import type { Shown } from './tool-views.ts';
import { useBoardChanges } from './use-board-changes.ts';
import { useCardDrag, type CardDrag } from './use-card-drag.ts';
import type { KanbanHost } from './use-host.ts';

const MOVE_HELP_ID = 'move-help';

function randomId(): string {
  // getRandomValues works in every iframe; randomUUID needs a secure context.
  return [...crypto.getRandomValues(new Uint8Array(12))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Where the keyboard focus goes once the board has re-rendered after an action. */
type FocusTarget = { cardId: string; part: 'open' | 'handle' } | { columnId: string };

function focusElement(target: FocusTarget): void {
  if ('cardId' in target) {
    const card = document.querySelector(`[data-card-id="${CSS.escape(target.cardId)}"]`);
    const element = card?.querySelector<HTMLElement>(target.part === 'handle' ? '.handle' : '.card-open');
    if (element) return element.focus();
    return;
  }
  const column = document.querySelector(`[data-column-id="${CSS.escape(target.columnId)}"]`);
  column?.querySelector<HTMLElement>('.card-open, .add-card')?.focus();
}

export interface BoardScreenProps {
  shown: Shown & { view: BoardResult };
  host: KanbanHost;
  openCardId: string | undefined;
  setOpenCardId(cardId: string | undefined): void;
  onConfirmed(shown: Shown): void;
  onRefused(message: string): void;
  onOpenLink(url: string): void;
  announce(text: string): void;
}

export function BoardScreen(props: BoardScreenProps) {
  const { host, announce, openCardId, setOpenCardId } = props;
  const focusAfterRender = useRef<FocusTarget | undefined>(undefined);
  const changes = useBoardChanges(props.shown, host, {
    confirmed: (shown, done) => {
      props.onConfirmed(shown);
      announce(done);
    },
    refused: (message, change) => {
      // The notice is an alert: it is announced by itself.
      props.onRefused(message);
      const lostFocus = !document.activeElement || document.activeElement === document.body;
      if (change.kind === 'move' && lostFocus) focusAfterRender.current = { cardId: change.cardId, part: 'handle' };
    },
  });
  const { board, descriptions } = changes.state;
  const canEdit = board.canEdit;
  const cardTitle = (cardId: string) => locateCard(board, cardId)?.card.title ?? 'the card';
  const columnTitle = (columnId: string) => findColumn(board, columnId)?.title ?? 'the column';

  const dragging = useCardDrag({
    board,
    enabled: canEdit,
    announce,
    onDrop: (cardId, target) => changes.make({ kind: 'move', cardId, ...target }, `Moved ${cardTitle(cardId)} to ${columnTitle(target.columnId)}.`),
  });
  const { drag } = dragging;
  // While a card moves, it shows where it would land.
  const shownBoard = drag ? applyChange(changes.state, { kind: 'move', id: 0, cardId: drag.cardId, ...drag.target }).board : board;

  useLayoutEffect(() => {
    const target = focusAfterRender.current;
    focusAfterRender.current = undefined;
    if (target) focusElement(target);
  });

  const openCard = openCardId ? locateCard(board, openCardId) : undefined;
  const closeCardThen = (focus: FocusTarget, action: () => void) => {
    focusAfterRender.current = focus;
    setOpenCardId(undefined);
    action();
  };

  return (
    <section className="board" aria-labelledby="board-title">
      <p id={MOVE_HELP_ID} className="visually-hidden">
        Press Enter or Space to pick the card up, then the arrow keys to move it between columns and up or down, Enter to drop it, Escape to put it back.
      </p>
      {!canEdit && props.shown.view.viewer.signedIn && <p className="read-only-note">Read-only: you can change only boards of your own.</p>}
      <div className="columns">
        {shownBoard.columns.map((column) => (
          <BoardColumn
            key={column.id}
            column={column}
            canEdit={canEdit}
            drag={drag}
            onAdd={(title) => changes.make({ kind: 'add', tempCardId: `${PENDING_CARD_PREFIX}${randomId()}`, columnId: column.id, title, requestId: `widget-${randomId()}` }, `Added ${title} to ${column.title}.`)}
            renderCard={(card) => (
              <CardTile
                key={card.id}
                card={card}
                canEdit={canEdit}
                moving={drag?.cardId === card.id}
                onOpen={() => !dragging.clickSuppressed() && setOpenCardId(card.id)}
                onPointerDown={(event) => dragging.onPointerDown(event, card.id)}
                onHandleClick={() => dragging.onHandleClick(card.id, card.title)}
                onHandleKeyDown={(event) => dragging.onHandleKeyDown(event, card.id)}
              />
            )}
          />
        ))}
      </div>
      {drag?.mode === 'pointer' && drag.pointer && (
        <div className="drag-ghost" aria-hidden="true" style={{ left: drag.pointer.x, top: drag.pointer.y }}>
          {cardTitle(drag.cardId)}
        </div>
      )}
      {openCard && (
        <CardDialog
          key={openCard.card.id}
          card={openCard.card}
          column={openCard.column}
          columns={board.columns}
          description={descriptions[openCard.card.id] ?? ''}
          canEdit={canEdit && !openCard.card.id.startsWith(PENDING_CARD_PREFIX)}
          onClose={() => setOpenCardId(undefined)}
          onOpenLink={props.onOpenLink}
          onSave={(edit) => closeCardThen({ cardId: openCard.card.id, part: 'open' }, () => changes.make({ kind: 'edit', cardId: openCard.card.id, edit }, `Saved ${edit.title}.`))}
          onMove={(columnId) =>
            closeCardThen({ cardId: openCard.card.id, part: 'open' }, () => {
              const size = findColumn(board, columnId)?.cards.length ?? 0;
              changes.make({ kind: 'move', cardId: openCard.card.id, columnId, index: size }, `Moved ${openCard.card.title} to ${columnTitle(columnId)}.`);
            })
          }
          onDelete={() => closeCardThen({ columnId: openCard.column.id }, () => changes.make({ kind: 'delete', cardId: openCard.card.id }, `Deleted ${openCard.card.title}.`))}
        />
      )}
    </section>
  );
}

function BoardColumn(props: { column: ColumnView; canEdit: boolean; drag: CardDrag | undefined; onAdd(title: string): void; renderCard(card: CardView): ReactNode }) {
  const { column } = props;
  const count = column.cards.length;
  const overLimit = column.wipLimit !== null && count > column.wipLimit;
  const headingId = `column-${column.id}`;
  return (
    <section className={props.drag?.target.columnId === column.id ? 'column drop-target' : 'column'} data-column-id={column.id} aria-labelledby={headingId}>
      <header className="column-header">
        <h2 id={headingId}>{column.title}</h2>
        <span className="count">
          {count}
          <span className="visually-hidden"> card{count === 1 ? '' : 's'}</span>
        </span>
        {column.wipLimit !== null && (
          <span className={overLimit ? 'wip over' : 'wip'} title="Work-in-progress limit">
            {overLimit ? 'Over WIP limit' : 'WIP'} {count}/{column.wipLimit}
          </span>
        )}
      </header>
      <ol className="cards">{column.cards.map(props.renderCard)}</ol>
      {props.canEdit && <AddCardForm columnTitle={column.title} onAdd={props.onAdd} />}
    </section>
  );
}

function CardTile(props: {
  card: CardView;
  canEdit: boolean;
  moving: boolean;
  onOpen(): void;
  onPointerDown(event: PointerEvent<HTMLElement>): void;
  onHandleClick(): void;
  onHandleKeyDown(event: KeyboardEvent<HTMLElement>): void;
}) {
  const { card } = props;
  const pending = card.id.startsWith(PENDING_CARD_PREFIX);
  const classes = ['card', props.moving ? 'moving' : '', pending ? 'pending' : ''].filter(Boolean).join(' ');
  return (
    <li className={classes} data-card-id={card.id} onPointerDown={pending ? undefined : props.onPointerDown}>
      <button type="button" className="card-open" onClick={props.onOpen} disabled={pending}>
        <span className="card-title">{card.title}</span>
        <Labels labels={card.labels} />
        <DueDate dueDate={card.dueDate} />
        {pending && <span className="hint">Saving…</span>}
      </button>
      {props.canEdit && !pending && (
        <button
          type="button"
          className="handle"
          data-drag-handle
          data-handle-for={card.id}
          aria-label={`Move ${card.title}`}
          aria-describedby={MOVE_HELP_ID}
          aria-pressed={props.moving}
          onClick={props.onHandleClick}
          onKeyDown={props.onHandleKeyDown}
        >
          <span aria-hidden="true">⠿</span>
        </button>
      )}
    </li>
  );
}

function AddCardForm(props: { columnTitle: string; onAdd(title: string): void }) {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  // After Cancel or Escape, the focus goes back to the button that opened the form.
  const [returnFocus, setReturnFocus] = useState(false);
  const close = () => {
    setOpen(false);
    setReturnFocus(true);
  };
  const submit = () => {
    const trimmed = title.trim();
    if (!trimmed) return;
    props.onAdd(trimmed);
    setTitle('');
  };
  if (!open)
    return (
      <button type="button" className="add-card" autoFocus={returnFocus} onClick={() => setOpen(true)}>
        + Add a card<span className="visually-hidden"> to {props.columnTitle}</span>
      </button>
    );
  return (
    // Not a <form>: a sandbox without allow-forms would block its submission.
    <div className="add-card-form" role="group" aria-label={`Add a card to ${props.columnTitle}`}>
      <input
        aria-label={`New card in ${props.columnTitle}`}
        placeholder="Card title"
        value={title}
        maxLength={200}
        autoFocus
        onChange={(event) => setTitle(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.nativeEvent.isComposing) submit();
          if (event.key === 'Escape') close();
        }}
      />
      <div className="actions">
        <button type="button" className="primary" onClick={submit}>
          Add
        </button>
        <button type="button" onClick={close}>
          Cancel
        </button>
      </div>
    </div>
  );
}
