import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { BrowserForms, type Page } from './browser-forms.ts';
import { freePort, spawnServer, untilAnswering, type ChildServer } from './child-server.ts';
import { rawToolCall, textOf } from './kanban-actors.ts';
import { LOAD_LIMITS, type RunningKanban } from './kanban-server.ts';
import { authorizeUrl, exchangeCode, registerClient, type RegisteredClient } from './oauth-steps.ts';
import { runDatabaseName } from './run-databases.ts';
import { adminQuery, databaseUrl, TEST_DATABASE_URL } from './test-database.ts';

// Three server processes ("replicas") on one PostgreSQL database of their own, for
// test/replicas.test.ts: one PUBLIC_URL for all, each on its own loopback port, each request sent
// straight to the replica the test picks. The `let` exports are live bindings, set by useReplicas'
// beforeAll; `available` is false (and unavailableReason says why) when no PostgreSQL answers.

const DATABASE_NAME = runDatabaseName('replicas');
export const DATABASE_URL = databaseUrl(DATABASE_NAME);

export interface Replica {
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

export let available = false;
export let unavailableReason = '';
export let replicas: Replica[] = [];
let publicUrl = '';
let db: pg.Client | undefined;

/** Makes the database and the three replicas' descriptions (none started) before the file's tests; stops the replicas after. */
export function useReplicas(): void {
  beforeAll(async () => {
    try {
      await adminQuery(`CREATE DATABASE "${DATABASE_NAME}"`);
      available = true;
    } catch (error) {
      unavailableReason = `no PostgreSQL at ${new URL(TEST_DATABASE_URL).host} (${(error as Error).message})`;
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

  // The database stays until the run's end (runDatabaseName).
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => stopReplica(replica)));
    await db?.end();
    for (const replica of replicas) rmSync(replica.dataDir, { recursive: true, force: true });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `done()` holds; throws with `what` after `timeoutMs`. */
export async function until(what: string, done: () => boolean, timeoutMs = 15_000, everyMs = 20): Promise<void> {
  for (const started = Date.now(); !done(); await sleep(everyMs)) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
  }
}

export async function rows<Row>(text: string, params: unknown[] = []): Promise<Row[]> {
  return (await db!.query(text, params)).rows as Row[];
}

export function launch(replica: Replica): ChildServer {
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
export async function serving(replica: Replica): Promise<void> {
  const server = replica.server!;
  const died = server.exited.then(({ code, signal }) => {
    throw new Error(`${replica.name} exited (${code ?? signal}) before serving: ${server.stderr()}`);
  });
  await Promise.race([untilAnswering(`${replica.url}/healthz`, {}, 45_000), died]);
  replica.up = true;
}

export async function stopReplica(replica: Replica): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
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
export function via(replica: Replica): RunningKanban {
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
export async function callOk(replica: Replica, token: string | undefined, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  const call = await rawToolCall(replica.mcpUrl, token, name, args);
  expect(call.status, `${name} on ${replica.name}: ${JSON.stringify(call.body).slice(0, 300)}`).toBe(200);
  const result = call.body.result as CallToolResult;
  expect(result.isError, `${name} on ${replica.name}: ${textOf(result)}`).toBeFalsy();
  return result;
}

export async function subjectOn(replica: Replica, token: string): Promise<string> {
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
export async function signUpAcross(username: string, steps: Steps): Promise<{ client: RegisteredClient; accessToken: string; refreshToken: string }> {
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
export function errorLogLines(): string[] {
  return replicas.flatMap((replica) => logLines(replica).filter((line) => /"level":(5|6)\d/.test(line)));
}
