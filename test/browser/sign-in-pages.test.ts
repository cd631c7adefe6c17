import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPE_WORDS } from '../../server/auth/issuer/views.ts';
import { chromiumAvailable, chromiumMissingMessage, cspViolations, launchChromium, pageWidth, recordCspViolations } from '../support/chromium.ts';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { authorizeUrl, exchangeCode, makeAccount, registerClient, type RegisteredClient } from '../support/oauth-steps.ts';

// The sign-in, sign-up and consent pages in real Chromium, once, end to end: what a person sees
// and clicks, with our CSP enforced by the browser. Screenshots go to test-output/screenshots/
// for a person to look at.

const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));
const CLIENT_NAME = 'Board Buddy';
const BLUE = 'rgb(12, 102, 228)'; // the primary button of views.ts: proof our nonce-bound style applied

if (!chromiumAvailable) console.warn(`Skipping the browser tests: ${chromiumMissingMessage}`);

describe.skipIf(!chromiumAvailable)(`the sign-in pages in Chromium${chromiumAvailable ? '' : ` (skipped: ${chromiumMissingMessage})`}`, () => {
  let kanban: RunningKanban;
  let browser: Browser;
  let client: RegisteredClient;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    kanban = await startKanban();
    browser = await launchChromium();
    client = await registerClient(kanban, { client_name: CLIENT_NAME });
  });
  afterAll(async () => {
    await browser?.close();
    await kanban?.stop();
    if (kanban) removeDataDir(kanban.dataDir);
  });

  /** A fresh browser profile whose pages count CSP violations and never reach the client's host. */
  async function newContext(options: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> {
    const context = await browser.newContext(options);
    await recordCspViolations(context);
    await context.route('https://client.example/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!DOCTYPE html><title>Client</title><p>Back at the client.</p>' }),
    );
    return context;
  }

  /** Every page of ours: no CSP violation, styled by our stylesheet, no horizontal scrollbar. */
  async function expectSoundPage(page: Page): Promise<void> {
    expect(new URL(page.url()).origin).toBe(kanban.url);
    expect(await cspViolations(page)).toEqual([]);
    expect(await page.getByRole('button').first().evaluate((button) => getComputedStyle(button).backgroundColor)).toBe(BLUE);
    // A phone widens its layout viewport (zooms out) for content that overflows: compare with the set width.
    const width = page.viewportSize()!.width;
    const { scrollWidth, innerWidth } = await pageWidth(page);
    expect(innerWidth).toBe(width);
    expect(scrollWidth).toBeLessThanOrEqual(width);
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('signs in wrong, signs up, consents and lands on the client with a code; CSP-clean, and fits a phone', { timeout: 60_000 }, async () => {
    const existing = await makeAccount(kanban);
    const { url, verifier } = authorizeUrl(kanban, client);
    const context = await newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();

    // The sign-in page, reached through oidc-provider's redirect, names the client and its host.
    await page.goto(url);
    await page.getByRole('heading', { name: 'Sign in to Kanban' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/oauth\/interaction\/[^/]+$/);
    expect(await page.title()).toBe('Sign in · Kanban');
    const intro = page.locator('main p.muted').first();
    expect(await intro.innerText()).toBe(`${CLIENT_NAME} (client.example) wants to use your Kanban account.`);
    await expectSoundPage(page);
    await screenshot(page, 'sign-in');

    // A wrong password: the same page again, with the error shown and the username kept.
    await page.getByLabel('Username').fill(existing.username);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toBe('Wrong username or password.');
    expect(await alert.isVisible()).toBe(true);
    expect(await page.getByLabel('Username').inputValue()).toBe(existing.username);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    await expectSoundPage(page);
    await screenshot(page, 'sign-in-error');

    // A new account instead, from the sign-up page.
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create a Kanban account' }).waitFor();
    await page.getByLabel('Username').fill('grace');
    await page.getByLabel('Display name').fill('Grace Hopper');
    await page.getByLabel('Password').fill('correct horse battery');
    await expectSoundPage(page);
    await screenshot(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account and continue' }).click();

    // Consent: who asks, where the browser goes next, and the scopes in plain words.
    await page.getByRole('heading', { name: `Allow ${CLIENT_NAME} to use Kanban?` }).waitFor();
    const main = page.locator('main');
    expect(await main.innerText()).toContain('Signed in as Grace Hopper.');
    expect(await main.innerText()).toContain('After you answer, you go back to client.example.');
    expect(await page.locator('main li').allInnerTexts()).toEqual([`${SCOPE_WORDS['kanban.read']} kanban.read`, `${SCOPE_WORDS['kanban.write']} kanban.write`]);
    expect(await page.locator('.warning').count()).toBe(0); // not a loopback redirect
    await expectSoundPage(page);
    await screenshot(page, 'consent');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'consent-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Allow: oidc-provider sends the browser to the client's redirect URI (answered by the route above).
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((target) => target.origin === 'https://client.example');
    const redirect = new URL(page.url());
    expect(redirect.pathname).toBe('/cb');
    expect(redirect.searchParams.get('code')).toEqual(expect.any(String));
    expect(redirect.searchParams.get('state')).toBe('xyz');
    expect(redirect.searchParams.get('iss')).toBe(kanban.url);
    expect(redirect.searchParams.get('error')).toBeNull();
    const tokens = await exchangeCode(kanban, client, redirect.searchParams.get('code')!, verifier);
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('kanban.read kanban.write');

    // The counter works: an unnonced style on one of our pages is a violation it sees.
    await page.goto(`${kanban.url}/oauth/interaction/not-a-real-one`);
    await page.getByRole('heading', { name: 'This sign-in has expired' }).waitFor();
    expect(await cspViolations(page)).toEqual([]);
    await page.evaluate(() => document.head.append(Object.assign(document.createElement('style'), { textContent: 'body{color:red}' })));
    expect((await cspViolations(page)).map((violation) => violation.directive)).toEqual(['style-src-elem']);
    await context.close();

    // At phone width (390×844, the meta viewport honoured): no horizontal scrollbar.
    const phone = await newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: 'light' });
    const phonePage = await phone.newPage();
    await phonePage.goto(authorizeUrl(kanban, client).url);
    await phonePage.getByRole('heading', { name: 'Sign in to Kanban' }).waitFor();
    await expectSoundPage(phonePage);
    const form = await phonePage.locator('main').boundingBox();
    expect(form!.x).toBeGreaterThanOrEqual(0);
    expect(form!.x + form!.width).toBeLessThanOrEqual(390);
    await screenshot(phonePage, 'phone-sign-in');
    await phone.close();
  });
});
