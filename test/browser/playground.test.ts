import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startupBanner } from '../../server/banner.ts';
import { loadConfig } from '../../server/config.ts';
import { BUILT_WIDGET_FILE } from '../../server/mcp/widget.ts';
import { chromiumAvailable, chromiumMissingMessage, launchChromium } from '../support/chromium.ts';
import { runCli } from '../support/cli.ts';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { SCREENSHOTS } from '../support/widget-host.ts';

// The dev playground (/dev) in real Chromium: the mission's story as a person lives it, with the
// playground standing in for ChatGPT. Browse anonymously, meet the sign-in, sign up and consent in
// the popup, see the call retried, drag the card, reload and find it still there. Every step
// asserts what the person sees; screenshots go to test-output/screenshots/playground-*.png.

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const TEST_OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

if (!chromiumAvailable) console.warn(`Skipping the playground tests: ${chromiumMissingMessage}`);

// The MCP Apps run takes the widget live from source (the default), the window.openai run the
// built file ChatGPT gets: both widget sources walk the whole story once.
const BRIDGES = [
  { bridge: 'mcp-apps', option: 'MCP Apps (AppBridge)', source: 'live from source (hot reload)' },
  { bridge: 'openai', option: 'window.openai only', source: 'built (as ChatGPT gets it)' },
] as const;

