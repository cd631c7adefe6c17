import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { startClientOrigin, type ClientOrigin } from '../support/client-origin.ts';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { authorizeUrl, getCode, makeAccount, registerClient, type RegisteredClient } from '../support/oauth-steps.ts';
import { expectErrorRedirect, redirectParams, send, SessionBrowser, type RawResponse } from '../support/security-helpers.ts';

// RFC 9700 §4.11.2: the issuer must not be an open redirector. Anyone can register a client with
// any redirect URI (dynamic registration, or a client ID metadata document), and oidc-provider
// sends errors found before sign-in (invalid_scope, login_required…) straight there: a link to our
// trusted URL that lands on any site. An error goes back on its own only to a client the operator
// configured, a host of AUTH_TRUSTED_REDIRECT_HOSTS, or a client this person approved before;
// otherwise our page names the app and the host and offers the way there as a link.

const EVIL = 'https://kanban-login.evil/cb';
const CHATGPT = ['https://chatgpt.com/connector/oauth/c4f1e0b2', 'https://chatgpt.com/connector_platform_oauth_redirect'];
const PARTNER = 'https://partner.example/oauth/callback';
const cimdId = (name: string) => `https://client.example/${name}/client.json`;

let origin: ClientOrigin;
let kanban: RunningKanban;
let evil: RegisteredClient;

beforeAll(async () => {
  // Client ID metadata documents, served from loopback: one naming the evil host, one ChatGPT's.
  const documents: Record<string, { name: string; redirect: string }> = { evil: { name: 'Kanban Login', redirect: EVIL }, chatgpt: { name: 'ChatGPT', redirect: CHATGPT[0]! } };
  origin = await startClientOrigin((path) => {
    const document = documents[path.split('/')[1] ?? ''];
    if (!document || !path.endsWith('/client.json')) return undefined;
    return { headers: { 'cache-control': 'max-age=300' }, body: { client_id: `https://client.example${path}`, client_name: document.name, redirect_uris: [document.redirect], token_endpoint_auth_method: 'none' } };
  });
  kanban = await startKanban({ env: { AUTH_TRUSTED_REDIRECT_HOSTS: 'chatgpt.com,partner.example' }, issuer: { fetch: origin.fetch } });
  // Escaped by construction: the name is shown on our page.
  evil = await registerClient(kanban, { client_name: 'Kanban <b>Login</b>', redirect_uris: [EVIL] });
});
afterAll(async () => {
  await kanban.stop();
  removeDataDir(kanban.dataDir);
  await origin.close();
});

const asBrowser = { headers: { accept: 'text/html' } };
/** What a link gets in the browser: the authorization endpoint's answer, redirects not followed. */
const open = (client: RegisteredClient, params: Record<string, string>) => send(authorizeUrl(kanban, client, params).url, asBrowser);
const cimd = (name: string, redirect: string): RegisteredClient => ({ client_id: cimdId(name), redirect_uris: [redirect] });
const unescape = (html: string) => html.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#x27;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');

/** Our page instead of a redirect: 400, no Location, our headers, the app and the host named. */
function expectErrorPage(response: RawResponse, names: { client: string; host: string }): void {
  expect(response.status, response.location ?? response.text.slice(0, 300)).toBe(400);
  expect(response.location).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('content-security-policy')).toMatch(/(^|;)\s*default-src 'none'\s*(;|$)/);
  expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.text).toContain('Sign-in could not continue');
  expect(response.text).toContain(names.client);
  expect(response.text).toContain(`<code>${names.host}</code>`);
  expect(response.text).not.toMatch(/<script/i);
}

/** The link on the page: exactly the error redirect oidc-provider would have sent. */
function pageLink(response: RawResponse, expected: { redirectUri: string; error: string }): URLSearchParams {
  const href = /<a href="([^"]*)"/.exec(response.text)?.[1];
  expect(href, response.text).toBeDefined();
  return expectErrorRedirect({ status: 303, headers: new Headers(), location: unescape(href!), text: '' }, { ...expected, state: 'xyz', issuer: kanban.url });
}

