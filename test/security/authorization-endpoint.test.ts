import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserForms, CookieJar } from '../support/browser-forms.ts';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { authorizeUrl, exchangeCode, makeAccount, registerClient, type RegisteredClient } from '../support/oauth-steps.ts';
import {
  authorizeUrlWithout,
  expectErrorRedirect,
  expectJsonError,
  getJson,
  isConsentPage,
  isSignInPage,
  send,
  SessionBrowser,
  type RawResponse,
} from '../support/security-helpers.ts';

// Security catalogue, group 1: the authorization endpoint (/oauth/authorize), rows AZ-01..AZ-44 of
// docs/security-cases.md, against the real app. Errors about the client or its
// redirect_uri must never redirect; every other error goes back to the registered redirect_uri
// with error, state and iss.

const REDIRECT = 'https://client.example/cb';
const LOOPBACK_REDIRECT = 'http://127.0.0.1:2355/cb';

let kanban: RunningKanban;
let client: RegisteredClient;
let account: { username: string; password: string };
/** Signed in once; every consent of this file goes through it (the sign-in form is rate limited). */
let session: SessionBrowser;

beforeAll(async () => {
  // Errors here go back to client.example as to a trusted host: their shape is what is tested.
  // For a redirect URI nobody vouches for, error-redirects.test.ts shows a page instead.
  kanban = await startKanban({ env: { AUTH_TRUSTED_REDIRECT_HOSTS: 'client.example' } });
  client = await registerClient(kanban);
  account = await makeAccount(kanban);
  session = new SessionBrowser(kanban, account);
});
afterAll(async () => {
  await kanban.stop();
  removeDataDir(kanban.dataDir);
});

const url = (overrides: Record<string, string> = {}, without: string[] = [], forClient: RegisteredClient = client) => authorizeUrlWithout(kanban, forClient, overrides, without);
const errorBack = (response: RawResponse, error: string, state: string | null = 'xyz', redirectUri = REDIRECT) => expectErrorRedirect(response, { redirectUri, error, state, issuer: kanban.url });

/** The request went on to our sign-in page: accepted, nothing redirected to the client yet. */
function expectSignInRedirect(response: RawResponse): void {
  expect(response.status, response.text.slice(0, 300)).toBe(303);
  expect(response.location).toMatch(/^\/oauth\/interaction\/[\w-]+$/);
}

/** A successful redirect to the client: code, state, iss, no error. */
function expectCode(redirect: URL | undefined, redirectUri: string, state: string | null = 'xyz'): string {
  expect(redirect, 'expected a redirect to the client').toBeDefined();
  expect(redirect!.origin + redirect!.pathname).toBe(new URL(redirectUri).origin + new URL(redirectUri).pathname);
  expect(redirect!.searchParams.has('error')).toBe(false);
  expect(redirect!.searchParams.getAll('state')).toEqual(state === null ? [] : [state]);
  expect(redirect!.searchParams.getAll('iss')).toEqual([kanban.url]);
  const code = redirect!.searchParams.get('code');
  expect(code).toMatch(/^[\w-]{20,}$/);
  return code!;
}

