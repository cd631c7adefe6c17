import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/database.ts';
import { foldText } from '../../db/usernames.ts';
import { decodeCursor, encodeCursor } from '../../server/kanban/board-cursors.ts';
import type { StoreUnderTest } from './storage-conformance.ts';
import { boardRow, boardWithColumn, cardRow, columnRow, WRITTEN_AT } from './storage-rows.ts';

// The storage conformance suite's cases on text, JSON and order (storage-conformance.ts runs them):
// the dialect's SQL must give, on every engine, what the app computes in JavaScript.

/** Input and what foldText (db/usernames.ts: NFKC, lower case, NFKC) makes of it. */
const FOLDS: [string, string][] = [
  ['Émile', 'émile'],
  ['ÉMILE', 'émile'],
  ['E\u0301MILE', 'émile'], // decomposed: NFKC composes it
  ['Straße', 'straße'], // lower case, not case folding: ß stays, and is not "ss"
  ['STRASSE', 'strasse'],
  ['ẞ', 'ß'],
  ['İstanbul', 'i\u0307stanbul'], // dotted capital I: i and a combining dot, in every locale
  ['ISTANBUL', 'istanbul'],
  ['ΟΔΟΣ', 'οδος'], // a final capital sigma becomes the final form
  ['ΣΟΦΙΑ', 'σοφια'],
  ['ﬁle', 'file'],
  ['Ｆｕｌｌ', 'full'],
  ['Ⅻ', 'xii'],
  ['ǅ', 'dž'],
];

/** Folded words a search looks for (each long enough for the text index) and the cards it finds. */
const SEARCHES: [string[], string[]][] = [
  [['plumb'], ['Call the plumber', 'Plumbing invoice', 'ÉMILE plumbs']],
  [['émile'], ['Plumbing invoice', 'ÉMILE plumbs']],
  [['émile', 'invoice'], ['Plumbing invoice']],
  [['100%'], ['Grow 100% faster']],
  [['snake_case'], ['snake_case name']],
  [['"hello"'], ['Say "hello" AND wave']],
  [['and'], ['Say "hello" AND wave']],
  [['near*'], []],
  [['straße'], ['Straße NEAR fix']],
  [['strasse'], []],
];
/** A card put straight into the table, without its folded words: found by folding it on the fly. */
const UNFOLDED = 'ÉMILE plumbs';

/** Text a JSON member holds, that JSON and SQL both quote: quotes, backslashes, controls, astral characters. */
const MEMBER_VALUES = ['plain', 'Émile "quoted" back\\slash', "O'Brien 😀 клиент\nsecond line", '\u2028\t</script>'];

