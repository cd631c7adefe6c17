import { isNull } from 'drizzle-orm';
import type { KanbanDatabase } from './database.ts';
import { newId } from './ids.ts';
import { spacedPositions } from './positions.ts';
import { cardSearchText } from './usernames.ts';

interface DemoCard {
  title: string;
  description?: string;
  labels?: string[];
  /** Days from the seeding day; negative is overdue. */
  dueInDays?: number;
}
interface DemoBoard {
  title: string;
  columns: { title: string; wipLimit?: number; cards: DemoCard[] }[];
}

// Public showcase boards owned by nobody, featured (listed to everyone): anyone can browse them,
// nobody can change them.
export const DEMO_BOARDS: DemoBoard[] = [
  {
    title: 'Product roadmap',
    columns: [
      {
        title: 'Backlog',
        cards: [
          { title: 'Export a board as CSV', description: 'Teams want to paste boards into spreadsheets for planning reviews.', labels: ['feature'] },
          { title: 'Recurring cards', description: 'A card that reappears every week, for chores and standups.', labels: ['feature', 'research'] },
          { title: 'Keyboard shortcuts cheat sheet', labels: ['docs'] },
        ],
      },
      {
        title: 'Next up',
        cards: [
          { title: 'Due date reminders', description: 'Remind the owner the day before a card is due.', labels: ['feature'], dueInDays: 21 },
          { title: 'Dark mode polish', description: 'Check contrast of labels and overdue dates in dark theme.', labels: ['design'], dueInDays: 14 },
        ],
      },
      {
        title: 'In progress',
        wipLimit: 3,
        cards: [
          { title: 'Sign in with OAuth 2.1', description: 'Let people sign in from ChatGPT to keep their own boards.', labels: ['feature', 'security'], dueInDays: 7 },
          { title: 'Drag and drop between columns', description: 'Move cards with the mouse or the keyboard.', labels: ['feature', 'design'], dueInDays: 3 },
        ],
      },
      {
        title: 'Shipped',
        cards: [
          { title: 'Public demo boards', description: 'Browse boards without signing in.', labels: ['feature'] },
          { title: 'Search across cards', description: 'Find a card by any word of its title or description.', labels: ['feature'] },
        ],
      },
    ],
  },
  {
    title: 'Website relaunch',
    columns: [
      {
        title: 'To do',
        cards: [
          { title: 'Write the pricing page copy', description: 'Three plans, a comparison table and an FAQ.', labels: ['content'], dueInDays: 10 },
          { title: 'Compress hero images', description: 'Serve AVIF with a JPEG fallback; aim for under 200 kB per page.', labels: ['performance'] },
          { title: 'Set up redirects from old URLs', labels: ['seo'], dueInDays: 12 },
        ],
      },
      {
        title: 'Doing',
        wipLimit: 2,
        cards: [
          { title: 'Accessibility audit', description: 'Keyboard navigation, focus order, alt text and colour contrast on every template.', labels: ['a11y'], dueInDays: -2 },
          { title: 'Newsletter signup form', description: 'Double opt-in; store consent with a timestamp.', labels: ['feature'], dueInDays: 5 },
        ],
      },
      {
        title: 'Review',
        cards: [{ title: 'New navigation menu', description: 'Mobile menu opens from the right and traps focus.', labels: ['design'] }],
      },
      {
        title: 'Done',
        cards: [
          { title: 'Pick a font pairing', labels: ['design'] },
          { title: 'Move DNS to the new host', labels: ['ops'] },
        ],
      },
    ],
  },
  {
    title: 'Home renovation',
    columns: [
      {
        title: 'Ideas',
        cards: [
          { title: 'Herb garden on the balcony', description: 'Basil, thyme, mint in separate pots (mint spreads).', labels: ['garden'] },
          { title: 'Reading nook under the stairs', labels: ['living room'] },
        ],
      },
      {
        title: 'To do',
        cards: [
          { title: 'Call the plumber about the dripping tap', description: 'Kitchen mixer tap drips when closed; ask for a quote for a new cartridge.', labels: ['kitchen', 'urgent'], dueInDays: 2 },
          { title: 'Buy paint samples', description: 'Warm white for the hallway, sage green for the bedroom.', labels: ['painting'], dueInDays: 6 },
        ],
      },
      {
        title: 'Doing',
        cards: [{ title: 'Sand and oil the oak table', description: 'Two coats of hardwax oil, 24 hours apart.', labels: ['furniture'] }],
      },
      {
        title: 'Done',
        cards: [{ title: 'Replace the hallway light bulbs', labels: ['electrics'] }],
      },
    ],
  },
];

function isoDateInDays(from: Date, days: number): string {
  const date = new Date(from.getTime() + days * 86_400_000);
  return date.toISOString().slice(0, 10);
}

/**
 * Inserts the demo boards once. Safe to run on every start and from several processes at
 * once: the check and the inserts share one write transaction.
 * Returns how many boards it inserted.
 */
export function seedDemoBoards(database: KanbanDatabase, now = new Date()): Promise<number> {
  const { boards, columns, cards } = database.tables;
  return database.write(async (db) => {
    const existing = await db.select({ id: boards.id }).from(boards).where(isNull(boards.ownerSub)).limit(1);
    if (existing.length > 0) return 0;
    for (const [boardIndex, demo] of DEMO_BOARDS.entries()) {
      // Distinct timestamps keep the listing order stable: first board first.
      const stamp = new Date(now.getTime() - boardIndex * 1000);
      const boardId = newId('board');
      await db.insert(boards).values({ id: boardId, ownerSub: null, title: demo.title, visibility: 'public', featured: true, createdAt: stamp, updatedAt: stamp });
      const columnPositions = spacedPositions(demo.columns.length);
      for (const [columnIndex, column] of demo.columns.entries()) {
        const columnId = newId('column');
        await db.insert(columns).values({ id: columnId, boardId, title: column.title, position: columnPositions[columnIndex]!, wipLimit: column.wipLimit ?? null });
        const cardPositions = spacedPositions(column.cards.length);
        const rows = column.cards.map((card, cardIndex) => ({
          id: newId('card'),
          boardId,
          columnId,
          title: card.title,
          description: card.description ?? '',
          searchText: cardSearchText({ title: card.title, description: card.description ?? '' }),
          labels: card.labels ?? [],
          dueDate: card.dueInDays === undefined ? null : isoDateInDays(now, card.dueInDays),
          position: cardPositions[cardIndex]!,
          createdBySub: null,
          createdAt: stamp,
          updatedAt: stamp,
        }));
        if (rows.length > 0) await db.insert(cards).values(rows);
      }
    }
    return DEMO_BOARDS.length;
  });
}
