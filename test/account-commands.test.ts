import { afterEach, describe, expect, it } from 'vitest';
import { BrowserForms } from './support/browser-forms.ts';
import { runCli } from './support/cli.ts';
import { rawToolCall } from './support/kanban-actors.ts';
import { dbRows, removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';
import { authorizeUrl, exchangeCode, makeAccount, registerClient } from './support/oauth-steps.ts';
import { refresh, SignedInBrowser, storeRow, whoamiStatus } from './support/token-helpers.ts';

// pnpm user:reset, user:revoke and user:delete, each run as a person runs it (a separate process
// on the server's DATA_DIR) while the server runs: the account's sign-in session and refresh
// tokens stop working on the server's next use of them. Its access tokens do not (docs/auth.md: the
// tokens section): JWTs, checked without the database, valid until they expire (at most 1 hour).

const servers: RunningKanban[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.stop();
    removeDataDir(server.dataDir);
  }
});

async function running(): Promise<RunningKanban> {
  const server = await startKanban({ env: { LOG_LEVEL: 'silent' } });
  servers.push(server);
  return server;
}

/** A new account signed in through one browser (its cookie jar holds the session), with tokens for one client. */
async function signedIn(kanban: RunningKanban) {
  const client = await registerClient(kanban);
  const account = await makeAccount(kanban);
  const browser = new SignedInBrowser(kanban, account);
  const { code, verifier } = await browser.code(client);
  const exchanged = await exchangeCode(kanban, client, code, verifier);
  expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
  const tokens = exchanged.body as { access_token: string; refresh_token: string };
  return { kanban, client, account, browser, tokens };
}
type SignedIn = Awaited<ReturnType<typeof signedIn>>;

/**
 * Where a new authorization request in the browser's cookie jar leads: straight back to the client
 * with a code while the session signs the account in; to the sign-in page once it no longer does.
 */
async function sessionLeadsTo({ kanban, client, browser }: SignedIn): Promise<string> {
  const page = await browser.browser.open(authorizeUrl(kanban, client).url);
  if (page.html === '') return new URL(page.url).searchParams.has('code') ? 'a code' : page.url;
  if (/action="[^"]*\/oauth\/interaction\/[\w-]+\/login"/.test(page.html)) return 'the sign-in page';
  return page.html.includes('/confirm"') ? 'the consent page' : `${page.status} ${page.url}`;
}

/** A sign-in with username and password in a fresh browser: whether it gets to a code. */
async function signsIn(kanban: RunningKanban, account: { username: string; password: string }): Promise<boolean> {
  const browser = new BrowserForms(kanban.url);
  const signIn = await browser.open(authorizeUrl(kanban, await registerClient(kanban)).url);
  let page = await browser.submit(signIn, '/login', account);
  if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
  return page.html === '' && new URL(page.url).searchParams.has('code');
}

/** What the account's old session and refresh token are worth now; the bystander's must still work. */
async function expectSignedOut(who: SignedIn, bystander: SignedIn): Promise<void> {
  const refreshed = await refresh(who.kanban, who.client, who.tokens.refresh_token);
  expect({ status: refreshed.status, error: refreshed.body.error }).toEqual({ status: 400, error: 'invalid_grant' });
  expect(await sessionLeadsTo(who)).toBe('the sign-in page');
  expect((await refresh(bystander.kanban, bystander.client, bystander.tokens.refresh_token)).status).toBe(200);
  expect(await sessionLeadsTo(bystander)).toBe('a code');
}

const ENDED = 'ended 1 session, 1 grant and \\d+ codes and tokens\\.\\nAccess tokens already issued stay valid until they expire \\(at most 60 minutes\\)';
const SIGNED_OUT = `${ENDED}\\.\\n$`;
const DELETED = `${ENDED}: what is written with one until then is kept, under the deleted account's id\\.\\n$`;

