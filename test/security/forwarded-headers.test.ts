import { afterEach, describe, expect, it, vi } from 'vitest';
import { CookieJar } from '../support/browser-forms.ts';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { authorizeUrl, makeAccount, registerClient } from '../support/oauth-steps.ts';

// Forwarded headers at the sign-in pages. Only a proxy TRUST_PROXY names may say who the client is
// (X-Forwarded-For, for the per-address limits: test/security/password-guessing.test.ts). Where the
// issuer is, nobody may say: its URLs come from PUBLIC_URL alone (canonicalOrigin in
// server/auth/issuer/index.ts), because tokens carry that issuer and clients check it (RFC 9207).

const SPOOFED = {
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
  'x-forwarded-port': '8443',
  forwarded: 'for=203.0.113.9;host=evil.example;proto=https',
};

interface Seen {
  url: string;
  status: number;
  location: string | null;
  cookies: string[];
  html: string;
}

/**
 * One sign-in as a browser makes it (authorize, sign-in page, sign-in, consent, allow), with
 * `headers` on every request. Returns every response, up to the redirect back to the client.
 */
async function signInSending(kanban: RunningKanban, headers: Record<string, string>): Promise<Seen[]> {
  const client = await registerClient(kanban);
  const account = await makeAccount(kanban);
  const jar = new CookieJar();
  const seen: Seen[] = [];
  let next: { url: string; form?: Record<string, string> } | undefined = { url: authorizeUrl(kanban, client).url };
  for (let step = 0; next && step < 12; step++) {
    const { url, form } = next;
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...headers, accept: 'text/html', cookie: jar.header(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    jar.take(response);
    const page: Seen = { url, status: response.status, location: response.headers.get('location'), cookies: response.headers.getSetCookie(), html: await response.text() };
    seen.push(page);
    const action = (suffix: string) => new RegExp(`action="([^"]*${suffix})"`).exec(page.html)?.[1];
    if (page.location) {
      const target = new URL(page.location, url);
      next = target.origin === kanban.url ? { url: target.href } : undefined;
    } else if (action('/login')) {
      next = { url: new URL(action('/login')!, url).href, form: { username: account.username, password: account.password } };
    } else if (action('/confirm')) {
      next = { url: new URL(action('/confirm')!, url).href, form: {} };
    } else {
      throw new Error(`stuck at ${page.status} ${url}: ${page.html.slice(0, 300)}`);
    }
  }
  return seen;
}

const servers: RunningKanban[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const server of servers.splice(0)) {
    await server.stop();
    removeDataDir(server.dataDir);
  }
});

describe('X-Forwarded-Host, X-Forwarded-Proto and Forwarded at the sign-in pages', () => {
  it.each([
    ['a client connecting directly (TRUST_PROXY unset)', {}],
    ['a proxy TRUST_PROXY names (loopback, as ngrok on this machine)', { TRUST_PROXY: 'loopback' }],
  ])('from %s: no URL, redirect or cookie the issuer makes follows them', async (_who, env) => {
    const kanban = await startKanban({ env });
    servers.push(kanban);
    const consoleErrors = vi.spyOn(console, 'error');

    const discovery = (await (await fetch(`${kanban.url}/.well-known/openid-configuration`, { headers: SPOOFED })).json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(kanban.url);
    expect(discovery.authorization_endpoint).toBe(`${kanban.url}/oauth/authorize`);

    const seen = await signInSending(kanban, SPOOFED);
    const back = new URL(seen.at(-1)!.location!);
    expect(back.origin + back.pathname).toBe('https://client.example/cb');
    expect(back.searchParams.get('code')).toEqual(expect.any(String));
    expect(back.searchParams.get('iss')).toBe(kanban.url);
    // Every other redirect stays on PUBLIC_URL; every form posts to a path of it.
    expect(seen.slice(0, -1).filter((page) => page.location).length).toBeGreaterThan(0);
    expect(seen.slice(0, -1).flatMap((page) => [...page.html.matchAll(/action="([^"]*)"/g)]).length).toBeGreaterThan(0);
    for (const page of seen.slice(0, -1)) {
      if (page.location) expect(new URL(page.location, page.url).origin, page.url).toBe(kanban.url);
      for (const [, action] of page.html.matchAll(/action="([^"]*)"/g)) expect(action, page.url).toMatch(/^\/oauth\/interaction\/[\w-]+\/\w+$/);
    }
    const everything = seen.map((page) => [page.location, ...page.cookies, page.html].join('\n')).join('\n');
    expect(everything).not.toMatch(/evil\.example|8443/);
    // PUBLIC_URL is http here: a cookie marked Secure on the word of X-Forwarded-Proto would be dropped by the browser.
    expect(seen.flatMap((page) => page.cookies).length).toBeGreaterThan(0);
    expect(seen.flatMap((page) => page.cookies).filter((cookie) => /;\s*secure/i.test(cookie))).toEqual([]);
    // Forwarded is read by nobody, and rate limiting does not print a stack about it either.
    expect(consoleErrors.mock.calls.flat().filter((logged) => (logged as { code?: string } | undefined)?.code === 'ERR_ERL_FORWARDED_HEADER')).toEqual([]);
  });
});
