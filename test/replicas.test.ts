import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BOARDS } from '../db/seed.ts';
import { BrowserForms, type Page } from './support/browser-forms.ts';
import { freePort, spawnServer, untilAnswering, type ChildServer } from './support/child-server.ts';
import { runCli } from './support/cli.ts';
import { boardOf, cardByTitle, cardsOf, rawToolCall, textOf, type BoardView } from './support/kanban-actors.ts';
import { LOAD_LIMITS, type RunningKanban } from './support/kanban-server.ts';
import { authorizeUrl, exchangeCode, registerClient, type RegisteredClient } from './support/oauth-steps.ts';
import { adminQuery, TEST_DATABASE_PREFIX, TEST_DATABASE_URL } from './support/test-database.ts';
import { refresh } from './support/token-helpers.ts';

// Three server processes ("replicas") on one PostgreSQL database, as behind a load balancer:
// one PUBLIC_URL for all, each on its own loopback port, each request sent straight to the
// replica the test picks. They start together on an empty database (migrations and the seed
// must happen once), an OAuth flow hops between them (the issuer's state is in the database,
// not in a process), and two users write through all three at once while one is SIGKILLed and
// restarted: every acknowledged write is there exactly once, and positions stay consistent.
// About PostgreSQL, so it runs whatever TEST_ENGINE says; skipped when no server answers.

const DATABASE_NAME = `${TEST_DATABASE_PREFIX}replicas_${randomBytes(4).toString('hex')}`;
const DATABASE_URL = Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${DATABASE_NAME}` }).toString();
const MIGRATIONS = (JSON.parse(readFileSync(new URL('../db/postgres/migrations/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] }).entries.length;
const BUSY_TEXT = 'Kanban is busy saving another change';

interface Replica {
  name: string;
  port: number;
  url: string;
  mcpUrl: string;
  dataDir: string;
  server: ChildServer | undefined;
  /** Taken out of the round-robin while killed, as a load balancer's health check would. */
  up: boolean;
  /** Bumped at each kill: a call that started on an earlier generation died with that process. */
  generation: number;
  inFlight: number;
  /** Processes of this replica that were killed, for the log checks. */
  past: ChildServer[];
}

let available = false;
let unavailableReason = '';
let replicas: Replica[] = [];
let publicUrl = '';
let db: pg.Client | undefined;

beforeAll(async () => {
  try {
    await adminQuery(`CREATE DATABASE "${DATABASE_NAME}"`);
    available = true;
  } catch (error) {
    unavailableReason = `no PostgreSQL at ${TEST_DATABASE_URL} (${(error as Error).message})`;
    console.warn(`Skipping the replica tests: ${unavailableReason}`);
    return;
  }
  const ports = [await freePort(), await freePort(), await freePort()];
  // Every replica is configured with one public origin: replica 1's. Requests to the others
  // carry their own loopback Host, which the server always accepts.
  publicUrl = `http://127.0.0.1:${ports[0]}`;
  replicas = ports.map((port, index) => ({
    name: `replica ${index + 1}`,
    port,
    url: `http://127.0.0.1:${port}`,
    mcpUrl: `http://127.0.0.1:${port}/mcp`,
    dataDir: mkdtempSync(join(tmpdir(), 'kanban-replica-')),
    server: undefined,
    up: false,
    generation: 0,
    inFlight: 0,
    past: [],
  }));
  db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => stopReplica(replica)));
  await db?.end();
  if (available) await adminQuery(`DROP DATABASE IF EXISTS "${DATABASE_NAME}" WITH (FORCE)`);
  for (const replica of replicas) rmSync(replica.dataDir, { recursive: true, force: true });
}, 30_000);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `done()` holds; throws with `what` after `timeoutMs`. */
async function until(what: string, done: () => boolean, timeoutMs = 15_000, everyMs = 20): Promise<void> {
  for (const started = Date.now(); !done(); await sleep(everyMs)) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
  }
}

async function rows<Row>(text: string, params: unknown[] = []): Promise<Row[]> {
  return (await db!.query(text, params)).rows as Row[];
}

function launch(replica: Replica): ChildServer {
  return spawnServer({
    PORT: String(replica.port),
    HOST: '127.0.0.1',
    DATABASE_URL,
    DATA_DIR: replica.dataDir,
    PUBLIC_URL: publicUrl,
    LOG_LEVEL: 'info',
    DATABASE_POOL_SIZE: '3',
    // Two users writing through three replicas as fast as they answer: past the default budgets.
    ...LOAD_LIMITS,
  });
}

