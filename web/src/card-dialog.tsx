import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { CardView, ColumnView } from '../../server/mcp/tools/schemas.ts';
import type { CardEdit } from './board-changes.ts';
import { DueDate, Labels } from './card-parts.tsx';
import { LinkedText } from './linked-text.tsx';

// One card, opened: its details for anyone, and for the board's owner an editor, a "Move to…"
// list (the one-click alternative to dragging) and delete. A native modal <dialog> keeps the
// focus inside and closes on Escape. No <form> submits anything: a host's sandbox may lack
// allow-forms, which blocks submission (and its submit event) outright.

export interface CardDialogProps {
  card: CardView;
  column: ColumnView;
  columns: readonly ColumnView[];
  description: string;
  canEdit: boolean;
  onClose(): void;
  onSave(edit: CardEdit): void;
  onMove(columnId: string): void;
  onDelete(): void;
  onOpenLink(url: string): void;
}

function labelsFrom(text: string): string[] {
  return [...new Set(text.split(',').map((label) => label.trim()).filter(Boolean))];
}

export function CardDialog(props: CardDialogProps) {
  const { card, column, columns, description, canEdit } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [editing, setEditing] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const [title, setTitle] = useState(card.title);
  const [text, setText] = useState(description);
  const [labels, setLabels] = useState(card.labels.join(', '));
  const [dueDate, setDueDate] = useState(card.dueDate ?? '');
  const [moveTo, setMoveTo] = useState(column.id);

  const save = () => {
    if (!title.trim()) return;
    props.onSave({ title: title.trim(), description: text, labels: labelsFrom(labels), dueDate: dueDate === '' ? null : dueDate });
  };
  const saveOnEnter = (event: KeyboardEvent<HTMLInputElement>) => {
    // Not while an input method is composing: its Enter confirms the characters.
    if (event.key === 'Enter' && !event.nativeEvent.isComposing) save();
  };

  return (
    <dialog ref={dialog} className="card-dialog" aria-labelledby={titleId} onClose={props.onClose}>
      {editing ? (
        <div className="card-form" role="group" aria-labelledby={titleId}>
          <h2 id={titleId}>Edit card</h2>
          <label>
            Title
            <input value={title} onChange={(event) => setTitle(event.target.value)} onKeyDown={saveOnEnter} required maxLength={200} autoFocus />
          </label>
          <label>
            Description
            <textarea value={text} onChange={(event) => setText(event.target.value)} rows={5} maxLength={10_000} />
          </label>
          <label>
            Labels <span className="hint">(separated by commas)</span>
            <input value={labels} onChange={(event) => setLabels(event.target.value)} onKeyDown={saveOnEnter} />
          </label>
          <label>
            Due date
            <input type="date" value={dueDate} onChange={(event) => setDueDate(event.target.value)} />
          </label>
          <div className="actions">
            <button type="button" className="primary" onClick={save} disabled={!title.trim()}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="card-details">
          <h2 id={titleId}>{card.title}</h2>
          <p className="card-meta">
            In <strong>{column.title}</strong> <DueDate dueDate={card.dueDate} />
          </p>
          <Labels labels={card.labels} as="ul" />
          <p className="description">{description ? <LinkedText text={description} onOpenLink={props.onOpenLink} /> : <span className="hint">No description.</span>}</p>
          {canEdit && (
            <>
              <div className="move-form">
                <label>
                  Move to
                  <select value={moveTo} onChange={(event) => setMoveTo(event.target.value)}>
                    {columns.map((each) => (
                      <option key={each.id} value={each.id}>
                        {each.title}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="button" onClick={() => props.onMove(moveTo)} disabled={moveTo === column.id}>
                  Move
                </button>
              </div>
              <div className="actions">
                <button type="button" className="primary" onClick={() => setEditing(true)}>
                  Edit
                </button>
                {confirmingDelete ? (
                  <button type="button" className="danger" onClick={props.onDelete} autoFocus>
                    Yes, delete this card
                  </button>
                ) : (
                  <button type="button" className="danger-quiet" onClick={() => setConfirmingDelete(true)}>
                    Delete…
                  </button>
                )}
              </div>
            </>
          )}
        </div>
      )}
      <button type="button" className="close" aria-label="Close" onClick={() => dialog.current?.close()}>
        ×
      </button>
    </dialog>
  );
}