export function describeTextConformance(store: StoreUnderTest): void {
  describe('case folding and search', () => {
    it('fold folds as foldText does, non-ASCII letters included', async () => {
      const { database } = store;
      const { boards } = database.tables;
      expect(Object.fromEntries(FOLDS.map(([input]) => [input, foldText(input)]))).toEqual(Object.fromEntries(FOLDS));
      await database.write((db) => db.insert(boards).values(FOLDS.map(([title]) => boardRow({ title }))));
      const rows = await database.read((db) => db.select({ title: boards.title, folded: database.dialect.fold(boards.title) }).from(boards));
      expect(Object.fromEntries(rows.map((row) => [row.title, row.folded])), `${database.engine}'s fold (received) against foldText (expected)`).toEqual(Object.fromEntries(FOLDS));
    });

    it('contains finds a folded needle in folded text, and takes nothing in it as a pattern', async () => {
      const { database } = store;
      const { boards } = database.tables;
      const titles = ['Émile Zola', 'EMILE', 'E\u0301MILE again', 'Grow 100% faster', 'Grow 1000 faster', 'snake_case', 'snakeXcase'];
      await database.write((db) => db.insert(boards).values(titles.map((title) => boardRow({ title }))));
      const found = (needle: string) => database.read(async (db) => (await db.select({ title: boards.title }).from(boards).where(database.dialect.contains(database.dialect.fold(boards.title), needle))).map((row) => row.title).sort());
      expect({ émile: await found(foldText('ÉMILE')), percent: await found('100%'), underscore: await found('snake_case') }).toEqual({
        émile: ['E\u0301MILE again', 'Émile Zola'],
        percent: ['Grow 100% faster'],
        underscore: ['snake_case'],
      });
    });

    it('cardsThatMayHold with contains finds exactly the cards holding every word; alone it misses none, nor any card without its folded words', async () => {
      const { database } = store;
      const { cards } = database.tables;
      const { dialect } = database;
      const { board, column } = await boardWithColumn(database);
      const titles = ['Call the plumber', 'Plumbing invoice', 'Grow 100% faster', 'Grow 1000 faster', 'snake_case name', 'Say "hello" AND wave', 'Straße NEAR fix'];
      const rows = titles.map((title) => cardRow(board.id, column.id, { title, description: title === 'Plumbing invoice' ? 'Émile sent it' : '' }));
      rows.push(cardRow(board.id, column.id, { title: UNFOLDED, searchText: null }));
      await database.write((db) => db.insert(cards).values(rows));
      // As search_cards reads a card's words (server/kanban/board-reads.ts).
      const searchText = sql`coalesce(${cards.searchText}, ${dialect.fold(sql`${cards.title} || ${'\n'} || ${cards.description}`)})`;
      const titlesWhere = (db: Db, where: SQL | undefined) => db.select({ title: cards.title }).from(cards).where(where).then((found) => found.map((row) => row.title).sort());
      const results = await database.read(async (db) => {
        const found: Record<string, { exactly: string[]; missedByIndex: string[] }> = {};
        for (const [words, expected] of SEARCHES) {
          const mayHold = await titlesWhere(db, dialect.cardsThatMayHold(cards, words));
          const exactly = await titlesWhere(db, and(dialect.cardsThatMayHold(cards, words), ...words.map((word) => dialect.contains(searchText, word))));
          found[words.join(' ')] = { exactly, missedByIndex: [...expected, UNFOLDED].filter((title) => !mayHold.includes(title)) };
        }
        return found;
      });
      expect(results, 'per search: the cards found, and those the index alone missed').toEqual(Object.fromEntries(SEARCHES.map(([words, expected]) => [words.join(' '), { exactly: [...expected].sort(), missedByIndex: [] }])));
    });
  });

  describe('JSON', () => {
    it('jsonText reads a string member exactly, finds rows by it, and reads a missing member as null', async () => {
      const { database } = store;
      const { oauthStore } = database.tables;
      const payloads = MEMBER_VALUES.map((value) => ({ client_id: value, nested: { list: [value, 1, null] } }));
      await database.write((db) => db.insert(oauthStore).values(payloads.map((payload, i) => ({ model: 'Client', id: `client-${i}`, payload }))));
      const { jsonText } = database.dialect;
      const rows = await database.read((db) => db.select({ id: oauthStore.id, member: jsonText(oauthStore.payload, 'client_id'), missing: jsonText(oauthStore.payload, 'absent'), payload: oauthStore.payload }).from(oauthStore));
      expect(rows.sort((a, b) => a.id.localeCompare(b.id))).toEqual(payloads.map((payload, i) => ({ id: `client-${i}`, member: payload.client_id, missing: null, payload })));
      // One statement after another: a transaction's statements share one connection.
      const byMember = await database.read(async (db) => {
        const found: { id: string }[][] = [];
        for (const value of MEMBER_VALUES) found.push(await db.select({ id: oauthStore.id }).from(oauthStore).where(eq(jsonText(oauthStore.payload, 'client_id'), value)));
        return found;
      });
      expect(byMember).toEqual(MEMBER_VALUES.map((_, i) => [{ id: `client-${i}` }]));
    });

    it('jsonRows gives a board\'s rows as JSON text in order, with JSON columns as JSON, and [] for none', async () => {
      const { database } = store;
      const { boards, columns, cards } = database.tables;
      const { dialect } = database;
      const { board, column } = await boardWithColumn(database, { title: 'Full' });
      const empty = boardRow({ title: 'Empty' });
      const later = columnRow(board.id, { title: 'Done "for now"', position: 2 ** 40, wipLimit: 3 });
      const cardRows = MEMBER_VALUES.map((title, i) => cardRow(board.id, i % 2 ? later.id : column.id, { title, labels: MEMBER_VALUES.slice(i + 1), dueDate: i ? null : '2030-02-28', position: 4096 - i * 1024 }));
      await database.write(async (db) => {
        await db.insert(boards).values(empty);
        await db.insert(columns).values(later);
        await db.insert(cards).values(cardRows);
      });
      const rows = await database.read((db) =>
        db
          .select({
            id: boards.id,
            columnsJson: dialect.jsonRows([columns.id, columns.title, columns.wipLimit, columns.position], sql`${columns} WHERE ${columns.boardId} = ${boards.id}`, sql`${columns.position}`),
            cardsJson: dialect.jsonRows([cards.id, cards.title, dialect.json(cards.labels), cards.dueDate], sql`${cards} WHERE ${cards.boardId} = ${boards.id}`, sql`${cards.position}, ${cards.id}`),
          })
          .from(boards),
      );
      const parsed = Object.fromEntries(rows.map((row) => [row.id, { columns: JSON.parse(row.columnsJson) as unknown, cards: JSON.parse(row.cardsJson) as unknown }]));
      const inOrder = [...cardRows].sort((a, b) => a.position - b.position);
      expect(parsed).toEqual({
        [board.id]: { columns: [column, later].map((c) => [c.id, c.title, c.wipLimit, c.position]), cards: inOrder.map((c) => [c.id, c.title, c.labels, c.dueDate]) },
        [empty.id]: { columns: [], cards: [] },
      });
    });
  });

  describe('order', () => {
    it("list_boards' cursors page through boards newest first, ties by id, each board once, their times to the millisecond", async () => {
      const { database } = store;
      const { boards } = database.tables;
      // Ids of every character class an id may hold, five of them written in the same millisecond.
      const ids = ['A', 'a', 'Z', '_', '-', '0', 'z'].map((character) => `brd_${character.repeat(22)}`);
      const times = [0, 0, 0, 0, 0, 1, -1].map((offset) => new Date(WRITTEN_AT.getTime() + offset));
      await database.write((db) => db.insert(boards).values(ids.map((id, i) => boardRow({ id, updatedAt: times[i]! }))));
      const newestFirst = [desc(boards.updatedAt), desc(boards.id)];
      const all = await database.read((db) => db.select({ id: boards.id, updatedAt: boards.updatedAt }).from(boards).orderBy(...newestFirst));
      const pages: string[][] = [];
      for (let cursor: string | undefined, page = 0; page <= ids.length; page++) {
        const after = cursor === undefined ? undefined : decodeCursor(cursor);
        // The keyset condition of server/kanban/board-reads.ts.
        const rows = await database.read((db) => db.select({ id: boards.id, updatedAt: boards.updatedAt }).from(boards).where(after && or(lt(boards.updatedAt, after.updatedAt), and(eq(boards.updatedAt, after.updatedAt), lt(boards.id, after.id)))).orderBy(...newestFirst).limit(2));
        if (rows.length === 0) break;
        pages.push(rows.map((row) => row.id));
        cursor = encodeCursor(rows.at(-1)!);
      }
      expect(pages.flat()).toEqual(all.map((row) => row.id));
      expect(pages).toHaveLength(Math.ceil(ids.length / 2));
      expect(Object.fromEntries(all.map((row) => [row.id, row.updatedAt.getTime()]))).toEqual(Object.fromEntries(ids.map((id, i) => [id, times[i]!.getTime()])));
      expect(all.map((row) => row.id).slice(0, 1)).toEqual([ids[5]]);
      expect(all.map((row) => row.id).at(-1)).toBe(ids[6]);
    });
  });
}
