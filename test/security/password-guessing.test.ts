import { randomBytes, scryptSync } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccount } from '../../server/auth/issuer/accounts.ts';
import { inHashingSlot, passwordHashingLoad } from '../../server/auth/issuer/passwords.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { BrowserForms } from '../support/browser-forms.ts';
import { dbRow, dbRows, removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { authorizeInBrowser, authorizeUrl, makeAccount, registerClient } from '../support/oauth-steps.ts';
import { startPrivateRedis } from '../support/private-redis.ts';
import { TEST_ENGINE } from '../support/test-database.ts';

// Security catalogue RV-01..RV-03 (and sign-ups, hash cost): password guessing against the
// sign-in and sign-up forms, each limit met by a bounded flood on loopback. Addresses other than
// 127.0.0.1 come from X-Forwarded-For, believed from loopback under TRUST_PROXY=loopback.
// The issuer runs in this process, so a test can move its clock (Date only) and read or take its
// password-hashing slots (passwords.ts).

const servers: RunningKanban[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const server of servers.splice(0)) {
    await server.stop();
    removeDataDir(server.dataDir);
  }
});

async function start(env: Record<string, string>): Promise<RunningKanban> {
  const kanban = await startKanban({ env: { TRUST_PROXY: 'loopback', ...env } });
  servers.push(kanban);
  return kanban;
}

/** A fresh sign-in (its own browser and interaction): the URL its forms post to. */
async function interaction(kanban: RunningKanban) {
  const client = await registerClient(kanban);
  const browser = new BrowserForms(kanban.url);
  const page = await browser.open(authorizeUrl(kanban, client).url);
  const uid = /\/oauth\/interaction\/([\w-]+)\/login/.exec(page.html)![1]!;
  return { cookie: browser.jar.header(), url: `${kanban.url}/oauth/interaction/${uid}` };
}

