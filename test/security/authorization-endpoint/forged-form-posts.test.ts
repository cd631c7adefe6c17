import { describe, expect, it } from 'vitest';
import { BrowserForms } from '../../support/browser-forms.ts';
import { account, kanban } from '../../support/issuer-under-test.ts';
import { registerClient } from '../../support/oauth-steps.ts';
import { isConsentPage, send } from '../../support/security-helpers.ts';
import { expectCode, expectSignInRedirect, REDIRECT, session, url, useAuthorizationEndpoint } from './authorize-requests.ts';

// Security catalogue, group 1: the authorization endpoint (/oauth/authorize), rows of
// docs/security-cases.md, against the real app. This file: sign-in and consent posts that did not
// come from this browser's own pages (AZ-38).

useAuthorizationEndpoint();

describe('what the browser sees: forged sign-in and consent posts (AZ-38)', () => {
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