describe('pnpm user:reset and user:revoke', () => {
  it.each([
    ['reset', 'a brand new password\n', 'Reset the password of {name} \\(acc_[\\w-]+\\) in .+, and signed it out everywhere: '],
    ['revoke', '', 'Signed {name} \\(acc_[\\w-]+\\) out everywhere in .+: '],
  ])('user:%s ends the sessions, grants and refresh tokens of that account only, while the server runs', async (command, stdin, said) => {
    const kanban = await running();
    const alice = await signedIn(kanban);
    const bob = await signedIn(kanban);
    expect(await sessionLeadsTo(alice)).toBe('a code'); // the jar does hold a session

    const run = await runCli('user', [command, alice.account.username], kanban.dataDir, { stdin });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${said.replace('{name}', alice.account.username)}${SIGNED_OUT}`));

    await expectSignedOut(alice, bob);
    // Not stored, so not revoked: the access token is accepted until it expires.
    expect(await whoamiStatus(kanban, alice.tokens.access_token)).toBe(200);
    // The password is the new one after a reset, the same one after a revoke.
    expect(await signsIn(kanban, alice.account)).toBe(command === 'revoke');
    if (command === 'reset') expect(await signsIn(kanban, { username: alice.account.username, password: 'a brand new password' })).toBe(true);
  });

  it('names no account it does not know', async () => {
    const kanban = await running();
    const run = await runCli('user', ['revoke', 'nobody'], kanban.dataDir);
    expect(run).toMatchObject({ code: 1, stderr: 'kanban-mcp: No account is named nobody.\n' });
  });
});

describe('pnpm user:delete', () => {
  it('asks first; then removes the account, its boards and cards and everything it was granted, and no one else\'s', async () => {
    const kanban = await running();
    const alice = await signedIn(kanban);
    const bob = await signedIn(kanban);
    const write = async (who: SignedIn, name: string, args: Record<string, unknown>) => {
      const call = await rawToolCall(kanban.mcpUrl, who.tokens.access_token, name, args);
      expect(call.body.result?.isError, JSON.stringify(call.body)).toBeFalsy();
      return call.body.result.structuredContent;
    };
    const board = await write(alice, 'create_board', { title: 'Alice plans', visibility: 'public' });
    await write(alice, 'create_card', { title: 'One', boardId: board.board.id, requestId: 'alice-card-1' });
    await write(alice, 'create_card', { title: 'Two' }); // on her personal board, made for it
    await write(bob, 'create_card', { title: 'Bob keeps this', requestId: 'bob-card-1' });
    const rowsOf = async (subject: string) => ({
      boards: (await dbRows(kanban, 'SELECT id FROM boards WHERE owner_sub = ?', [subject])).length,
      cards: (await dbRows(kanban, 'SELECT cards.id FROM cards JOIN boards ON boards.id = cards.board_id WHERE boards.owner_sub = ?', [subject])).length,
      columns: (await dbRows(kanban, 'SELECT columns.id FROM columns JOIN boards ON boards.id = columns.board_id WHERE boards.owner_sub = ?', [subject])).length,
      toolRequests: (await dbRows(kanban, 'SELECT request_id FROM tool_requests WHERE subject = ?', [subject])).length,
      accounts: (await dbRows(kanban, 'SELECT id FROM accounts WHERE id = ?', [subject])).length,
    });
    expect(await rowsOf(alice.account.id)).toEqual({ boards: 2, cards: 2, columns: 6, toolRequests: 1, accounts: 1 });
    const bobBefore = await rowsOf(bob.account.id);
    expect(bobBefore).toMatchObject({ boards: 1, cards: 1, toolRequests: 1, accounts: 1 });

    // Without --yes it deletes only when the username comes back (typed, or piped by a script).
    for (const answer of ['', 'y\n', 'someone-else\n']) {
      const refused = await runCli('user', ['delete', alice.account.username], kanban.dataDir, { stdin: answer });
      expect(refused, JSON.stringify(answer)).toMatchObject({ code: 1, stderr: `kanban-mcp: Nothing was deleted: the answer was not "${alice.account.username}". To delete without asking, add --yes.\n` });
    }
    expect(await rowsOf(alice.account.id)).toMatchObject({ boards: 2, accounts: 1 });
    expect(await sessionLeadsTo(alice)).toBe('a code');

    const run = await runCli('user', ['delete', alice.account.username], kanban.dataDir, { stdin: `${alice.account.username}\n` });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Deleted ${alice.account.username} \\(${alice.account.id}\\) from .+: 2 boards and 2 cards; ${DELETED}`));

    await expectSignedOut(alice, bob);
    expect(await storeRow(kanban, 'RefreshToken', alice.tokens.refresh_token)).toBeUndefined();
    expect(await signsIn(kanban, alice.account)).toBe(false);
    expect(await rowsOf(alice.account.id)).toEqual({ boards: 0, cards: 0, columns: 0, toolRequests: 0, accounts: 0 });
    expect(await dbRows(kanban, 'SELECT id FROM boards WHERE id = ?', [board.board.id])).toEqual([]);
    expect(await rowsOf(bob.account.id)).toEqual(bobBefore);
    // The access token outlives the account until it expires: a JWT, checked without the database.
    expect(await whoamiStatus(kanban, alice.tokens.access_token)).toBe(200);

    // --yes asks nothing, even with nothing on standard input.
    const bobGone = await runCli('user', ['delete', bob.account.username, '--yes'], kanban.dataDir);
    expect(bobGone.code, bobGone.stderr).toBe(0);
    expect(bobGone.stdout).toMatch(new RegExp(`^Deleted ${bob.account.username} \\(${bob.account.id}\\) from .+: 1 board and 1 card; ${DELETED}`));
    expect(await rowsOf(bob.account.id)).toEqual({ boards: 0, cards: 0, columns: 0, toolRequests: 0, accounts: 0 });
  });
});