/** Resolves once the replica serves; fails at once (with its stderr) if the process exits first. */
async function serving(replica: Replica): Promise<void> {
  const server = replica.server!;
  const died = server.exited.then(({ code, signal }) => {
    throw new Error(`${replica.name} exited (${code ?? signal}) before serving: ${server.stderr()}`);
  });
  await Promise.race([untilAnswering(`${replica.url}/healthz`, {}, 45_000), died]);
  replica.up = true;
}

async function stopReplica(replica: Replica): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
  const server = replica.server;
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return server && (await server.exited);
  replica.up = false;
  server.child.kill('SIGTERM');
  const exit = await Promise.race([server.exited, sleep(15_000).then(() => undefined)]);
  if (exit) return exit;
  server.child.kill('SIGKILL');
  return server.exited;
}

/** What the oauth-steps helpers read of a server: where to send (url), and the resource indicator (mcpUrl), the public one on every replica. */
function via(replica: Replica): RunningKanban {
  return { url: replica.url, mcpUrl: `${publicUrl}/mcp` } as RunningKanban;
}

/** The same page as if the browser had been balanced onto `replica` (its forms then post there). */
function pageOn(page: Page, replica: Replica): Page {
  const url = new URL(page.url);
  return { ...page, url: new URL(url.pathname + url.search, replica.url).href };
}

/**
 * BrowserForms follows redirects within PUBLIC_URL only. The issuer's redirects to its own pages
 * are relative, so a browser talking to another replica stays on it: follow those too.
 */
async function settled(browser: BrowserForms, page: Page): Promise<Page> {
  for (let hops = 0; page.html === '' && hops < 10 && replicas.some((replica) => page.url.startsWith(`${replica.url}/`)); hops++) page = await browser.open(page.url);
  return page;
}

/** A tools/call that must succeed (HTTP 200, no isError). */
async function callOk(replica: Replica, token: string | undefined, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  const call = await rawToolCall(replica.mcpUrl, token, name, args);
  expect(call.status, `${name} on ${replica.name}: ${JSON.stringify(call.body).slice(0, 300)}`).toBe(200);
  const result = call.body.result as CallToolResult;
  expect(result.isError, `${name} on ${replica.name}: ${textOf(result)}`).toBeFalsy();
  return result;
}

async function subjectOn(replica: Replica, token: string): Promise<string> {
  return ((await callOk(replica, token, 'whoami')).structuredContent as { subject: string }).subject;
}

interface Steps {
  /** Registration and the authorization request. */
  authorize: Replica;
  signUpPage: Replica;
  signUp: Replica;
  consent: Replica;
  token: Replica;
}

/**
 * A new account through the whole code flow, each step on the replica `steps` names. The page
 * after a form comes from wherever its redirect points: back to PUBLIC_URL (replica 1) after
 * sign-up and consent, so those pages were read from another replica than the one that took the POST.
 */
async function signUpAcross(username: string, steps: Steps): Promise<{ client: RegisteredClient; accessToken: string; refreshToken: string }> {
  const client = await registerClient(via(steps.authorize));
  const { url, verifier } = authorizeUrl(via(steps.authorize), client);
  const browser = new BrowserForms(publicUrl);
  const signIn = await settled(browser, await browser.open(url));
  expect([signIn.status, new URL(signIn.url).origin], signIn.html.slice(0, 300)).toEqual([200, steps.authorize.url]);
  const signUpForm = await settled(browser, await browser.submit(pageOn(signIn, steps.signUpPage), '/signup'));
  expect([signUpForm.status, new URL(signUpForm.url).origin], signUpForm.html.slice(0, 300)).toEqual([200, steps.signUpPage.url]);
  const consent = await settled(browser, await browser.submit(pageOn(signUpForm, steps.signUp), '/signup', { username, password: 'correct horse battery staple', displayName: username }));
  expect(consent.status, consent.html.slice(0, 300)).toBe(200);
  expect(consent.html).toContain('/confirm');
  const done = await settled(browser, await browser.submit(pageOn(consent, steps.consent), '/confirm'));
  expect(done.html, `consent on ${steps.consent.name} should redirect to the client`).toBe('');
  const redirect = new URL(done.url);
  expect(redirect.origin + redirect.pathname).toBe(client.redirect_uris[0]);
  expect(redirect.searchParams.get('state')).toBe('xyz');
  // RFC 9207: one issuer identity, whichever replica answered.
  expect(redirect.searchParams.get('iss')).toBe(publicUrl);
  const code = redirect.searchParams.get('code');
  expect(code, redirect.href).toBeTruthy();
  const tokens = await exchangeCode(via(steps.token), client, code!, verifier);
  expect(tokens.status, `token exchange on ${steps.token.name}: ${tokens.text}`).toBe(200);
  return { client, accessToken: tokens.body.access_token as string, refreshToken: tokens.body.refresh_token as string };
}

