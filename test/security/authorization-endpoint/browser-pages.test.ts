import { describe, expect, it } from 'vitest';
import { BrowserForms, CookieJar } from '../../support/browser-forms.ts';
import { account, kanban } from '../../support/issuer-under-test.ts';
import { registerClient } from '../../support/oauth-steps.ts';
import { expectJsonError, getJson, isConsentPage, isSignInPage, send } from '../../support/security-helpers.ts';
import { expectCode, REDIRECT, session, url, useAuthorizationEndpoint } from './authorize-requests.ts';

// Security catalogue, group 1: the authorization endpoint (/oauth/authorize), rows of
// docs/security-cases.md, against the real app. This file: what the browser sees of it: redirects,
// CORS, framing, caching, cookies and pages (AZ-35..AZ-37, AZ-39, AZ-42).

useAuthorizationEndpoint();

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
});