describe('an error before sign-in, for a redirect URI nobody vouches for, is a page and not a redirect', () => {
  it('the live attack: a self-registered client at kanban-login.evil with scope=admin or prompt=none → 400 page naming the app and host, the error redirect offered as a link', async () => {
    const cases: { params: Record<string, string>; error: string }[] = [
      { params: { scope: 'admin' }, error: 'invalid_scope' },
      { params: { prompt: 'none' }, error: 'login_required' },
      // The fragment response mode (the default of response_type=token) is caught as well.
      { params: { response_type: 'token' }, error: 'unsupported_response_type' },
    ];
    for (const { params, error } of cases) {
      const response = await open(evil, params);
      expectErrorPage(response, { client: 'Kanban &lt;b&gt;Login&lt;/b&gt;', host: 'kanban-login.evil' });
      expect(response.text).not.toContain('<b>Login');
      pageLink(response, { redirectUri: EVIL, error });
    }
    // An API caller gets the same refusal as JSON, still without a Location.
    const json = await send(authorizeUrl(kanban, evil, { scope: 'admin' }).url, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(400);
    expect(json.location).toBeNull();
    expect(JSON.parse(json.text)).toMatchObject({ error: 'invalid_scope' });
  });

  it('response_mode=form_post: no self-submitting form to kanban-login.evil; our page offers the same fields behind a button', async () => {
    const response = await open(evil, { scope: 'admin', response_mode: 'form_post' });
    expectErrorPage(response, { client: 'Kanban &lt;b&gt;Login&lt;/b&gt;', host: 'kanban-login.evil' });
    const form = /<form([^>]*)>/.exec(response.text)?.[1] ?? '';
    expect(form).toContain(`action="${EVIL}"`);
    expect(form).toContain('method="post"');
    expect(response.text).toContain('name="error" value="invalid_scope"');
    expect(response.text).toContain('name="state" value="xyz"');
    expect(response.text).toContain(`name="iss" value="${kanban.url}"`);
  });

  it('a client ID metadata document naming kanban-login.evil (self-described, like dynamic registration) → the same page', async () => {
    const response = await open(cimd('evil', EVIL), { scope: 'admin' });
    expectErrorPage(response, { client: 'Kanban Login', host: 'kanban-login.evil' });
    pageLink(response, { redirectUri: EVIL, error: 'invalid_scope' });
  });

  it('hosts are matched exactly: chatgpt.com.kanban-login.evil and evil.chatgpt.com are not chatgpt.com', async () => {
    for (const redirect of ['https://chatgpt.com.kanban-login.evil/cb', 'https://evil.chatgpt.com/cb']) {
      const client = await registerClient(kanban, { client_name: 'Lookalike', redirect_uris: [redirect] });
      expectErrorPage(await open(client, { scope: 'admin' }), { client: 'Lookalike', host: new URL(redirect).host });
    }
  });
});

describe('errors still go back where they are trusted', () => {
  it("ChatGPT's redirect URIs (chatgpt.com, allow-listed), by dynamic registration or by its metadata document, and a configured host, get the error redirect", async () => {
    const clients = [
      await registerClient(kanban, { client_name: 'ChatGPT', redirect_uris: [CHATGPT[0]] }),
      await registerClient(kanban, { client_name: 'ChatGPT', redirect_uris: [CHATGPT[1]] }),
      cimd('chatgpt', CHATGPT[0]!),
      await registerClient(kanban, { client_name: 'Partner', redirect_uris: [PARTNER] }),
    ];
    for (const client of clients) {
      for (const [params, error] of [[{ scope: 'admin' }, 'invalid_scope'], [{ prompt: 'none' }, 'login_required']] as const) {
        expectErrorRedirect(await open(client, params), { redirectUri: client.redirect_uris[0]!, error, state: 'xyz', issuer: kanban.url });
      }
    }
  });

  it('a person who approved the client before gets the error redirect to it; another signed-in person, who never did, gets the page', async () => {
    const approver = new SessionBrowser(kanban, await makeAccount(kanban));
    const { redirect } = await approver.authorize(authorizeUrl(kanban, evil).url);
    expect(redirect?.searchParams.get('code')).toBeTruthy();
    for (const [params, error] of [[{ scope: 'admin' }, 'invalid_scope'], [{ code_challenge_method: 'plain' }, 'invalid_request']] as const) {
      const page = await approver.browser.open(authorizeUrl(kanban, evil, params).url);
      expect(page.html).toBe('');
      expectErrorRedirect({ status: page.status, headers: page.headers, location: page.url, text: '' }, { redirectUri: EVIL, error, state: 'xyz', issuer: kanban.url });
    }

    const stranger = new SessionBrowser(kanban, await makeAccount(kanban));
    await stranger.open(authorizeUrl(kanban, await registerClient(kanban)).url); // signs in, stops at consent
    const refused = await send(authorizeUrl(kanban, evil, { prompt: 'none' }).url, { headers: { accept: 'text/html', cookie: stranger.browser.jar.header() } });
    expectErrorPage(refused, { client: 'Kanban &lt;b&gt;Login&lt;/b&gt;', host: 'kanban-login.evil' });
    pageLink(refused, { redirectUri: EVIL, error: 'consent_required' });
  });

  it('a flow that succeeds is unchanged: the self-registered client at kanban-login.evil gets its code', async () => {
    const { redirect } = await getCode(kanban, evil, await makeAccount(kanban));
    expect(redirect.origin + redirect.pathname).toBe(EVIL);
    expect(redirectParams(redirect.href).get('iss')).toBe(kanban.url);
  });
});

describe('AUTH_TRUSTED_REDIRECT_HOSTS', () => {
  const parse = (value?: string) => loadConfig({ NODE_ENV: 'test', ...(value === undefined ? {} : { AUTH_TRUSTED_REDIRECT_HOSTS: value }) }).trustedRedirectHosts;

  it('defaults to chatgpt.com; takes hostnames separated by commas (lowercased), or none', () => {
    expect(parse()).toEqual(['chatgpt.com']);
    expect(parse(' ChatGPT.com , claude.ai,')).toEqual(['chatgpt.com', 'claude.ai']);
    expect(parse('none')).toEqual([]);
  });

  it('refuses anything but hostnames: a scheme, a port, a path, a wildcard, nothing', () => {
    for (const value of ['https://chatgpt.com', 'chatgpt.com:443', 'chatgpt.com/connector', '*.example.com', ',', 'chat gpt.com']) {
      expect(() => parse(value), value).toThrow(ConfigError);
      expect(() => parse(value), value).toThrow(/AUTH_TRUSTED_REDIRECT_HOSTS must be hostnames/);
    }
  });
});
