import { describe, expect, it } from 'vitest';
import { BrowserForms, type Page } from './support/browser-forms.ts';
import { startKanbanWithClientOrigin } from './support/client-origin.ts';
import { useKanban, type RunningKanban } from './support/kanban-server.ts';
import { authorizeInBrowser, authorizeUrl, makeAccount, registerClient, type RegisteredClient } from './support/oauth-steps.ts';

// The sign-in pages against what browsers and attackers actually send.

const shared = useKanban();

async function signInPage(kanban: RunningKanban = shared.kanban) {
  const client = await registerClient(kanban);
  const browser = new BrowserForms(kanban.url);
  const page = await browser.open(authorizeUrl(kanban, client).url);
  const uid = /\/oauth\/interaction\/([\w-]+)\/login/.exec(page.html)![1]!;
  return { browser, uid, loginUrl: `${kanban.url}/oauth/interaction/${uid}/login` };
}

function post(url: string, cookie: string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
}

describe('cross-site form posts', () => {
  it('are refused when the browser says they come from another site, even with Origin: null', async () => {
    const account = await makeAccount(shared.kanban);
    const { browser, loginUrl } = await signInPage();
    const form = new URLSearchParams({ username: account.username, password: account.password }).toString();
    const crossSite = await post(loginUrl, browser.jar.header(), form, { origin: 'null', 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toContain('This form was sent from another site.');
    const sameOrigin = await post(loginUrl, browser.jar.header(), form, { origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.status).toBe(303);
  });
});

describe('forms we cannot read', () => {
  // Exact statuses: without the body limits the last two would be 400 or a 401 sign-in failure.
  it.each([
    ['a repeated field', 'username=a&username=b&password=x', 400],
    ['a body over 8 kB', `username=a&password=${'x'.repeat(9000)}`, 413],
    ['too many fields', Array.from({ length: 12 }, (_, i) => `f${i}=1`).join('&'), 413],
  ])('%s gets a %i page, not a 500', async (_name, body, status) => {
    const { browser, loginUrl } = await signInPage();
    const response = await post(loginUrl, browser.jar.header(), body, { 'sec-fetch-site': 'same-origin' });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});

describe('a sign-in URL that cannot be decoded', () => {
  it('gets a 400 page, not a 500 and not a stack', async () => {
    const response = await fetch(`${shared.kanban.url}/oauth/interaction/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('This request could not be read');
    // Its own log line is there (so the log was read after it), and nothing logged it as a failure.
    await expect.poll(() => shared.kanban.logs.some((line) => line.msg === 'request' && line.status === 400 && line.requestId === response.headers.get('x-request-id'))).toBe(true);
    expect(shared.kanban.logs.some((line) => line.msg === 'request failed')).toBe(false);
  });
});

describe('password guessing', () => {
  // The limits themselves: test/security/password-guessing.test.ts.
  it('a username that failed too often waits (429, on the sign-in page); the same address still signs in to another account', async () => {
    const victim = await makeAccount(shared.kanban);
    const other = await makeAccount(shared.kanban);
    const { browser, loginUrl } = await signInPage();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await post(loginUrl, browser.jar.header(), `username=${victim.username}&password=guess-${i}`, { 'sec-fetch-site': 'same-origin' });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const waiting = await post(loginUrl, browser.jar.header(), `username=${victim.username}&password=guess-5`, { 'sec-fetch-site': 'same-origin' });
    expect(waiting.status).toBe(429);
    expect(waiting.headers.get('retry-after')).toBe('30');
    expect(await waiting.text()).toMatch(/Too many failed sign-ins for this username\. Wait 30 seconds, then try again\.[\s\S]*name="password"/);
    const client = await registerClient(shared.kanban);
    const { redirect } = await authorizeInBrowser(shared.kanban, authorizeUrl(shared.kanban, client).url, other);
    expect(redirect?.searchParams.get('code')).toEqual(expect.any(String));
  });
});

describe('endpoints that are not part of this design', () => {
  it('pushed authorization requests and logout are off, and unknown issuer paths answer JSON 404', async () => {
    const discovery = (await (await fetch(`${shared.kanban.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).not.toHaveProperty('pushed_authorization_request_endpoint');
    expect(discovery).not.toHaveProperty('end_session_endpoint');
    for (const path of ['/oauth/par', '/oauth/logout', '/oauth/nothing-here']) {
      const response = await fetch(`${shared.kanban.url}${path}`, { method: path === '/oauth/par' ? 'POST' : 'GET' });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
    }
  });
});

describe('the consent page says who stands behind the app\'s name', () => {
  /** A new account signs in for `client`; the page after sign-in (consent). */
  async function consentFor(kanban: RunningKanban, client: RegisteredClient): Promise<Page> {
    const account = await makeAccount(kanban);
    const browser = new BrowserForms(kanban.url);
    const signIn = await browser.open(authorizeUrl(kanban, client).url);
    return browser.submit(signIn, '/login', { username: account.username, password: account.password });
  }

  it('a name from dynamic registration is labelled unverified (and shown as text, never as markup)', async () => {
    const client = await registerClient(shared.kanban, { client_name: 'Board <b>Buddy</b>' });
    const page = await consentFor(shared.kanban, client);
    expect(page.html).toContain('Allow Board &lt;b&gt;Buddy&lt;/b&gt; to use Kanban?');
    expect(page.html).toContain('<span class="unverified">Unverified name:</span> the app chose it itself when it registered; nothing checks it.');
    expect(page.html).not.toContain('identified by');
  });

  it('a client known by its metadata document (CIMD) is shown with the host of its client_id, not as unverified', async () => {
    const clientId = 'https://client.example/oauth/client.json';
    const redirect = 'https://client.example/oauth/callback';
    const served = await startKanbanWithClientOrigin((path) =>
      path === '/oauth/client.json' ? { body: { client_id: clientId, client_name: 'Hosted app', redirect_uris: [redirect], token_endpoint_auth_method: 'none' } } : undefined,
    );
    try {
      const page = await consentFor(served.kanban, { client_id: clientId, redirect_uris: [redirect] });
      expect(page.html).toContain('Allow Hosted app to use Kanban?');
      expect(page.html).toContain('This app is identified by <code>client.example</code>, which publishes its name and addresses.');
      expect(page.html).not.toContain('Unverified');
    } finally {
      await served.stop();
    }
  });
});