/** Every log line a replica's processes wrote, killed ones included. */
function logLines(replica: Replica): string[] {
  return [...replica.past, ...(replica.server ? [replica.server] : [])].flatMap((server) => server.stdout().split('\n'));
}

/** Error-level lines (pino 50 and up) of every replica. */
function errorLogLines(): string[] {
  return replicas.flatMap((replica) => logLines(replica).filter((line) => /"level":(5|6)\d/.test(line)));
}

// Shared by the tests below, which run in order: the users the OAuth flows signed up, and the
// key the burst rotated.
const users: { label: string; accessToken: string; subject: string; client: RegisteredClient; refreshToken: string }[] = [];
let rotatedKid = '';

describe('three replicas on one PostgreSQL database', () => {
  it('starting at once on an empty database, they migrate and seed it once, and all three serve', { timeout: 60_000 }, async (context) => {
    context.skip(!available, unavailableReason);
    // Spawned in the same tick: they race for the migration lock and the seed.
    for (const replica of replicas) replica.server = launch(replica);
    await Promise.all(replicas.map((replica) => serving(replica)));

    for (const replica of replicas) {
      const health = await fetch(`${replica.url}/healthz`);
      expect(await health.json(), replica.name).toEqual({ status: 'ok', database: 'ok' });
      const boards = await callOk(replica, undefined, 'list_boards', { limit: 100 });
      expect((boards.structuredContent as { boards: unknown[] }).boards, replica.name).toHaveLength(DEMO_BOARDS.length);
    }
    const [migrations] = await rows<{ n: number; hashes: number }>('SELECT count(*)::int AS n, count(DISTINCT hash)::int AS hashes FROM drizzle.__drizzle_migrations');
    expect(migrations).toEqual({ n: MIGRATIONS, hashes: MIGRATIONS });
    const [demo] = await rows<{ n: number }>('SELECT count(*)::int AS n FROM boards WHERE owner_sub IS NULL');
    expect(demo!.n).toBe(DEMO_BOARDS.length);
    // One replica seeded; the others found the boards there (the seed's check and inserts are one transaction).
    const seeders = replicas.filter((replica) => replica.server!.stdout().includes('"msg":"seeded demo boards"'));
    expect(seeders).toHaveLength(1);
    // One signing key and one set of cookie keys, shared: that is what lets a token or cookie from one replica work on another.
    expect(await rows('SELECT count(*)::int AS n FROM signing_keys')).toEqual([{ n: 1 }]);
    expect(await rows("SELECT count(*)::int AS n FROM issuer_secrets WHERE name = 'cookie_keys'")).toEqual([{ n: 1 }]);
    expect(errorLogLines()).toEqual([]);
  });

  it('an OAuth flow hops replicas: authorize on 1, sign-up on 2 and 3, consent on 2, code exchange on 2, tools on 3, refreshes on 3 and 1, the new tokens on 1 and 2', async (context) => {
    context.skip(!available, unavailableReason);
    const [one, two, three] = replicas as [Replica, Replica, Replica];
    const { client, accessToken, refreshToken } = await signUpAcross('replica-ada', { authorize: one, signUpPage: two, signUp: three, consent: two, token: two });

    const subject = await subjectOn(three, accessToken);
    expect(subject).toMatch(/\S/);
    const board = boardOf(await callOk(three, accessToken, 'create_board', { title: 'Made on replica 3', requestId: 'replicas-oauth-board' }));
    // Another replica sees the board at once: no per-process cache between the write and the read.
    expect(boardOf(await callOk(one, accessToken, 'get_board', { boardId: board.id })).title).toBe('Made on replica 3');

    const refreshed = await refresh(via(three), client, refreshToken);
    expect(refreshed.status, refreshed.text).toBe(200);
    const newToken = refreshed.body.access_token as string;
    expect(newToken).not.toBe(accessToken);
    for (const replica of [one, two]) expect(await subjectOn(replica, newToken), replica.name).toBe(subject);
    // The new refresh token works on yet another replica.
    const again = await refresh(via(one), client, refreshed.body.refresh_token as string);
    expect(again.status, again.text).toBe(200);
    expect(await subjectOn(two, again.body.access_token as string)).toBe(subject);

    users.push({ label: 'A', accessToken: again.body.access_token as string, subject, client, refreshToken: again.body.refresh_token as string });
    // The second user's flow takes the other path round the replicas.
    const second = await signUpAcross('replica-bob', { authorize: three, signUpPage: one, signUp: two, consent: three, token: one });
    users.push({ label: 'B', ...second, subject: await subjectOn(two, second.accessToken) });
    expect(users[1]!.subject).not.toBe(subject);
    expect(errorLogLines()).toEqual([]);
  });

  it('two users writing through all three, one replica SIGKILLed mid-burst and restarted: every acknowledged card once, consistent positions', { timeout: 60_000 }, async (context) => {
    context.skip(!available, unavailableReason);
    expect(users).toHaveLength(2);
    const victim = replicas[1]!;
    const COLUMNS = ['To do', 'Doing', 'Review', 'Done'];
    const LOOPS_PER_USER = 4;
    const MAX_ATTEMPTS = 5;

    const writers = await Promise.all(
      users.map(async (user, index) => ({
        ...user,
        board: boardOf(await callOk(replicas[index]!, user.accessToken, 'create_board', { title: `Burst ${user.label}`, columns: COLUMNS })),
        cards: [] as string[],
        turn: index,
      })),
    );
    type Writer = (typeof writers)[number];

    let phase: 'all up' | 'one down' | 'restarted' = 'all up';
    const acks = new Map<string, number>(); // `${replica} / ${phase sent in}` → acknowledged calls
    const sent = new Set<string>();
    const acknowledged = new Map<string, { cardId: string; writer: Writer }>();
    const unexpected: string[] = [];
    const tally = { lost: 0, busyCreates: 0, busyMoves: 0, retriedCreates: 0, unacknowledgedCreates: 0, top: 0, bottom: 0, before: 0, after: 0 };
    let stop = false;

    /** The writer's next live replica, round-robin. */
    function nextReplica(writer: Writer): Replica {
      for (;;) {
        const replica = replicas[writer.turn++ % replicas.length]!;
        if (replica.up) return replica;
      }
    }

    type Outcome = { kind: 'ack'; result: CallToolResult } | { kind: 'lost' | 'busy' | 'unexpected' };

    /** One call, classified: acknowledged, lost with a killed process, busy (the documented retry-later answer), or unexpected. */
    async function send(writer: Writer, name: string, args: Record<string, unknown>): Promise<Outcome> {
      const replica = nextReplica(writer);
      const generation = replica.generation;
      const key = `${replica.name} / ${phase}`; // the phase the call was sent in
      const what = `${name} ${JSON.stringify(args)} on ${key}`;
      replica.inFlight++;
      try {
        const call = await rawToolCall(replica.mcpUrl, writer.accessToken, name, args);
        const result = call.body?.result as CallToolResult | undefined;
        if (call.status !== 200 || !result) {
          unexpected.push(`${what}: HTTP ${call.status} ${JSON.stringify(call.body).slice(0, 300)}`);
          return { kind: 'unexpected' };
        }
        if (!result.isError) {
          acks.set(key, (acks.get(key) ?? 0) + 1);
          return { kind: 'ack', result };
        }
        if (textOf(result).startsWith(BUSY_TEXT)) {
          tally[name === 'create_card' ? 'busyCreates' : 'busyMoves']++;
          return { kind: 'busy' };
        }
        unexpected.push(`${what}: ${textOf(result)}`);
        return { kind: 'unexpected' };
      } catch (error) {
        // Only a process killed under the call may drop it.
        if (replica.generation !== generation) {
          tally.lost++;
          return { kind: 'lost' };
        }
        unexpected.push(`${what}: ${String((error as Error).cause ?? error)}`);
        return { kind: 'unexpected' };
      } finally {
        replica.inFlight--;
      }
    }

    /** A new card; lost or busy attempts are retried on the next replica with the same requestId, as a client would. */
    async function createOne(writer: Writer, title: string): Promise<void> {
      const args = { boardId: writer.board.id, title, column: COLUMNS[Math.floor(Math.random() * COLUMNS.length)], position: Math.random() < 0.5 ? 'top' : 'bottom', requestId: `rq-${title}` };
      sent.add(title);
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        if (attempt > 1) tally.retriedCreates++;
        const outcome = await send(writer, 'create_card', args);
        if (outcome.kind === 'ack') {
          // The answer is the board after the write, read in its transaction: the card is on it once.
          const card = cardByTitle(boardOf(outcome.result), title);
          acknowledged.set(title, { cardId: card.id, writer });
          writer.cards.push(card.id);
          return;
        }
        if (outcome.kind === 'unexpected') break;
      }
      tally.unacknowledgedCreates++;
    }

    async function moveOne(writer: Writer): Promise<void> {
      const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
      const cardId = pick(writer.cards);
      const position = pick(['top', 'bottom', 'before', 'after'] as const);
      const others = writer.cards.filter((id) => id !== cardId);
      // before/after without a column: the card joins relativeTo's column, wherever that is now.
      const args = position === 'before' || position === 'after' ? { cardId, position, relativeTo: pick(others) } : { cardId, position, column: pick(COLUMNS) };
      const outcome = await send(writer, 'move_card', args);
      if (outcome.kind === 'ack') tally[position]++;
    }

    async function writerLoop(writer: Writer, loop: number): Promise<void> {
      for (let n = 1; !stop; n++) {
        if (writer.cards.length >= 2 && Math.random() < 0.3) await moveOne(writer);
        else await createOne(writer, `${writer.label}-${loop}-${n}`);
      }
    }

    const ackedOn = (replica: Replica, during: typeof phase) => acks.get(`${replica.name} / ${during}`) ?? 0;
    const burstStarted = Date.now();
    const loops = Promise.all(writers.flatMap((writer) => Array.from({ length: LOOPS_PER_USER }, (_, loop) => writerLoop(writer, loop))));
    // Loops end only when told to, so a failure below must stop them before it propagates.
    let inFlightAtKill = 0;
    let restartMs = 0;
    let killExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    try {
      await until('writes through all three replicas', () => Date.now() - burstStarted > 1500 && replicas.every((replica) => ackedOn(replica, 'all up') >= 10));
      // Kill it while our calls are in flight on it, not between them (two, so that at least one is
      // most likely still being worked on rather than answered and not yet read).
      await until(`calls in flight on ${victim.name}`, () => victim.inFlight >= 2, 5000, 1);
      inFlightAtKill = victim.inFlight;
      phase = 'one down';
      victim.up = false;
      victim.generation++;
      victim.server!.child.kill('SIGKILL');
      killExit = await victim.server!.exited;
      victim.past.push(victim.server!);
      // While it is down, a new signing key: every replica publishes it within seconds; the
      // restarted one signs with it, and its start retires the old key, so the others switch too
      // (see the key test below).
      const rotated = await runCli('signing-keys', ['rotate'], victim.dataDir, { env: { DATABASE_URL } });
      expect(rotated.code, rotated.stderr).toBe(0);
      rotatedKid = /New signing key (\S+):/.exec(rotated.stdout)?.[1] ?? '';
      // The other two carry the load alone for a while.
      await until('writes through the two survivors', () => replicas.every((replica) => replica === victim || ackedOn(replica, 'one down') >= 10));
      const relaunched = Date.now();
      victim.server = launch(victim);
      await serving(victim);
      restartMs = Date.now() - relaunched;
      phase = 'restarted';
      const restartedAt = Date.now();
      await until(`writes through the restarted ${victim.name}`, () => Date.now() - restartedAt > 1500 && replicas.every((replica) => ackedOn(replica, 'restarted') >= 10));
    } finally {
      stop = true;
      await loops;
    }

    const summary = { acks: Object.fromEntries(acks), inFlightAtKill, restartMs, sent: sent.size, acknowledged: acknowledged.size, ...tally, ms: Date.now() - burstStarted };
    console.info('replica burst:', JSON.stringify(summary));
    expect(unexpected).toEqual([]);
    expect(errorLogLines()).toEqual([]);
    expect(killExit).toEqual({ code: null, signal: 'SIGKILL' });
    // The kill was under load: calls were in flight on the victim, and at least one died with it
    // (that the survivors and the restarted replica acknowledged writes, the waits above made sure).
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(tally.lost).toBeGreaterThan(0);
    for (const kind of ['top', 'bottom', 'before', 'after'] as const) expect(tally[kind], `${kind} moves`).toBeGreaterThan(0);

    // Every acknowledged card is in the table exactly once, on its writer's board, made by its writer;
    // a card whose every attempt was lost is there at most once; nothing appears that was never sent.
    const stored = await rows<{ id: string; title: string; board_id: string; created_by_sub: string }>(
      'SELECT id, title, board_id, created_by_sub FROM cards WHERE board_id = ANY($1)',
      [writers.map((writer) => writer.board.id)],
    );
    const byTitle = new Map<string, typeof stored>();
    for (const card of stored) byTitle.set(card.title, [...(byTitle.get(card.title) ?? []), card]);
    for (const [title, { cardId, writer }] of acknowledged) {
      expect(byTitle.get(title)?.map((card) => [card.id, card.board_id, card.created_by_sub]), title).toEqual([[cardId, writer.board.id, writer.subject]]);
    }
    expect([...byTitle].filter(([, cards]) => cards.length > 1).map(([title]) => title)).toEqual([]);
    expect(stored.map((card) => card.title).filter((title) => !sent.has(title))).toEqual([]);
    const strays = await rows<{ title: string }>('SELECT title FROM cards WHERE created_by_sub IS NOT NULL AND NOT (board_id = ANY($1))', [writers.map((writer) => writer.board.id)]);
    expect(strays).toEqual([]);

    // Per column, distinct positions; and every replica lists each board in position order.
    for (const writer of writers) {
      const positions = await rows<{ column_id: string; n: number; distinct_positions: number }>(
        'SELECT column_id, count(*)::int AS n, count(DISTINCT position)::int AS distinct_positions FROM cards WHERE board_id = $1 GROUP BY column_id',
        [writer.board.id],
      );
      for (const column of positions) expect(column.distinct_positions, `${writer.label} ${column.column_id}`).toBe(column.n);
      const ordered = await rows<{ id: string; column_id: string }>('SELECT id, column_id FROM cards WHERE board_id = $1 ORDER BY position, id', [writer.board.id]);
      const expected = (board: BoardView) => board.columns.map((column) => ordered.filter((card) => card.column_id === column.id).map((card) => card.id));
      for (const replica of replicas) {
        const board = boardOf(await callOk(replica, writer.accessToken, 'get_board', { boardId: writer.board.id }));
        expect(board.columns.map((column) => column.cards.map((card) => card.id)), `${writer.label} on ${replica.name}`).toEqual(expected(board));
        expect(cardsOf(board)).toHaveLength(stored.filter((card) => card.board_id === writer.board.id).length);
      }
    }
  });

  it('after a key rotation, the restarted replica signs with the new key, and the others read it from the key table without a restart', async (context) => {
    context.skip(!available, unavailableReason);
    const [one, two, three] = replicas as [Replica, Replica, Replica];
    const user = users[0]!;
    expect(rotatedKid).toMatch(/\S/);
    // Tokens of the old key (signed before the rotation) keep working on the restarted replica 2.
    expect(decodeProtectedHeader(user.accessToken).kid).not.toBe(rotatedKid);
    expect(await subjectOn(two, user.accessToken)).toBe(user.subject);
    const refreshed = await refresh(via(two), user.client, user.refreshToken);
    expect(refreshed.status, refreshed.text).toBe(200);
    const token = refreshed.body.access_token as string;
    expect(decodeProtectedHeader(token).kid).toBe(rotatedKid);
    for (const replica of [one, three]) {
      expect(await subjectOn(replica, token), replica.name).toBe(user.subject);
      // It read the changed key table (no restart): it signs with the new key too, listed first.
      await expect.poll(async () => ((await (await fetch(`${replica.url}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys[0]?.kid, { message: replica.name }).toBe(rotatedKid);
    }
    expect(errorLogLines()).toEqual([]);
  });

  it('every replica stops gracefully on SIGTERM', async (context) => {
    context.skip(!available, unavailableReason);
    const exits = await Promise.all(replicas.map((replica) => stopReplica(replica)));
    expect(exits).toEqual(replicas.map(() => ({ code: 0, signal: null })));
  });
});
