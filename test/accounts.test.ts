import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createAccount } from '../server/auth/issuer/accounts.ts';
import { configurePasswordHashing, hashPassword, passwordMatches } from '../server/auth/issuer/passwords.ts';
import { loadConfig } from '../server/config.ts';
import { BrowserForms } from './support/browser-forms.ts';
import { runCli } from './support/cli.ts';
import { makeDataDir, removeDataDir, startKanban } from './support/kanban-server.ts';
import { authorizeInBrowser, authorizeUrl, registerClient } from './support/oauth-steps.ts';
import { TEST_PASSWORD_HASH_COST } from './support/password-cost.ts';
import { openTestDatabase } from './support/test-database.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDataDir(dir);
});

const userCli = (args: string[], dataDir: string, stdin: string) => runCli('user', args, dataDir, { stdin });

describe('passwords', () => {
  // At the tests' cost, like the servers tests start (the production cost: test/security/password-guessing.test.ts).
  beforeAll(() => configurePasswordHashing(loadConfig({ NODE_ENV: 'test', PASSWORD_HASH_COST: TEST_PASSWORD_HASH_COST }).signIn));

  it('are stored as salted scrypt hashes and checked by value', async () => {
    const one = await hashPassword('correct horse battery');
    const two = await hashPassword('correct horse battery');
    expect(one).toMatch(/^scrypt\$4096\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(one).not.toBe(two);
    expect(await passwordMatches('correct horse battery', one)).toBe(true);
    expect(await passwordMatches('correct horse batterY', one)).toBe(false);
    expect(await passwordMatches('anything', 'plaintext')).toBe(false);
  });

  it('sign-in with a username no account can have (NUL, too long) is a wrong username, on either engine', async () => {
    const dir = makeDataDir();
    const database = await openTestDatabase(dir);
    try {
      await createAccount(database, { username: 'émile', password: 'correct horse battery' });
      expect((await authenticate(database, ' émile ', 'correct horse battery'))?.username).toBe('émile');
      for (const username of ['émile\u0000', '\u0000', 'x'.repeat(65)]) expect(await authenticate(database, username, 'correct horse battery'), JSON.stringify(username)).toBeUndefined();
    } finally {
      await database.close();
      removeDataDir(dir);
    }
  });
});

describe('pnpm user:add and SIGNUP=closed', () => {
  it('an account made on the command line signs in, while the sign-in page offers no sign-up', async () => {
    const dataDir = makeDataDir();
    dirs.push(dataDir);
    const added = await userCli(['add', 'carol', '--name', 'Carol C'], dataDir, 'a long enough password\n');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^Added carol \(acc_[\w-]{22}\) in /);
    const duplicate = await userCli(['add', 'Carol'], dataDir, 'a long enough password\n');
    expect(duplicate).toMatchObject({ code: 1, stderr: 'kanban-mcp: That username is taken. Pick another, or sign in.\n' });
    const weak = await userCli(['add', 'dave'], dataDir, 'short\n');
    expect(weak).toMatchObject({ code: 1, stderr: 'kanban-mcp: Passwords have at least 10 characters.\n' });

    const kanban = await startKanban({ dataDir, env: { SIGNUP: 'closed' } });
    try {
      const client = await registerClient(kanban);
      const { url } = authorizeUrl(kanban, client);
      const browser = new BrowserForms(kanban.url);
      const signIn = await browser.open(url);
      expect(signIn.html).toContain('New accounts are created by the administrator of this server.');
      expect(signIn.html).not.toContain('/signup');
      const uid = /\/oauth\/interaction\/([\w-]+)\/login/.exec(signIn.html)![1];
      const refused = await browser.open(`${kanban.url}/oauth/interaction/${uid}/signup`, { method: 'POST', form: { username: 'mallory', password: 'a long enough password' } });
      expect(refused.status).toBe(403);

      const wrong = await browser.submit(signIn, '/login', { username: 'carol', password: 'not the password' });
      expect(wrong.status).toBe(401);
      expect(wrong.html).toContain('Wrong username or password.');

      const { redirect } = await authorizeInBrowser(kanban, url, { username: 'CAROL', password: 'a long enough password' });
      expect(redirect?.searchParams.get('code')).toEqual(expect.any(String));

      const reset = await userCli(['reset', 'carol'], dataDir, 'another long password\n');
      expect(reset.code, reset.stderr).toBe(0);
      const { redirect: afterReset } = await authorizeInBrowser(kanban, authorizeUrl(kanban, client).url, { username: 'carol', password: 'another long password' });
      expect(afterReset?.searchParams.get('code')).toEqual(expect.any(String));
    } finally {
      await kanban.stop();
    }
  });
});
