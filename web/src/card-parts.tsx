import type { CardView } from '../../server/mcp/tools/schemas.ts';
import { formatDueDate, isOverdue } from './due-dates.ts';

// The pieces of a card that the board and the card dialog both show.

export function Labels({ labels, as: Tag = 'span' }: { labels: readonly string[]; as?: 'span' | 'ul' }) {
  if (labels.length === 0) return null;
  const Item = Tag === 'ul' ? 'li' : 'span';
  return (
    <Tag className="labels" aria-label="Labels">
      {labels.map((label) => (
        <Item key={label} className="label">
          {label}
        </Item>
      ))}
    </Tag>
  );
}

/** The due date; an overdue one says so in words as well as in red. */
export function DueDate({ dueDate }: { dueDate: CardView['dueDate'] }) {
  if (!dueDate) return null;
  const overdue = isOverdue(dueDate);
  return (
    <span className={overdue ? 'due overdue' : 'due'}>
      {overdue ? 'Overdue · ' : 'Due '}
      {formatDueDate(dueDate)}
    </span>
  );
}