/** A form post to `<interaction>/<action>` as a browser on `address` sends it. */
async function post(at: { cookie: string; url: string }, action: 'login' | 'signup', form: Record<string, string>, address: string) {
  const response = await fetch(`${at.url}/${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: at.cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', 'x-forwarded-for': address },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), html: await response.text() };
}

const signIn = async (kanban: RunningKanban, username: string, password: string, address: string) => post(await interaction(kanban), 'login', { username, password }, address);

/**
 * Runs `work` with `count` of this process's password-hashing slots taken, so sign-ins queue behind
 * them; `work` frees them (release) when its queued sign-ins may go on. Freed at the end however
 * `work` ends: later tests in this worker share the slots.
 */
async function withHashingSlotsTaken<T>(count: number, work: (release: () => Promise<void>) => Promise<T>): Promise<T> {
  let free!: () => void;
  const gate = new Promise<void>((resolve) => (free = resolve));
  const taken = Array.from({ length: count }, () => inHashingSlot(() => gate));
  const release = async () => {
    free();
    await Promise.all(taken);
  };
  try {
    return await work(release);
  } finally {
    await release();
  }
}

describe('RV-01: one address against many usernames', () => {
  it('is refused past SIGNIN_FAILURES_PER_ADDRESS failures, whatever the usernames; a success gives its try back; other addresses go on', async () => {
    const kanban = await start({ SIGNIN_FAILURES_PER_ADDRESS: '5' });
    const owner = await makeAccount(kanban);
    const at = await interaction(kanban);
    const spray = (i: number) => post(at, 'login', { username: `victim-${i}`, password: 'Summer2026!' }, '203.0.113.1');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await spray(i)).status);
    statuses.push((await signIn(kanban, owner.username, owner.password, '203.0.113.1')).status);
    statuses.push((await spray(4)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 303, 401]);

    const refused = await spray(5);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(refused.html).toContain('Too many attempts from this address.');
    // The right password too: the address has spent its budget.
    expect((await signIn(kanban, owner.username, owner.password, '203.0.113.1')).status).toBe(429);
    expect((await spray(6)).status).toBe(429);
    expect((await post(at, 'login', { username: 'victim-7', password: 'Summer2026!' }, '203.0.113.2')).status).toBe(401);
  });

  // On PostgreSQL the budget's windows run on the database's clock, which a test cannot move (that
  // store takes nothing off an ended window by itself: postgres-store.ts); here they run on Date's.
  it.skipIf(TEST_ENGINE === 'postgres')('a success answered after its window has ended gives nothing back to the next window', async () => {
    const kanban = await start({ SIGNIN_FAILURES_PER_ADDRESS: '3', PASSWORD_HASH_CONCURRENCY: '1' });
    const owner = await makeAccount(kanban);
    const at = await interaction(kanban);
    const spray = (i: number) => post(at, 'login', { username: `victim-${i}`, password: 'Summer2026!' }, '203.0.113.1');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });

    // The one hashing slot taken: the sign-in is counted now, in this window, and answered later.
    const answers = await withHashingSlotsTaken(1, async (release) => {
      const success = signIn(kanban, owner.username, owner.password, '203.0.113.1');
      await expect.poll(() => passwordHashingLoad().waiting).toBe(1);
      vi.setSystemTime(Date.now() + 15 * 60 * 1000);
      // The next window's first failure, counted before the sign-in is answered.
      const firstFailure = spray(0);
      await expect.poll(() => passwordHashingLoad().waiting).toBe(2);
      await release();
      return [await success, await firstFailure];
    });
    expect(answers.map((answer) => answer.status)).toEqual([303, 401]);

    // Three failures in this window, as if the sign-in had never been: a give-back would allow a fourth.
    expect([(await spray(1)).status, (await spray(2)).status, (await spray(3)).status]).toEqual([401, 401, 429]);
  });

  it('a success whose try cannot be given back (the shared store gone) still signs in, and says so in the log', async (context) => {
    const redis = await startPrivateRedis();
    if (!redis) return context.skip('no redis-server on this machine');
    try {
      const kanban = await start({ REDIS_URL: redis.url, PASSWORD_HASH_CONCURRENCY: '1' });
      const owner = await makeAccount(kanban);
      // Counted in Redis, then held at the hashing slot while Redis goes away.
      const answer = await withHashingSlotsTaken(1, async (release) => {
        const success = signIn(kanban, owner.username, owner.password, '203.0.113.1');
        await expect.poll(() => passwordHashingLoad().waiting).toBe(1);
        await redis.kill();
        await release();
        return success;
      });
      expect(answer.status).toBe(303);
      expect(kanban.logs.some((line) => line.limiter === 'signin-failures' && line.msg === 'a try could not be given back')).toBe(true);
    } finally {
      await redis.kill();
    }
  });
});

describe('RV-02: many addresses against one account', () => {
  it('waits past SIGNIN_FAILURES_PER_ACCOUNT failures, longer after each further one; the owner still gets in from an address they used', async () => {
    const kanban = await start({ SIGNIN_FAILURES_PER_ACCOUNT: '3' });
    const owner = await makeAccount(kanban);
    expect((await signIn(kanban, owner.username, owner.password, '198.51.100.7')).status).toBe(303);
    const at = await interaction(kanban);
    let attacker = 0;
    const guess = (username = owner.username) => post(at, 'login', { username, password: `guess-${attacker}` }, `203.0.113.${++attacker}`);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });

    expect([(await guess()).status, (await guess()).status, (await guess()).status]).toEqual([401, 401, 401]);
    const waits: number[] = [];
    for (const _ of [1, 2, 3]) {
      const refused = await guess();
      expect(refused.status).toBe(429);
      expect(refused.html).toContain('Too many failed sign-ins for this username.');
      waits.push(Number(refused.retryAfter));
      // During the wait not even the right password is checked, from an address the owner never used.
      expect((await signIn(kanban, owner.username, owner.password, '192.0.2.1')).status).toBe(429);
      vi.setSystemTime(Date.now() + waits.at(-1)! * 1000);
      expect((await guess()).status).toBe(401); // the wait is over: checked again, and wrong again
    }
    expect(waits).toEqual([30, 60, 120]);

    // Mixed case is the same account (the lookup ignores case), so it does not escape the wait.
    expect((await guess(owner.username.toUpperCase())).status).toBe(429);
    // The owner, from an address they signed in from, is not held up by the guessing.
    expect((await signIn(kanban, owner.username, owner.password, '198.51.100.7')).status).toBe(303);
  });

  it('treats a username no account has the same way, so the wait does not tell which accounts exist', async () => {
    const kanban = await start({ SIGNIN_FAILURES_PER_ACCOUNT: '3' });
    const at = await interaction(kanban);
    const statuses = [];
    for (let i = 1; i <= 4; i++) statuses.push((await post(at, 'login', { username: 'nobody-here', password: 'guess' }, `203.0.113.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('counts tries sent together: of 10 at once from 10 addresses, only SIGNIN_FAILURES_PER_ACCOUNT are checked', async () => {
    const kanban = await start({ SIGNIN_FAILURES_PER_ACCOUNT: '3' });
    const owner = await makeAccount(kanban);
    const at = await interaction(kanban);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => post(at, 'login', { username: owner.username, password: `guess-${i}` }, `203.0.113.${i + 1}`)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([401, 401, 401, ...Array(7).fill(429)]);
  });
});

