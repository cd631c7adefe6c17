import { createHash, randomBytes } from 'node:crypto';
import { createAccount } from '../../server/auth/issuer/accounts.ts';
import { runCli } from './cli.ts';
import type { RunningKanban } from './kanban-server.ts';
import { BrowserForms, type Page } from './browser-forms.ts';

// The steps of an OAuth flow against the embedded issuer, one call each, for tests that need to
// poke at a single step (a code, a refresh token) with everything before it done properly.

export interface RegisteredClient {
  client_id: string;
  redirect_uris: string[];
  [key: string]: unknown;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function registerClient(kanban: RunningKanban, metadata: Record<string, unknown> = {}): Promise<RegisteredClient> {
  const response = await fetch(`${kanban.url}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Security test client', redirect_uris: ['https://client.example/cb'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], ...metadata }),
  });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as RegisteredClient;
}

let accountCounter = 0;
/** An account made the way `pnpm user:add` makes one. */
export async function makeAccount(kanban: RunningKanban, name = `user${++accountCounter}-${randomBytes(3).toString('hex')}`) {
  const password = 'correct horse battery staple';
  const account = await createAccount(kanban.runtime.database, { username: name, password });
  return { ...account, password };
}

export function authorizeUrl(kanban: RunningKanban, client: RegisteredClient, params: Record<string, string> = {}): { url: string; verifier: string } {
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: client.redirect_uris[0]!,
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: 'kanban.read kanban.write',
    resource: kanban.mcpUrl,
    state: 'xyz',
    ...params,
  });
  return { url: `${kanban.url}/oauth/authorize?${query}`, verifier };
}

/**
 * Signs `account` in and consents in a fresh browser, from the given authorize URL. Returns where
 * the browser was finally sent (the client's redirect, with code or error), or the last page.
 */
export async function authorizeInBrowser(kanban: RunningKanban, url: string, account: { username: string; password: string }, options: { deny?: boolean } = {}) {
  const browser = new BrowserForms(kanban.url);
  let page: Page = await browser.open(url);
  if (page.html.includes('/login')) page = await browser.submit(page, '/login', { username: account.username, password: account.password });
  if (page.html.includes('/confirm')) page = await browser.submit(page, options.deny ? '/abort' : '/confirm');
  return { page, redirect: page.html ? undefined : new URL(page.url), browser };
}

/** A fresh code for `client`, with its PKCE verifier. */
export async function getCode(kanban: RunningKanban, client: RegisteredClient, account: { username: string; password: string }, params: Record<string, string> = {}) {
  const { url, verifier } = authorizeUrl(kanban, client, params);
  const { redirect, page } = await authorizeInBrowser(kanban, url, account);
  const code = redirect?.searchParams.get('code');
  if (!code) throw new Error(`no code: ${redirect ?? page.html.slice(0, 500)}`);
  return { code, verifier, redirect: redirect! };
}

/** A form POST to one of the issuer's endpoints; the status, headers, raw text and parsed JSON body. */
export async function postForm(kanban: RunningKanban, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${kanban.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
}

export function tokenRequest(kanban: RunningKanban, form: Record<string, string>, headers: Record<string, string> = {}) {
  return postForm(kanban, '/oauth/token', form, headers);
}

/** Code → tokens for a public client. */
export async function exchangeCode(kanban: RunningKanban, client: RegisteredClient, code: string, verifier: string, extra: Record<string, string> = {}) {
  return tokenRequest(kanban, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: client.client_id, redirect_uri: client.redirect_uris[0]!, resource: kanban.mcpUrl, ...extra });
}

/** A signed-in client with tokens, in one call. */
export async function signedInClient(kanban: RunningKanban, metadata: Record<string, unknown> = {}) {
  const client = await registerClient(kanban, metadata);
  const account = await makeAccount(kanban);
  const { code, verifier } = await getCode(kanban, client, account);
  const tokens = await exchangeCode(kanban, client, code, verifier);
  if (tokens.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(tokens.body)}`);
  return { client, account, tokens: tokens.body as { access_token: string; refresh_token: string; [key: string]: unknown } };
}

/**
 * A token for a server running in another process (no RunningKanban at hand): an account made
 * with the `pnpm user:add` command on its DATA_DIR, then the code flow over HTTP.
 */
export async function signInToChildServer(url: string, dataDir: string, username: string): Promise<string> {
  const password = 'a password long enough';
  const added = await runCli('user', ['add', username], dataDir, { stdin: `${password}\n` });
  if (added.code !== 0) throw new Error(added.stderr);
  const server = { url, mcpUrl: `${url}/mcp` } as RunningKanban; // only its URLs are used
  const client = await registerClient(server);
  const { code, verifier } = await getCode(server, client, { username, password });
  const tokens = await exchangeCode(server, client, code, verifier);
  if (tokens.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(tokens.body)}`);
  return tokens.body.access_token as string;
}
