import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountError } from '../../server/auth/issuer/accounts.ts';
import { boardOf, connectAs, signInActor, type Actor, type SearchHit } from '../support/kanban-actors.ts';
import { dbRows, removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { exchangeCode, getCode, makeAccount, registerClient } from '../support/oauth-steps.ts';

// RV-14: usernames are folded the same way on both engines (NFKC, then lower case): "Émile" and
// "émile" are one account on SQLite as on PostgreSQL, and so are "ＡＤＡ" (fullwidth) and "ada".
// search_cards folds its words and the cards' text the same way on both.

let kanban: RunningKanban;
let owner: Actor;

beforeAll(async () => {
  kanban = await startKanban({ env: { LOG_LEVEL: 'silent' } });
  owner = await signInActor(kanban, 'owner');
});
afterAll(async () => {
  await kanban?.stop();
  if (kanban) removeDataDir(kanban.dataDir);
});

/** The subject of a token got by signing in, through the real form, as `username`. */
async function subjectSignedInAs(server: RunningKanban, username: string, password: string): Promise<string> {
  const client = await registerClient(server);
  const { code, verifier } = await getCode(server, client, { username, password });
  const tokens = await exchangeCode(server, client, code, verifier);
  const sdk = await connectAs(server.mcpUrl, tokens.body.access_token as string);
  try {
    return ((await sdk.callTool({ name: 'whoami', arguments: {} })).structuredContent as { subject: string }).subject;
  } finally {
    await sdk.close();
  }
}

describe('usernames folded alike on every engine (RV-14)', () => {
  const pairs: [string, string][] = [
    ['Émile', 'émile'],
    ['ÉMILIE', 'émilie'],
    ['Ωmega', 'ωMEGA'],
    ['ＡＤＡ', 'ada'],
  ];

  it.each(pairs)('%s and %s are one account: the second is refused, and signs in as the first', async (first, second) => {
    const account = await makeAccount(kanban, first);
    await expect(makeAccount(kanban, second)).rejects.toThrow(new AccountError('That username is taken. Pick another, or sign in.'));
    expect(await subjectSignedInAs(kanban, second, account.password)).toBe(account.id);
    expect((await dbRows<{ username: string }>(kanban, 'SELECT username FROM accounts WHERE id = ?', [account.id]))[0]!.username).toBe(first);
  });

  it('accounts made before the folding get their keys at the next start; of two that now fold alike, the newer is renamed to its id', async () => {
    const older = await makeAccount(kanban, 'zoe-before');
    const newer = await makeAccount(kanban, 'zoe-after');
    // As the migration leaves them: names the old ASCII-only index told apart, and no key yet.
    await dbRows(kanban, 'UPDATE accounts SET username = ?, username_key = NULL WHERE id = ?', ['Zoé', older.id]);
    await dbRows(kanban, 'UPDATE accounts SET username = ?, username_key = NULL WHERE id = ?', ['ZOÉ', newer.id]);
    const [first, second] = await dbRows<{ id: string }>(kanban, 'SELECT id FROM accounts WHERE id IN (?, ?) ORDER BY created_at, id', [older.id, newer.id]);
    await kanban.stop();

    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      kanban = await startKanban({ dataDir: kanban.dataDir, env: { LOG_LEVEL: 'silent' } });
    } finally {
      process.off('warning', onWarning);
    }
    const rows = await dbRows<{ id: string; username: string; username_key: string }>(kanban, 'SELECT id, username, username_key FROM accounts WHERE id IN (?, ?) ORDER BY created_at, id', [older.id, newer.id]);
    expect(rows).toEqual([
      { id: first!.id, username: first!.id === older.id ? 'Zoé' : 'ZOÉ', username_key: 'zoé' },
      { id: second!.id, username: second!.id, username_key: second!.id.toLowerCase() },
    ]);
    expect(warnings.map((warning) => warning.message)).toContain(
      `the username ${JSON.stringify(first!.id === older.id ? 'ZOÉ' : 'Zoé')} is now the same as an older account's (usernames are compared folded: NFKC, lower case), so this account is renamed ${second!.id}: it signs in with that name.`,
    );
    expect(await subjectSignedInAs(kanban, 'zoé', older.password)).toBe(first!.id);
    expect(await subjectSignedInAs(kanban, second!.id, newer.password)).toBe(second!.id);
    owner = await signInActor(kanban, 'owner');
  });
});

describe('search_cards folds case alike on every engine (RV-14)', () => {
  it('finds "Émile" as ÉMILE and émile, and fullwidth letters as plain ones', async () => {
    const board = boardOf(await owner.call('create_board', { title: 'Folding' }));
    boardOf(await owner.call('create_card', { boardId: board.id, title: "Émile's birthday", description: 'Ｃａｋｅ from the ＢＡＫＥＲＹ' }));
    const titles = async (query: string) => ((await owner.call('search_cards', { query, boardId: board.id })).structuredContent as { results: SearchHit[] }).results.map((hit) => hit.card.title);
    for (const query of ['Émile', 'ÉMILE', 'émile', 'cake bakery', 'CAKE', 'ｃａｋｅ']) expect(await titles(query), query).toEqual(["Émile's birthday"]);
    expect(await titles('emile')).toEqual([]);
  });

  it('looks words up in the folded copy written with the card: an edit is found by its new words only, and a row without the copy is folded on the fly', async () => {
    const board = boardOf(await owner.call('create_board', { title: 'Edits' }));
    const card = boardOf(await owner.call('create_card', { boardId: board.id, title: 'Χορός rehearsal', description: 'Studio Alpha' })).columns[0]!.cards[0]!;
    const titles = async (query: string) => ((await owner.call('search_cards', { query, boardId: board.id })).structuredContent as { results: SearchHit[] }).results.map((hit) => hit.card.title);
    // Greek final sigma: JavaScript folds ΧΟΡΌΣ to χορός, whatever the database's locale.
    expect(await titles('ΧΟΡΌΣ studio')).toEqual(['Χορός rehearsal']);
    await owner.call('update_card', { cardId: card.id, description: 'Studio Ｂｅｔａ' });
    expect(await titles('alpha')).toEqual([]);
    expect(await titles('studio beta')).toEqual(['Χορός rehearsal']);
    await owner.call('update_card', { cardId: card.id, title: 'Dance rehearsal' });
    expect(await titles('χορός')).toEqual([]);
    expect(await titles('DANCE')).toEqual(['Dance rehearsal']);

    const { database } = kanban.runtime;
    await database.query('UPDATE cards SET search_text = NULL WHERE id = ?', [card.id]);
    expect(await titles('dance studio')).toEqual(['Dance rehearsal']);
  });
});