describe('errors that must not redirect: client_id and redirect_uri (AZ-01..AZ-15)', () => {
  it('AZ-01: no client_id → 400 invalid_request, no Location (JSON for APIs, our error page for browsers)', async () => {
    expectJsonError(await getJson(url({}, ['client_id'])), 400, 'invalid_request');
    const page = await send(url({}, ['client_id']), { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('Sign-in could not continue');
  });

  it('AZ-02: an unknown client_id → 400 invalid_client, no Location', async () => {
    expectJsonError(await getJson(url({ client_id: 'nope' })), 400, 'invalid_client');
  });

  it('AZ-03/AZ-04/AZ-05/AZ-06/AZ-09: an unregistered redirect_uri, or one that differs in any character (host case, :443, added query, trailing slash) → 400, no Location', async () => {
    for (const redirectUri of ['https://attacker.example/cb', 'https://CLIENT.example/cb', 'https://client.example:443/cb', 'https://client.example/cb?x=1', 'https://client.example/cb/', 'http://client.example/cb']) {
      const body = expectJsonError(await getJson(url({ redirect_uri: redirectUri })), 400, 'invalid_redirect_uri');
      expect(body.error_description, redirectUri).toMatch(/redirect_uri/);
    }
  });

  it('AZ-07: registered …/cb?a=1, sent …/cb?a=2 → 400, no Location', async () => {
    const withQuery = await registerClient(kanban, { redirect_uris: ['https://client.example/cb?a=1'] });
    expectJsonError(await getJson(url({ redirect_uri: 'https://client.example/cb?a=2' }, [], withQuery)), 400, 'invalid_redirect_uri');
    expectSignInRedirect(await getJson(url({}, [], withQuery)));
  });

  it('AZ-10: loopback tricks (scheme case, 127.000.000.001, 0x7f.1, 2130706433, dot segments) on a native client → 400, no Location; only the port may differ', async () => {
    const native = await registerClient(kanban, { application_type: 'native', redirect_uris: [LOOPBACK_REDIRECT] });
    for (const redirectUri of ['HTTP://127.0.0.1:9999/cb', 'http://127.000.000.001:9999/cb', 'http://0x7f.1:9999/cb', 'http://2130706433:9999/cb', 'http://127.0.0.1:9999/x/../cb', 'http://127.0.0.1:9999/CB', 'http://127.0.0.1:9999/cb?x=1']) {
      expectJsonError(await getJson(url({ redirect_uri: redirectUri }, [], native)), 400, 'invalid_redirect_uri');
    }
  });

  it('AZ-11: a native client on loopback may use any port: the flow succeeds and the code is bound to the redirect_uri used', async () => {
    const native = await registerClient(kanban, { application_type: 'native', redirect_uris: [LOOPBACK_REDIRECT] });
    const ephemeral = 'http://127.0.0.1:9999/cb';
    const { url: authorize, verifier } = authorizeUrl(kanban, native, { redirect_uri: ephemeral });
    const { redirect } = await session.authorize(authorize);
    const code = expectCode(redirect, ephemeral);
    expect(redirect!.port).toBe('9999');
    const tokens = await exchangeCode(kanban, native, code, verifier, { redirect_uri: ephemeral });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  });

  it('AZ-12: localhost and 127.0.0.1 never stand in for each other → 400, no Location', async () => {
    const ipClient = await registerClient(kanban, { application_type: 'native', redirect_uris: [LOOPBACK_REDIRECT] });
    expectJsonError(await getJson(url({ redirect_uri: 'http://localhost:2355/cb' }, [], ipClient)), 400, 'invalid_redirect_uri');
    const nameClient = await registerClient(kanban, { application_type: 'native', redirect_uris: ['http://localhost:2355/cb'] });
    expectJsonError(await getJson(url({ redirect_uri: LOOPBACK_REDIRECT }, [], nameClient)), 400, 'invalid_redirect_uri');
  });

  it('AZ-13: a redirect_uri with a fragment, on the web or on loopback (any port) → 400, no Location', async () => {
    expectJsonError(await getJson(url({ redirect_uri: `${REDIRECT}#f` })), 400, 'invalid_redirect_uri');
    const native = await registerClient(kanban, { application_type: 'native', redirect_uris: [LOOPBACK_REDIRECT] });
    for (const redirectUri of [`${LOOPBACK_REDIRECT}#f`, 'http://127.0.0.1:9999/cb#f', `${LOOPBACK_REDIRECT}#`]) {
      expectJsonError(await getJson(url({ redirect_uri: redirectUri }, [], native)), 400, 'invalid_redirect_uri');
    }
  });

  it('AZ-14: redirect_uri omitted by a client with two registered → 400 invalid_request, no Location', async () => {
    const two = await registerClient(kanban, { redirect_uris: [REDIRECT, 'https://client.example/cb2'] });
    const body = expectJsonError(await getJson(url({}, ['redirect_uri'], two)), 400, 'invalid_request');
    expect(body.error_description).toMatch(/redirect_uri/);
  });

  it('AZ-15: our policy — redirect_uri omitted by a client with exactly one registered is allowed (OAuth 2.1 §2.3.2); the code goes to that URI', async () => {
    const single = await registerClient(kanban);
    const { redirect } = await session.authorize(url({}, ['redirect_uri'], single));
    expectCode(redirect, REDIRECT);
  });
});

describe('errors redirected to the registered redirect_uri with error, state and iss (AZ-16..AZ-25, AZ-31, AZ-32, AZ-43, AZ-44)', () => {
  // PostgreSQL's jsonb cannot hold NUL: refused on both engines as the client's error, never a 500.
  it('our policy: a NUL in a stored parameter (state) → redirect with invalid_request, nothing stored', async () => {
    const before = await kanban.runtime.database.query('select count(*) as n from oauth_store');
    for (const state of ['a\u0000b', '\u0000']) {
      const params = errorBack(await getJson(url({ state })), 'invalid_request', state);
      expect(params.get('error_description'), JSON.stringify(state)).toBe('parameters must not contain NUL characters');
    }
    expect(await kanban.runtime.database.query('select count(*) as n from oauth_store')).toEqual(before);
  });

  it('AZ-16: response_type missing → redirect with invalid_request', async () => {
    errorBack(await getJson(url({}, ['response_type'])), 'invalid_request');
  });

  it('AZ-17: response_type=token or "code id_token" → redirect with unsupported_response_type (in the fragment, the default mode of those types)', async () => {
    for (const responseType of ['token', 'code id_token', 'id_token']) {
      errorBack(await getJson(url({ response_type: responseType })), 'unsupported_response_type');
    }
  });

  it('AZ-18: code_challenge missing → redirect with invalid_request (PKCE required)', async () => {
    const params = errorBack(await getJson(url({}, ['code_challenge', 'code_challenge_method'])), 'invalid_request');
    expect(params.get('error_description')).toMatch(/PKCE/);
    errorBack(await getJson(url({}, ['code_challenge'])), 'invalid_request');
  });

  it('AZ-19: code_challenge_method=plain → redirect with invalid_request', async () => {
    const params = errorBack(await getJson(url({ code_challenge_method: 'plain' })), 'invalid_request');
    expect(params.get('error_description')).toMatch(/code_challenge_method/);
  });

  it('AZ-20: code_challenge without code_challenge_method (would default to plain) → redirect with invalid_request', async () => {
    const params = errorBack(await getJson(url({}, ['code_challenge_method'])), 'invalid_request');
    expect(params.get('error_description')).toMatch(/code_challenge_method/);
  });

  it('AZ-21: code_challenge outside 43*128unreserved (42 chars, 129 chars, &, +, =) → redirect with invalid_request; 43 chars pass', async () => {
    for (const challenge of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}&`, `${'a'.repeat(42)}+`, `${'a'.repeat(42)}=`, `${'a'.repeat(42)}/`]) {
      const params = errorBack(await getJson(url({ code_challenge: challenge })), 'invalid_request');
      expect(params.get('error_description'), challenge).toMatch(/code_challenge/);
    }
    expectSignInRedirect(await getJson(url({ code_challenge: 'a'.repeat(43) })));
    expectSignInRedirect(await getJson(url({ code_challenge: 'a'.repeat(128) })));
  });

  it('AZ-23: a scope naming nothing we have (admin, "admin root") → straight back to the redirect_uri with invalid_scope, state and iss: no sign-in page, no consent page', async () => {
    for (const scope of ['admin', 'admin root']) {
      for (const accept of ['application/json', 'text/html']) {
        const response = await send(url({ scope }), { headers: { accept } });
        const params = errorBack(response, 'invalid_scope');
        expect(response.location, `${scope} ${accept}`).not.toContain('/oauth/interaction/');
        expect(params.get('error_description')).toMatch(/scope/);
      }
    }
    // A signed-in browser is not shown a consent page for it either.
    const fresh = await registerClient(kanban);
    const signedIn = await session.open(url({}, [], fresh));
    expect(isConsentPage(signedIn)).toBe(true);
    const page = await session.browser.open(url({ scope: 'admin' }, [], fresh));
    expect(page.html).toBe('');
    errorBack({ status: page.status, headers: page.headers, location: page.url, text: '' }, 'invalid_scope');
    // One scope we know is enough to go on (the unknown one is dropped: see the AZ-23 success case).
    expectSignInRedirect(await getJson(url({ scope: 'kanban.read admin' })));
    expectSignInRedirect(await getJson(url({ scope: 'admin kanban.write' })));
  });

  it('AZ-24: a scope outside the scope-token grammar (LF, ", \\) → redirect with invalid_scope', async () => {
    for (const scope of ['kanban.read\nadmin', 'kanban.read\nkanban.write', 'kanban.read "admin', 'kanban.read \\admin']) {
      errorBack(await getJson(url({ scope })), 'invalid_scope');
    }
  });

  it('AZ-25: a repeated parameter → redirect with invalid_request; a repeated client_id → 400 with no redirect', async () => {
    const twiceState = errorBack(await getJson(`${url({ state: 'a' })}&state=b`), 'invalid_request', null);
    expect(twiceState.get('error_description')).toMatch(/state/);
    const twiceType = errorBack(await getJson(`${url()}&response_type=code`), 'invalid_request');
    expect(twiceType.get('error_description')).toMatch(/response_type/);
    errorBack(await getJson(`${url()}&code_challenge_method=S256`), 'invalid_request');
    errorBack(await getJson(`${url()}&redirect_uri=${encodeURIComponent(REDIRECT)}`), 'invalid_request');
    const body = expectJsonError(await getJson(`${url()}&client_id=${client.client_id}`), 400, 'invalid_request');
    expect(body.error_description).toMatch(/client_id/);
  });

  it('AZ-31: resource relative (/mcp) or with a fragment → redirect with invalid_target', async () => {
    for (const resource of ['/mcp', `${kanban.mcpUrl}#x`]) {
      errorBack(await getJson(url({ resource })), 'invalid_target');
    }
  });

  it('AZ-32: a resource this server does not serve → redirect with invalid_target', async () => {
    for (const resource of ['https://other.example/mcp', kanban.url, `${kanban.mcpUrl}/`]) {
      errorBack(await getJson(url({ resource })), 'invalid_target');
    }
  });

  it('AZ-43: request= and request_uri= (JAR, not supported) → redirect with request_not_supported / request_uri_not_supported', async () => {
    errorBack(await getJson(url({ request: 'eyJhbGciOiJub25lIn0.e30.' })), 'request_not_supported');
    errorBack(await getJson(url({ request_uri: 'https://client.example/request.jwt' })), 'request_uri_not_supported');
  });

  it('AZ-44: OIDC semantics — prompt=none while signed out → login_required; max_age=-1 → invalid_request', async () => {
    errorBack(await getJson(url({ prompt: 'none' })), 'login_required');
    errorBack(await getJson(url({ prompt: 'none', scope: 'openid kanban.read' })), 'login_required');
    const params = errorBack(await getJson(url({ max_age: '-1', scope: 'openid kanban.read' })), 'invalid_request');
    expect(params.get('error_description')).toMatch(/max_age/);
  });
});

describe('successful requests (AZ-08, AZ-23, AZ-26..AZ-30, AZ-34)', () => {
  it('AZ-08: a redirect_uri registered with a query keeps it; code, state and iss are added', async () => {
    const withQuery = await registerClient(kanban, { redirect_uris: ['https://client.example/cb?foo=bar'] });
    const { redirect } = await session.authorize(url({}, [], withQuery));
    expectCode(redirect, REDIRECT);
    expect(redirect!.href.startsWith('https://client.example/cb?foo=bar&')).toBe(true);
    expect(redirect!.searchParams.getAll('foo')).toEqual(['bar']);
  });

  it('AZ-23: an unknown scope next to a known one is dropped, and the token response reports the narrowed scope', async () => {
    const fresh = await registerClient(kanban);
    const { url: authorize, verifier } = authorizeUrl(kanban, fresh, { scope: 'kanban.read admin' });
    const { redirect } = await session.authorize(authorize);
    const tokens = await exchangeCode(kanban, fresh, expectCode(redirect, REDIRECT), verifier);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(tokens.body.scope).toBe('kanban.read');
    expect(decodeJwt(tokens.body.access_token as string).scope).toBe('kanban.read');
  });

  it('AZ-26: an unknown extra parameter is ignored and the flow succeeds', async () => {
    const fresh = await registerClient(kanban);
    const { redirect } = await session.authorize(url({ extra: 'foobar' }, [], fresh));
    expectCode(redirect, REDIRECT);
    expect(redirect!.searchParams.has('extra')).toBe(false);
  });

  it('AZ-27: the scope in reverse order succeeds with both scopes granted', async () => {
    const fresh = await registerClient(kanban);
    const { url: authorize, verifier } = authorizeUrl(kanban, fresh, { scope: 'kanban.write kanban.read' });
    const { redirect } = await session.authorize(authorize);
    const tokens = await exchangeCode(kanban, fresh, expectCode(redirect, REDIRECT), verifier);
    expect(tokens.status).toBe(200);
    expect(String(tokens.body.scope).split(' ').sort()).toEqual(['kanban.read', 'kanban.write']);
  });

  it('AZ-28: no state → success without state; a state is echoed byte for byte on success and on error', async () => {
    const { redirect: without } = await session.authorize(url({}, ['state']));
    expectCode(without, REDIRECT, null);
    const state = 'a b+c/%2F&d=é"\'<>~;x=1#h';
    const { redirect } = await session.authorize(url({ state }));
    expectCode(redirect, REDIRECT, state);
    errorBack(await getJson(url({ state, code_challenge_method: 'plain' })), 'invalid_request', state);
  });

  it('AZ-29: a 2 KB state is echoed exactly (never truncated) on success and on error', async () => {
    const state = randomBytes(1536).toString('base64url');
    expect(state).toHaveLength(2048);
    const { redirect } = await session.authorize(url({ state }));
    expectCode(redirect, REDIRECT, state);
    errorBack(await getJson(url({ state }, ['response_type'])), 'invalid_request', state);
  });

  it('AZ-30: every success and error redirect carries iss=<issuer>, and the metadata says so', async () => {
    // Success and error redirects are checked for iss by expectCode / errorBack throughout this file.
    const { redirect } = await session.authorize(url());
    expectCode(redirect, REDIRECT);
    errorBack(await getJson(url({ scope: 'a\nb' })), 'invalid_scope');
    const metadata = (await (await fetch(`${kanban.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(kanban.url);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('AZ-34: the user denies consent → redirect (303) with access_denied, state and iss', async () => {
    const fresh = await registerClient(kanban);
    const { page, redirect } = await session.authorize(url({}, [], fresh), { deny: true });
    expect(redirect).toBeDefined();
    expect(page.status).toBe(303);
    expectErrorRedirect({ status: page.status, headers: page.headers, location: page.url, text: '' }, { redirectUri: REDIRECT, error: 'access_denied', state: 'xyz', issuer: kanban.url });
  });
});

/** Walks the browser part by hand, recording every response, so statuses and cookies can be checked. */
async function walkByHand(start: string, credentials: { username: string; password: string }) {
  const jar = new CookieJar();
  const steps: { method: string; url: string; status: number; location: string | null; setCookies: string[] }[] = [];
  async function step(target: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const method = init.method ?? 'GET';
    const response = await fetch(new URL(target, kanban.url), {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(), accept: 'text/html', ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded', origin: kanban.url } : {}) },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    jar.take(response);
    const record = { method, url: target, status: response.status, location: response.headers.get('location'), setCookies: response.headers.getSetCookie() };
    steps.push(record);
    return { ...record, html: await response.text() };
  }
  const action = (html: string, suffix: string) => new RegExp(`action="([^"]*\\/${suffix})"`).exec(html)?.[1];

  const authorize = await step(start);
  const signIn = await step(authorize.location!);
  const login = await step(action(signIn.html, 'login')!, { method: 'POST', form: credentials });
  const resume = await step(login.location!);
  const consent = await step(resume.location!);
  const confirm = await step(action(consent.html, 'confirm')!, { method: 'POST', form: {} });
  const back = await step(confirm.location!);
  return { steps, final: back };
}

describe('what the browser sees (AZ-35..AZ-39, AZ-42)', () => {
  it('AZ-35: every redirect after a form POST (sign-in, consent) and back to the client is 303, never 307', async () => {
    const fresh = await registerClient(kanban);
    const { steps, final } = await walkByHand(url({}, [], fresh), account);
    const redirects = steps.filter((record) => record.location !== null);
    expect(redirects.map((record) => `${record.method} ${record.status}`)).toEqual(['GET 303', 'POST 303', 'GET 303', 'POST 303', 'GET 303']);
    expect(steps.some((record) => record.status === 307 || record.status === 308)).toBe(false);
    expect(final.location).toMatch(/^https:\/\/client\.example\/cb\?code=/);
  });

  it('AZ-36: no CORS at the authorization endpoint: a preflight or a fetch from another origin gets no Access-Control-Allow-Origin', async () => {
    const preflight = await send(url(), { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    for (const target of [url(), url({ client_id: 'nope' }), url({}, ['response_type'])]) {
      const response = await getJson(target, { origin: 'https://evil.example' });
      expect(response.headers.get('access-control-allow-origin'), target).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('AZ-37: the sign-in, consent and error pages may not be framed (CSP frame-ancestors \'none\', X-Frame-Options DENY)', async () => {
    const signIn = await new BrowserForms(kanban.url).open(url());
    expect(isSignInPage(signIn)).toBe(true);
    const consent = await session.open(url({}, [], await registerClient(kanban)));
    expect(isConsentPage(consent)).toBe(true);
    const error = await send(url({ client_id: 'nope' }), { headers: { accept: 'text/html' } });
    const expired = await send(`${kanban.url}/oauth/interaction/no-such-interaction`, { headers: { accept: 'text/html' } });
    expect(expired.status).toBe(400);
    for (const [name, headers] of [['sign-in', signIn.headers], ['consent', consent.headers], ['error', error.headers], ['expired', expired.headers]] as const) {
      expect(headers.get('content-type'), name).toMatch(/^text\/html/);
      expect(headers.get('content-security-policy'), name).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
      expect(headers.get('x-frame-options'), name).toBe('DENY');
    }
  });

  it('AZ-38: consent CSRF — a consent or sign-in POST with a foreign Origin is refused (403) and nothing is granted', async () => {
    const fresh = await registerClient(kanban);
    const consent = await session.open(url({}, [], fresh));
    expect(isConsentPage(consent)).toBe(true);
    const confirmAction = new URL(/action="([^"]*\/confirm)"/.exec(consent.html)![1]!, kanban.url).href;
    const forged = await send(confirmAction, {
      method: 'POST',
      headers: { cookie: session.browser.jar.header(), origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(forged.status).toBe(403);
    expect(forged.location).toBeNull();
    expect(forged.headers.get('set-cookie')).toBeNull();
    // Nothing was granted: the same interaction still asks for consent, and allowing it then works.
    const again = await session.browser.open(consent.url);
    expect(isConsentPage(again)).toBe(true);
    const allowed = await session.browser.submit(again, '/confirm');
    expectCode(new URL(allowed.url), REDIRECT);

    // The sign-in form too: a foreign Origin never gets to try the password.
    const signIn = await new BrowserForms(kanban.url).open(url());
    const loginAction = new URL(/action="([^"]*\/login)"/.exec(signIn.html)![1]!, kanban.url).href;
    const forgedLogin = await send(loginAction, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: account.username, password: account.password }).toString(),
    });
    expect(forgedLogin.status).toBe(403);
    expect(forgedLogin.location).toBeNull();
    expect(forgedLogin.headers.getSetCookie().some((cookie) => cookie.startsWith('kanban.session='))).toBe(false);
  });

  it('AZ-39: consent is per client — client B gets its own consent prompt in a browser that allowed client A; the session cookie is HttpOnly, SameSite=Lax and signed', async () => {
    const clientA = await registerClient(kanban, { client_name: 'Client A' });
    const clientB = await registerClient(kanban, { client_name: 'Client B' });
    expectCode((await session.authorize(url({}, [], clientA))).redirect, REDIRECT);
    // A again: remembered, straight back with a code.
    const againA = await session.browser.open(url({}, [], clientA));
    expect(againA.html).toBe('');
    expectCode(new URL(againA.url), REDIRECT);
    // B: asked, by name.
    const promptB = await session.browser.open(url({}, [], clientB));
    expect(isConsentPage(promptB)).toBe(true);
    expect(promptB.html).toContain('Allow Client B to use Kanban?');

    const { steps } = await walkByHand(url({}, [], await registerClient(kanban)), account);
    const sessionCookies = steps.flatMap((record) => record.setCookies).filter((cookie) => /^kanban\.session(\.sig)?=/.test(cookie) && !/expires=Thu, 01 Jan 1970/i.test(cookie));
    expect(sessionCookies.some((cookie) => cookie.startsWith('kanban.session='))).toBe(true);
    expect(sessionCookies.some((cookie) => cookie.startsWith('kanban.session.sig='))).toBe(true);
    for (const cookie of sessionCookies) {
      expect(cookie.toLowerCase()).toContain('httponly');
      expect(cookie.toLowerCase()).toContain('samesite=lax');
    }
  });

  it('AZ-42: the authorize response, sign-in, consent and error pages send no-store; the pages send Referrer-Policy: no-referrer and load nothing from elsewhere', async () => {
    const authorize = await send(url());
    expect(authorize.status).toBe(303);
    expect(authorize.headers.get('cache-control')).toBe('no-store');
    const jsonError = await getJson(url({ client_id: 'nope' }));
    expectJsonError(jsonError, 400, 'invalid_client');
    expect(jsonError.headers.get('cache-control')).toBe('no-store');

    const signIn = await new BrowserForms(kanban.url).open(url());
    const consent = await session.open(url({}, [], await registerClient(kanban)));
    expect(isConsentPage(consent)).toBe(true);
    const error = await send(url({ client_id: 'nope' }), { headers: { accept: 'text/html' } });
    const pages = [
      { name: 'sign-in', headers: signIn.headers, html: signIn.html },
      { name: 'consent', headers: consent.headers, html: consent.html },
      { name: 'error', headers: error.headers, html: error.text },
    ];
    for (const { name, headers, html } of pages) {
      expect(headers.get('cache-control'), name).toBe('no-store');
      expect(headers.get('referrer-policy'), name).toBe('no-referrer');
      expect(headers.get('content-security-policy'), name).toMatch(/(^|;)\s*default-src 'none'\s*(;|$)/);
      // No external resources: no src/href/action pointing at another origin, no <script>, no <link>.
      expect(html, name).not.toMatch(/(src|href|action)="(https?:)?\/\//i);
      expect(html, name).not.toMatch(/<(script|link|iframe|img)\b/i);
    }
  });

  it("AZ-37/AZ-42: oidc-provider's own pages (the form_post response, with a code or an error) may not be framed, send no Referer and are not cached; its logout page is switched off", async () => {
    const formPostError = await send(url({ response_mode: 'form_post', code_challenge_method: 'plain' }), { headers: { accept: 'text/html' } });
    expect(formPostError.status).toBe(400);
    expect(formPostError.text).toContain('name="error" value="invalid_request"');
    expect(formPostError.text).toContain(`action="${REDIRECT}"`);

    const { page: formPostCode } = await session.authorize(url({ response_mode: 'form_post' }, [], await registerClient(kanban)));
    expect(formPostCode.status).toBe(200);
    expect(formPostCode.html).toMatch(/name="code" value="[\w-]{20,}"/);
    expect(formPostCode.html).toContain(`action="${REDIRECT}"`);

    const logout = await send(`${kanban.url}/oauth/logout`, { headers: { accept: 'text/html', cookie: session.browser.jar.header() } });
    expect(logout.status).toBe(404);
    expect(logout.headers.get('content-type')).toMatch(/^application\/json/);

    const pages = [
      { name: 'form_post error', headers: formPostError.headers },
      { name: 'form_post code', headers: formPostCode.headers },
    ];
    for (const { name, headers } of pages) {
      expect(headers.get('content-type'), name).toMatch(/^text\/html/);
      expect(headers.get('content-security-policy'), name).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
      expect(headers.get('x-frame-options'), name).toBe('DENY');
      expect(headers.get('referrer-policy'), name).toBe('no-referrer');
      expect(headers.get('cache-control'), name).toBe('no-store');
    }
  });

  it("AZ-38: a sign-in or consent POST without this browser's interaction cookie (a cross-site form sends none under SameSite=Lax) → 403, and nothing is signed in or granted", async () => {
    const post = (action: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
      send(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });

    // Sign-in: a live interaction and the right password, but no cookie (with our Origin, and with none).
    const started = await send(url());
    expectSignInRedirect(started);
    const loginAction = `${kanban.url}${started.location!}/login`;
    for (const headers of [{ origin: kanban.url }, {}] as Record<string, string>[]) {
      const forged = await post(loginAction, { username: account.username, password: account.password }, headers);
      expect(forged.status).toBe(403);
      expect(forged.location).toBeNull();
      expect(forged.headers.getSetCookie().some((cookie) => cookie.startsWith('kanban.session='))).toBe(false);
    }

    // Consent: the signed-in browser's session cookie, but not its interaction cookie.
    const fresh = await registerClient(kanban);
    const consent = await session.open(url({}, [], fresh));
    expect(isConsentPage(consent)).toBe(true);
    const confirmAction = new URL(/action="([^"]*\/confirm)"/.exec(consent.html)![1]!, kanban.url).href;
    const sessionOnly = session.browser.jar
      .header()
      .split('; ')
      .filter((cookie) => !cookie.startsWith('kanban.interaction'))
      .join('; ');
    expect(sessionOnly).toContain('kanban.session=');
    for (const headers of [{ origin: kanban.url }, { origin: kanban.url, cookie: sessionOnly }, {}] as Record<string, string>[]) {
      const forged = await post(confirmAction, {}, headers);
      expect(forged.status, JSON.stringify(Object.keys(headers))).toBe(403);
      expect(forged.location).toBeNull();
    }
    const forgedAbort = await post(confirmAction.replace(/\/confirm$/, '/abort'), {}, { origin: kanban.url });
    expect(forgedAbort.status).toBe(403);

    // Nothing was granted or denied: the interaction still asks, and allowing it then gives a code.
    const again = await session.browser.open(consent.url);
    expect(isConsentPage(again)).toBe(true);
    const allowed = await session.browser.submit(again, '/confirm');
    expectCode(new URL(allowed.url), REDIRECT);
  });
});

describe('HTTP methods (AZ-40, AZ-41)', () => {
  it('AZ-40: PUT, DELETE or PATCH /oauth/authorize → 405 with Allow: GET, HEAD and a JSON invalid_request', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      for (const accept of ['application/json', 'text/html']) {
        const response = await send(url(), { method, headers: { accept } });
        expectJsonError(response, 405, 'invalid_request');
        expect(response.headers.get('allow'), method).toBe('GET, HEAD');
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(response.headers.get('set-cookie')).toBeNull();
      }
    }
  });

  it('AZ-41: POST is not supported at the authorization endpoint: a form-encoded or JSON POST (or the query on a POST) → 405 with Allow: GET, HEAD, and no sign-in starts', async () => {
    const params = Object.fromEntries(new URL(url()).searchParams);
    const posts: { name: string; target: string; init: RequestInit }[] = [
      { name: 'form', target: `${kanban.url}/oauth/authorize`, init: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() } },
      { name: 'json', target: `${kanban.url}/oauth/authorize`, init: { headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) } },
      { name: 'query', target: url(), init: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' } },
    ];
    for (const { name, target, init } of posts) {
      const response = await send(target, { ...init, method: 'POST' });
      expectJsonError(response, 405, 'invalid_request');
      expect(response.headers.get('allow'), name).toBe('GET, HEAD');
      expect(response.headers.get('set-cookie'), name).toBeNull();
    }
    // GET with the same parameters is the way in.
    expectSignInRedirect(await getJson(url()));
  });
});