describe('RV-03: a flood of sign-ins, each a password hash', () => {
  it('never runs more than PASSWORD_HASH_CONCURRENCY hashes at once, queues PASSWORD_HASH_QUEUE more, and answers the rest 503 with Retry-After', async () => {
    const kanban = await start({ PASSWORD_HASH_CONCURRENCY: '2', PASSWORD_HASH_QUEUE: '10' });
    const at = await interaction(kanban);
    const attempt = (i: number) => post(at, 'login', { username: `unknown-${i}`, password: 'guess' }, '127.0.0.1');

    // Take both slots, so that the flood queues behind them for certain (no race with its hashes).
    const flooded = await withHashingSlotsTaken(2, async (release) => {
      const flood = Array.from({ length: 10 }, (_, i) => attempt(i));
      await expect.poll(() => passwordHashingLoad().waiting).toBe(10);

      const refused = await attempt(10);
      expect(refused.status).toBe(503);
      expect(refused.retryAfter).toBe('5');
      expect(refused.html).toContain('Too many sign-ins are being checked at this moment.');

      await release();
      return Promise.all(flood);
    });
    expect(flooded.map((answer) => answer.status)).toEqual(Array(10).fill(401));
    expect(passwordHashingLoad()).toEqual({ running: 0, peak: 2, waiting: 0 });
  });
});

describe('sign-ups per address', () => {
  it('are refused past SIGNUPS_PER_ADDRESS in the hour; another address still signs up', async () => {
    const kanban = await start({ SIGNUPS_PER_ADDRESS: '3' });
    const signUp = async (username: string, address: string) => post(await interaction(kanban), 'signup', { username, password: 'correct horse battery', displayName: username }, address);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await signUp(`newcomer-${i}`, '203.0.113.1')).status);
    expect(statuses).toEqual([303, 303, 303]);
    const refused = await signUp('newcomer-3', '203.0.113.1');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await signUp('newcomer-4', '203.0.113.2')).status).toBe(303);
  });
});

describe('the password hash cost', () => {
  /** A hash as the issuer made them before N = 2^17: scrypt N = 2^15, r = 8, p = 1. */
  function oldHash(password: string): string {
    const salt = randomBytes(16);
    const key = scryptSync(password.normalize('NFKC'), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    return ['scrypt', 2 ** 15, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
  }
  const storedHash = async (kanban: RunningKanban, id: string) => (await dbRow<{ password_hash: string }>(kanban, 'SELECT password_hash FROM accounts WHERE id = ?', [id]))!.password_hash;

  it('is N = 2^17 in production (lower only under NODE_ENV=test); new hashes use it, and an old hash is made again at it on the next successful sign-in', async () => {
    expect(loadConfig({}).signIn.hashCost).toBe(17);
    expect(() => loadConfig({ NODE_ENV: 'production', PASSWORD_HASH_COST: '12' })).toThrow(ConfigError);
    // '' is unset: the default, not the test servers' lower cost.
    const kanban = await start({ PASSWORD_HASH_COST: '' });
    const password = 'correct horse battery';
    const account = await createAccount(kanban.runtime.database, { username: 'old-timer', password });
    const old = oldHash(password);
    await dbRows(kanban, 'UPDATE accounts SET password_hash = ? WHERE id = ?', [old, account.id]);

    expect((await signIn(kanban, 'old-timer', 'not the password', '127.0.0.1')).status).toBe(401);
    expect(await storedHash(kanban, account.id)).toBe(old);
    expect((await signIn(kanban, 'old-timer', password, '127.0.0.1')).status).toBe(303);
    const upgraded = await storedHash(kanban, account.id);
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    // The new hash is the same password's: it signs in again.
    const { redirect } = await authorizeInBrowser(kanban, authorizeUrl(kanban, await registerClient(kanban)).url, { username: 'old-timer', password });
    expect(redirect?.searchParams.get('code')).toEqual(expect.any(String));
    expect(await storedHash(kanban, account.id)).toBe(upgraded);

    const newcomer = await post(await interaction(kanban), 'signup', { username: 'newcomer', password, displayName: 'Newcomer' }, '127.0.0.1');
    expect(newcomer.status).toBe(303);
    expect((await dbRow<{ password_hash: string }>(kanban, 'SELECT password_hash FROM accounts WHERE username = ?', ['newcomer']))!.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
  });
});