describe.skipIf(!chromiumAvailable).each(BRIDGES)(`the dev playground in Chromium, widgets through $option, $source${chromiumAvailable ? '' : ` (skipped: ${chromiumMissingMessage})`}`, ({ bridge, option, source }) => {
  let kanban: RunningKanban;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    kanban = await startKanban();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await kanban?.stop();
    if (kanban) removeDataDir(kanban.dataDir);
  });

  /** The page as the person sees it, scrolled to the newest widget (Chromium paints no cross-origin frame out of view). */
  async function screenshot(name: string): Promise<void> {
    const widgets = page.locator('iframe.widget');
    if ((await widgets.count()) > 0) await widgets.last().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}playground-${bridge}-${name}.png` });
  }

  /** Opens (or reloads) the page, waits for the connection, and picks this run's widget bridge. */
  async function openPlayground(): Promise<void> {
    await page.getByRole('status').filter({ hasText: 'Connected to /mcp (2025-11-25)' }).waitFor({ timeout: 60_000 });
    await page.getByLabel('Widget bridge').selectOption({ label: option });
    await page.getByLabel('Widget source').selectOption({ label: source });
  }
  /** The newest entry of the transcript that is a call of `tool`. */
  const lastCall = (tool: string): Locator => page.getByRole('article', { name: `${tool} call` }).last();
  const widgetOf = (call: Locator): FrameLocator => call.frameLocator('iframe.widget');

  async function callTool(tool: string, fields: Record<string, string> = {}): Promise<Locator> {
    const before = await page.getByRole('article', { name: `${tool} call` }).count();
    await page.getByRole('region', { name: 'Tools' }).getByRole('button', { name: tool, exact: true }).click();
    const form = page.getByRole('form', { name: `Call ${tool}` });
    for (const [label, value] of Object.entries(fields)) await form.getByLabel(label).fill(value);
    await form.getByRole('button', { name: `Call ${tool}` }).click();
    await expect.poll(() => page.getByRole('article', { name: `${tool} call` }).count()).toBe(before + 1);
    return lastCall(tool);
  }

  /** Signs up (or is remembered) and consents in the popup; resolves when the popup has closed. */
  async function signInThroughPopup(call: Locator, signUp: boolean): Promise<void> {
    const [popup] = await Promise.all([context.waitForEvent('page'), call.getByRole('button', { name: 'Sign in to kanban-mcp' }).click()]);
    const closed = popup.waitForEvent('close');
    const consent = popup.getByRole('heading', { name: /^Allow kanban-mcp playground to use Kanban\?$/ });
    if (!signUp) {
      // The issuer remembers the person (its session cookie); the reloaded page registered a new
      // client, so only the consent is asked.
      await consent.waitFor();
      await expect(popup.locator('main').innerText()).resolves.toContain('Signed in as Ada Lovelace.');
      await popup.getByRole('button', { name: 'Allow' }).click();
      await closed;
      return;
    }
    await popup.getByRole('heading', { name: 'Sign in to Kanban' }).waitFor();
    await popup.getByRole('button', { name: 'Create an account' }).click();
    await popup.getByRole('heading', { name: 'Create a Kanban account' }).waitFor();
    await popup.getByLabel('Username').fill('ada');
    await popup.getByLabel('Display name').fill('Ada Lovelace');
    await popup.getByLabel('Password').fill('correct horse battery');
    await popup.screenshot({ path: `${SCREENSHOTS}playground-popup-sign-up.png` });
    await popup.getByRole('button', { name: 'Create account and continue' }).click();
    await consent.waitFor();
    await popup.screenshot({ path: `${SCREENSHOTS}playground-${bridge}-popup-consent.png` });
    await popup.getByRole('button', { name: 'Allow' }).click();
    await closed;
  }

  let boardId: string;

  it('1–3: opens /dev, lists the boards anonymously in the widget, and opens one there', { timeout: 90_000 }, async () => {
    const response = await page.goto(`${kanban.url}/dev`);
    expect(response?.status()).toBe(200);
    await openPlayground();
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toBe('Not signed in');
    // The tools, with their security schemes as ChatGPT reads them.
    const tools = page.getByRole('region', { name: 'Tools' });
    await expect(tools.getByRole('listitem').filter({ hasText: /^create_card/ }).innerText()).resolves.toContain('oauth2 kanban.write');
    await expect(tools.getByRole('listitem').filter({ hasText: /^list_boards/ }).innerText()).resolves.toContain('noauth or oauth2 kanban.read');

    const listed = await callTool('list_boards');
    const widget = widgetOf(listed);
    await widget.getByRole('heading', { name: 'Boards' }).waitFor();
    await widget.getByRole('button', { name: /^Product roadmap/ }).waitFor();
    await expect(listed.locator('.model-text').innerText()).resolves.toMatch(/^3 boards\./);
    await screenshot('1-boards');

    // Opening a board is the widget's own get_board call, through the host, answered in the widget.
    await widget.getByRole('button', { name: /^Product roadmap/ }).click();
    await widget.getByRole('heading', { name: 'Product roadmap' }).waitFor();
    await expect(lastCall('get_board').locator('header').innerText()).resolves.toContain('The widget called get_board');
    await expect(lastCall('get_board').locator('iframe').count()).resolves.toBe(0);
    // The message log shows each bridge for what it is: MCP Apps speaks JSON-RPC with the host,
    // window.openai does not.
    const log = page.getByRole('region', { name: 'Message log' });
    const widgetSaid = log.getByRole('listitem').filter({ hasText: 'widget → host' });
    if (bridge === 'mcp-apps') await widgetSaid.filter({ hasText: 'ui/initialize' }).first().waitFor();
    else await expect(widgetSaid.count()).resolves.toBe(0);
    await expect(log.getByText('playground → server').filter({ hasText: 'tools/call' }).count()).resolves.toBe(2);
    await screenshot('2-board');
  });

  it('4: "Sign in to add cards" in the widget becomes a follow-up message in the transcript', async () => {
    const widget = widgetOf(lastCall('list_boards'));
    await widget.getByRole('button', { name: 'Sign in to add cards' }).click();
    const followUp = page.getByRole('article', { name: 'Follow-up from the widget' }).last();
    await expect(followUp.locator('.follow-up-text').innerText()).resolves.toMatch(/sign me in/i);
  });

  it('5–6: create_card meets the in-band challenge; sign-up and consent in the popup; the call is retried and the card shows', { timeout: 90_000 }, async () => {
    const call = await callTool('create_card', { 'title (required)': 'Water the plants' });
    const prompt = call.getByRole('group', { name: 'Sign-in needed' });
    await prompt.waitFor();
    await expect(prompt.innerText()).resolves.toContain('Sign in to add cards');
    // The in-band challenge as ChatGPT gets it: a tool result, with the challenge in _meta.
    await call.locator('details', { hasText: '_meta' }).locator('summary').click();
    await expect(call.locator('details', { hasText: '_meta' }).locator('pre').innerText()).resolves.toMatch(/"mcp\/www_authenticate": \[\s*"Bearer resource_metadata=.*error=\\"insufficient_scope\\"/s);
    await screenshot('3-challenge');

    await signInThroughPopup(call, true);
    await expect.poll(() => page.getByLabel('Who is signed in').innerText(), { timeout: 15_000 }).toMatch(/^Signed in as Ada Lovelace · scopes kanban\.read kanban\.write/);
    // The same entry, retried: now done, with the card in its widget.
    await expect.poll(() => call.locator('.status').innerText(), { timeout: 15_000 }).toBe('done');
    await expect(call.getByRole('group', { name: 'Sign-in needed' }).count()).resolves.toBe(0);
    const widget = widgetOf(call);
    const todo = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'To do' }) });
    await todo.locator('.card', { hasText: 'Water the plants' }).waitFor();
    boardId = /"id": "(brd_[A-Za-z0-9_-]{22})"/.exec(await call.locator('details', { hasText: 'structuredContent' }).locator('pre').textContent() ?? '')![1]!;
    await screenshot('4-card-created');
  });

  it('7: drags the card to another column in the widget', { timeout: 60_000 }, async () => {
    const call = lastCall('create_card');
    const widget = widgetOf(call);
    const card = widget.locator('.card', { hasText: 'Water the plants' });
    const doing = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'Doing' }) });
    // On screen first: Chromium stops painting a cross-origin frame that is out of view.
    await call.locator('iframe.widget').scrollIntoViewIfNeeded();
    const from = (await card.boundingBox())!;
    const to = (await doing.boundingBox())!;
    await page.mouse.move(from.x + 30, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + 60, from.y + from.height / 2, { steps: 4 });
    await page.mouse.move(to.x + to.width / 2, to.y + 60, { steps: 12 });
    await page.mouse.up();
    await doing.locator('.card:not(.pending)', { hasText: 'Water the plants' }).waitFor();
    await expect.poll(() => lastCall('move_card').locator('.status').innerText()).toBe('done');
    await screenshot('5-card-moved');
  });

  it('8: after a reload the token is gone; signed in again, the card is still in Doing', { timeout: 90_000 }, async () => {
    await page.reload();
    await openPlayground();
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toBe('Not signed in');
    const challenged = await callTool('whoami');
    await challenged.getByRole('group', { name: 'Sign-in needed' }).waitFor();
    await signInThroughPopup(challenged, false);
    await expect.poll(() => challenged.locator('.status').innerText(), { timeout: 15_000 }).toBe('done');

    const board = await callTool('get_board', { 'boardId (required)': boardId });
    const widget = widgetOf(board);
    const doing = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'Doing' }) });
    await doing.locator('.card', { hasText: 'Water the plants' }).waitFor();
    await screenshot('6-after-reload');
  });

  it.runIf(bridge === 'mcp-apps')('shows pnpm check:app: on plain http without the new settings, what a submission still lacks', async () => {
    const panel = page.getByRole('region', { name: 'Submission check' });
    await panel.getByRole('button', { name: 'Check the app' }).click();
    await expect(panel.getByRole('status').innerText()).resolves.toBe(`5 passed, 4 failed (${kanban.url})`);
    const failed = await panel.locator('li.failed').allInnerTexts();
    expect(failed.map((text) => text.split('\n')[0])).toEqual([
      'failed An https public URL',
      "failed The widget's domain is declared",
      'failed A privacy policy URL (PRIVACY_POLICY_URL)',
      'failed A support URL (SUPPORT_URL)',
    ]);
  });

  it('the widget sees the host change its theme and its display mode', async () => {
    const widget = widgetOf(lastCall('get_board'));
    const background = () => widget.locator('html').evaluate((root) => getComputedStyle(root).backgroundColor);
    const fullscreenButton = widget.getByRole('button', { name: 'Show fullscreen' });
    await page.getByLabel('Theme').selectOption('light');
    await expect.poll(background).toBe('rgb(255, 255, 255)');
    await fullscreenButton.waitFor();
    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(background).toBe('rgb(13, 17, 23)');
    // Shown fullscreen, the widget stops offering to go fullscreen; inline again, it offers it.
    await page.getByLabel('Display mode').selectOption('fullscreen');
    await fullscreenButton.waitFor({ state: 'detached' });
    await screenshot('7-dark-fullscreen');
    await page.getByLabel('Display mode').selectOption('inline');
    await fullscreenButton.waitFor();
    expect(pageErrors).toEqual([]);
  });
});

describe('the playground outside the browser: production, the banner, its origin, its client document', () => {
  let kanban: RunningKanban;
  beforeAll(async () => {
    // Production's own floor for password hashing (nothing is hashed here).
    kanban = await startKanban({ env: { NODE_ENV: 'production', PASSWORD_HASH_COST: '17' } });
  });
  afterAll(async () => {
    await kanban?.stop();
    if (kanban) removeDataDir(kanban.dataDir);
  });

  it('NODE_ENV=production answers 404 at /dev and everywhere under it', async () => {
    for (const path of ['/dev', '/dev/', '/dev/oauth/callback', '/dev/oauth/client.json', '/dev/playground/src/main.tsx', '/dev/@vite/client']) {
      const response = await fetch(`${kanban.url}${path}`);
      expect([path, response.status]).toEqual([path, 404]);
    }
  });

  it('the banner names the playground first outside production, and not at all in production', () => {
    const development = startupBanner(loadConfig({ PUBLIC_URL: 'https://kanban-demo.example' }), { port: 3000, accounts: 1 }).split('\n');
    expect(development.slice(1, 3)).toEqual(['  kanban-mcp is running', '  Playground: https://kanban-demo.example/dev  (a local ChatGPT: call the tools, see the widget, sign in)']);
    expect(startupBanner(kanban.config, { port: 3000, accounts: 1 })).not.toContain('Playground');
  });

  it('outside production: the page, on the public origin only, and its client metadata document', async () => {
    const development = await startKanban();
    try {
      const page = await fetch(`${development.url}/dev`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>kanban-mcp playground</title>');
      // localhost is this machine too, but another origin than the one tokens are issued for.
      const elsewhere = await fetch(`${development.url.replace('127.0.0.1', 'localhost')}/dev?x=1`, { redirect: 'manual' });
      expect([elsewhere.status, elsewhere.headers.get('location')]).toEqual([302, `${development.url}/dev?x=1`]);
      // Vite serves the playground, the widget's sources and their packages: nothing else of the
      // project or the machine, the data directory least of all.
      writeFileSync(join(development.dataDir, 'secret.txt'), 'the data directory');
      for (const path of [`/dev/@fs${development.dataDir}/secret.txt`, `/dev/@fs${fileURLToPath(new URL('../../server/config.ts', import.meta.url))}`, `/dev/@fs${fileURLToPath(new URL('../../package.json', import.meta.url))}`]) {
        const response = await fetch(`${development.url}${path}`);
        const body = await response.text();
        expect([path, response.status === 200, body.includes('the data directory') || body.includes('loadConfig')]).toEqual([path, false, false]);
      }
      // The widget's sandboxed frame (Origin: null) may load the widget's modules, never the playground's.
      const widgetModule = await fetch(`${development.url}/dev/src/main.tsx`, { headers: { origin: 'null' } });
      expect([widgetModule.status, widgetModule.headers.get('access-control-allow-origin')]).toEqual([200, 'null']);
      const viteClient = await fetch(`${development.url}/dev/@vite/client`, { headers: { origin: 'null' } });
      expect([viteClient.status, viteClient.headers.get('access-control-allow-origin')]).toEqual([200, 'null']);
      for (const path of ['/dev/playground/src/main.tsx', `/dev/@fs${WEB}playground/src/main.tsx`]) {
        const playgroundModule = await fetch(`${development.url}${path}`, { headers: { origin: 'null' } });
        expect([path, playgroundModule.status, playgroundModule.headers.get('access-control-allow-origin')]).toEqual([path, 200, null]);
      }
      // Nor does any other site's origin (Vite's own CORS, which lets in *.localhost, is off).
      const otherSite = await fetch(`${development.url}/dev/src/main.tsx`, { headers: { origin: 'http://evil.localhost:3000' } });
      expect(otherSite.headers.get('access-control-allow-origin')).toBeNull();
      const documentUrl = `${development.url}/dev/oauth/client.json`;
      const metadata = await (await fetch(documentUrl)).json();
      expect(metadata).toEqual({
        client_id: documentUrl,
        client_name: 'kanban-mcp playground',
        client_uri: `${development.url}/dev`,
        redirect_uris: [`${development.url}/dev/oauth/callback`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      });
    } finally {
      await development.stop();
      removeDataDir(development.dataDir);
    }
  });
});

describe.skipIf(!chromiumAvailable)('the playground as a spec client: 2026-07-28, no ChatGPT hints, the HTTP challenge', () => {
  let kanban: RunningKanban;
  let browser: Browser;
  beforeAll(async () => {
    kanban = await startKanban();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await kanban?.stop();
    if (kanban) removeDataDir(kanban.dataDir);
  });

  it('meets the 401, signs in through the popup, retries the call, and signs out', { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${kanban.url}/dev`);
    await page.getByRole('status').filter({ hasText: 'Connected to /mcp (2025-11-25)' }).waitFor({ timeout: 60_000 });
    await page.getByLabel('Protocol').selectOption('2026-07-28');
    await page.getByRole('status').filter({ hasText: 'Connected to /mcp (2026-07-28)' }).waitFor();
    await page.getByLabel("Send ChatGPT's hints").uncheck();
    await page.getByRole('region', { name: 'Tools' }).getByRole('button', { name: 'create_card', exact: true }).click();
    const form = page.getByRole('form', { name: 'Call create_card' });
    await form.getByLabel('title (required)').fill('From a spec client');
    await form.getByRole('button', { name: 'Call create_card' }).click();

    const call = page.getByRole('article', { name: 'create_card call' });
    await call.getByRole('group', { name: 'Sign-in needed' }).waitFor();
    // No tool result: the server refused at the HTTP level, and the challenge came in the header.
    await expect(call.getByRole('alert').innerText()).resolves.toMatch(/^HTTP challenge: Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp", scope="kanban.write"$/);
    await expect(call.locator('.model-text').count()).resolves.toBe(0);
    const log = page.getByRole('region', { name: 'Message log' });
    await log.getByRole('listitem').filter({ hasText: 'server → playground' }).filter({ hasText: 'HTTP 401' }).first().waitFor();

    const [popup] = await Promise.all([context.waitForEvent('page'), call.getByRole('button', { name: 'Sign in to kanban-mcp' }).click()]);
    await popup.getByRole('button', { name: 'Create an account' }).click();
    await popup.getByLabel('Username').fill('grace');
    await popup.getByLabel('Display name').fill('Grace Hopper');
    await popup.getByLabel('Password').fill('correct horse battery');
    await popup.getByRole('button', { name: 'Create account and continue' }).click();
    await popup.getByRole('button', { name: 'Allow' }).click();
    await popup.waitForEvent('close');
    await expect.poll(() => call.locator('.status').innerText(), { timeout: 15_000 }).toBe('done');
    await expect(call.locator('.model-text').innerText()).resolves.toMatch(/^Added "From a spec client"/);
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toMatch(/^Signed in as Grace Hopper/);

    // A token the server no longer accepts (its signing key revoked, as when one leaks) is refreshed
    // by the playground, and the call goes through on the retry: the person stays signed in.
    const jwks = async () => ((await (await fetch(`${kanban.url}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    const [oldKid] = await jwks();
    const revoked = await runCli('signing-keys', ['revoke', oldKid!], kanban.dataDir);
    expect(revoked.code, revoked.stderr).toBe(0);
    await expect.poll(jwks, { timeout: 15_000 }).not.toContain(oldKid);
    const refusalsBefore = await log.getByRole('listitem').filter({ hasText: 'HTTP 401' }).count();
    await page.getByRole('region', { name: 'Tools' }).getByRole('button', { name: 'whoami', exact: true }).click();
    await page.getByRole('form', { name: 'Call whoami' }).getByRole('button', { name: 'Call whoami' }).click();
    const whoami = page.getByRole('article', { name: 'whoami call' });
    await expect.poll(() => whoami.locator('.status').innerText(), { timeout: 15_000 }).toBe('done');
    await expect(whoami.locator('.model-text').innerText()).resolves.toMatch(/^Signed in as Grace Hopper/);
    await expect(log.getByRole('listitem').filter({ hasText: 'HTTP 401' }).count()).resolves.toBe(refusalsBefore + 1);
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toMatch(/^Signed in as Grace Hopper/);

    // Sign-out drops the token: the next write meets the challenge again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toBe('Not signed in');
    await page.getByRole('region', { name: 'Tools' }).getByRole('button', { name: 'create_card', exact: true }).click();
    await form.getByLabel('title (required)').fill('After signing out');
    await form.getByRole('button', { name: 'Call create_card' }).click();
    await page.getByRole('article', { name: 'create_card call' }).last().getByRole('group', { name: 'Sign-in needed' }).waitFor();
    await context.close();
  });
});

describe.skipIf(!chromiumAvailable)('the playground on an https URL (a tunnel, stood in for by the browser): registration by its client metadata document', () => {
  const PUBLIC = 'https://kanban-playground.example';
  let kanban: RunningKanban;
  let browser: Browser;
  const documentsFetched: string[] = [];
  beforeAll(async () => {
    // The issuer fetches the playground's document from PUBLIC; it lives on this server, on loopback.
    const loopbackFetch: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.origin !== PUBLIC) return Promise.reject(new Error(`unexpected fetch of ${url}`));
      documentsFetched.push(url.pathname);
      return fetch(`${kanban.url}${url.pathname}`, { ...init, dispatcher: undefined } as RequestInit);
    };
    kanban = await startKanban({ env: { PUBLIC_URL: PUBLIC }, issuer: { fetch: loopbackFetch } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await kanban?.stop();
    if (kanban) removeDataDir(kanban.dataDir);
  });

  it('signs in with client_id = the document URL, no dynamic registration, and retries the call', { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    // The tunnel: every request for PUBLIC goes to the server on loopback, with PUBLIC's host.
    await context.route(`${PUBLIC}/**`, async (route) => {
      const url = new URL(route.request().url());
      const response = await route.fetch({ url: `${kanban.url}${url.pathname}${url.search}`, headers: { ...route.request().headers(), host: new URL(PUBLIC).host }, maxRedirects: 0 });
      await route.fulfill({ response });
    });
    const page = await context.newPage();
    await page.goto(`${PUBLIC}/dev`);
    await page.getByRole('status').filter({ hasText: 'Connected to /mcp' }).waitFor({ timeout: 60_000 });
    await page.getByLabel('Widget source').selectOption('built'); // the reload socket does not go through the stand-in
    await page.getByLabel('Client registration').selectOption('metadata-document');
    await page.getByRole('region', { name: 'Tools' }).getByRole('button', { name: 'create_card', exact: true }).click();
    const form = page.getByRole('form', { name: 'Call create_card' });
    await form.getByLabel('title (required)').fill('Registered by document');
    await form.getByRole('button', { name: 'Call create_card' }).click();
    const call = page.getByRole('article', { name: 'create_card call' });
    await call.getByRole('group', { name: 'Sign-in needed' }).waitFor();

    const [popup] = await Promise.all([context.waitForEvent('page'), call.getByRole('button', { name: 'Sign in to kanban-mcp' }).click()]);
    await popup.getByRole('button', { name: 'Create an account' }).click();
    await popup.getByLabel('Username').fill('hedy');
    await popup.getByLabel('Display name').fill('Hedy Lamarr');
    await popup.getByLabel('Password').fill('correct horse battery');
    await popup.getByRole('button', { name: 'Create account and continue' }).click();
    await popup.getByRole('heading', { name: /to use Kanban\?$/ }).waitFor();
    // A metadata-document client is shown by the host of its client_id (RV-19).
    await expect(popup.locator('main').innerText()).resolves.toContain('kanban-playground.example');
    await popup.getByRole('button', { name: 'Allow' }).click();
    await popup.waitForEvent('close');
    await expect.poll(() => call.locator('.status').innerText(), { timeout: 15_000 }).toBe('done');
    expect(documentsFetched).toContain('/dev/oauth/client.json');
    // No dynamic registration was made: the only client is the document.
    const registered = await runCli('clients', ['list'], kanban.dataDir);
    expect(registered.stdout).toBe(`${PUBLIC}/dev/oauth/client.json  (client metadata document)  grants 1\n`);
    await context.close();
  });
});

describe.skipIf(!chromiumAvailable)('the playground hot-reloads the widget from its sources', () => {
  let kanban: RunningKanban;
  let browser: Browser;
  let sources: string;

  beforeAll(async () => {
    // A copy of the widget's sources inside the project (its packages resolve from node_modules there).
    mkdirSync(TEST_OUTPUT, { recursive: true });
    sources = mkdtempSync(join(TEST_OUTPUT, 'widget-sources-'));
    cpSync(join(WEB, 'src'), join(sources, 'src'), { recursive: true });
    copyFileSync(join(WEB, 'index.html'), join(sources, 'index.html'));
    copyFileSync(BUILT_WIDGET_FILE, join(sources, 'built.html'));
    kanban = await startKanban({ widgetSource: sources, widgetFile: join(sources, 'built.html') });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await kanban?.stop();
    if (kanban) removeDataDir(kanban.dataDir);
    if (sources) rmSync(sources, { recursive: true, force: true });
  });

  it('an edit of a widget source file shows in the widget with no page reload and the widget state kept', { timeout: 90_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${kanban.url}/dev`);
    await page.getByRole('status').filter({ hasText: 'Connected to /mcp' }).waitFor({ timeout: 60_000 });
    await expect(page.getByLabel('Widget source').inputValue()).resolves.toBe('live');
    await page.getByRole('region', { name: 'Tools' }).getByRole('button', { name: 'list_boards', exact: true }).click();
    await page.getByRole('form', { name: 'Call list_boards' }).getByRole('button', { name: 'Call list_boards' }).click();
    const widget = page.getByRole('article', { name: 'list_boards call' }).frameLocator('iframe.widget');
    // State the reload must keep: the board opened in the widget (React state), and a mark on
    // each window that a reload of the page or of the frame would wipe.
    await widget.getByRole('button', { name: /^Product roadmap/ }).click();
    await widget.getByRole('heading', { name: 'Product roadmap' }).waitFor();
    await widget.getByText('← All boards').waitFor();
    await page.evaluate(() => ((window as { mark?: number }).mark = 1));
    const frame = (await page.locator('iframe.widget').elementHandle())!;
    await (await frame.contentFrame())!.evaluate(() => ((window as { mark?: number }).mark = 2));

    const app = join(sources, 'src', 'app.tsx');
    writeFileSync(app, readFileSync(app, 'utf8').replace('← All boards', '← Every board'));

    await widget.getByText('← Every board').waitFor({ timeout: 10_000 });
    await widget.getByRole('heading', { name: 'Product roadmap' }).waitFor();
    await expect(page.evaluate(() => (window as { mark?: number }).mark)).resolves.toBe(1);
    await expect((await frame.contentFrame())!.evaluate(() => (window as { mark?: number }).mark)).resolves.toBe(2);
    await page.screenshot({ path: `${SCREENSHOTS}playground-hot-reload.png` });
    await page.close();
  });

  it('built mode: after a rebuild, the next call shows the new build (its new URI found by listing the tools again)', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${kanban.url}/dev`);
    await page.getByRole('status').filter({ hasText: 'Connected to /mcp' }).waitFor({ timeout: 60_000 });
    await page.getByLabel('Widget source').selectOption('built');
    const callListBoards = async () => {
      await page.getByRole('region', { name: 'Tools' }).getByRole('button', { name: 'list_boards', exact: true }).click();
      await page.getByRole('form', { name: 'Call list_boards' }).getByRole('button', { name: 'Call list_boards' }).click();
      const widget = page.getByRole('article', { name: 'list_boards call' }).last().locator('iframe.widget');
      await widget.waitFor();
      await page.getByRole('article', { name: 'list_boards call' }).last().frameLocator('iframe.widget').getByRole('heading', { name: 'Boards' }).waitFor();
      return (await (await widget.elementHandle())!.contentFrame())!.title();
    };
    await expect(callListBoards()).resolves.toBe('Kanban');
    const built = join(sources, 'built.html');
    writeFileSync(`${built}.tmp`, readFileSync(built, 'utf8').replace('<title>Kanban</title>', '<title>Kanban, rebuilt</title>'));
    renameSync(`${built}.tmp`, built);
    const listedUri = async () => (await (await fetch(kanban.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' })).json()).result.tools[0]._meta.ui.resourceUri;
    const before = await listedUri();
    await expect.poll(listedUri).not.toBe(before);
    await expect(callListBoards()).resolves.toBe('Kanban, rebuilt');
    await page.close();
  });
});
