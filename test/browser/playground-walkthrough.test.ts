import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumMissingMessage } from '../support/chromium.ts';
import { callTool, connected, lastCall, PLAYGROUND_VIEWPORT, signInThroughPopup, usePlaygroundServer, widgetOf } from '../support/playground.ts';
import { SCREENSHOTS } from '../support/widget-host.ts';

// The dev playground (/dev) in real Chromium: the mission's story as a person lives it, with the
// playground standing in for ChatGPT. Browse anonymously, meet the sign-in, sign up and consent in
// the popup, see the call retried, drag the card, reload and find it still there. Every step
// asserts what the person sees; screenshots go to test-output/screenshots/playground-*.png.

if (!chromiumAvailable) console.warn(`Skipping the playground tests: ${chromiumMissingMessage}`);

// The MCP Apps run takes the widget live from source (the default), the window.openai run the
// built file ChatGPT gets: both widget sources walk the whole story once.
const BRIDGES = [
  { bridge: 'mcp-apps', option: 'MCP Apps (AppBridge)', source: 'live from source (hot reload)' },
  { bridge: 'openai', option: 'window.openai only', source: 'built (as ChatGPT gets it)' },
] as const;

describe.skipIf(!chromiumAvailable).each(BRIDGES)(`the dev playground in Chromium, widgets through $option, $source${chromiumAvailable ? '' : ` (skipped: ${chromiumMissingMessage})`}`, ({ bridge, option, source }) => {
  const shared = usePlaygroundServer();
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    context = await shared.browser.newContext({ viewport: PLAYGROUND_VIEWPORT });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  /** The page as the person sees it, scrolled to the newest widget (Chromium paints no cross-origin frame out of view). */
  async function screenshot(name: string): Promise<void> {
    const widgets = page.locator('iframe.widget');
    if ((await widgets.count()) > 0) await widgets.last().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}playground-${bridge}-${name}.png` });
  }

  /** Waits for the connection (after a load or a reload), and picks this run's widget bridge and source. */
  async function openPlayground(): Promise<void> {
    await connected(page, '2025-11-25');
    await page.getByLabel('Widget bridge').selectOption({ label: option });
    await page.getByLabel('Widget source').selectOption({ label: source });
  }
  const person = { username: 'ada', displayName: 'Ada Lovelace', screenshots: `${SCREENSHOTS}playground-${bridge}` };

  let boardId: string;

  it('1–3: opens /dev, lists the boards anonymously in the widget, and opens one there', { timeout: 90_000 }, async () => {
    const response = await page.goto(`${shared.kanban.url}/dev`);
    expect(response?.status()).toBe(200);
    await openPlayground();
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toBe('Not signed in');
    // The tools, with their security schemes as ChatGPT reads them.
    const tools = page.getByRole('region', { name: 'Tools' });
    await expect(tools.getByRole('listitem').filter({ hasText: /^create_card/ }).innerText()).resolves.toContain('oauth2 kanban.write');
    await expect(tools.getByRole('listitem').filter({ hasText: /^list_boards/ }).innerText()).resolves.toContain('noauth or oauth2 kanban.read');

    const listed = await callTool(page, 'list_boards');
    const widget = widgetOf(listed);
    await widget.getByRole('heading', { name: 'Boards' }).waitFor();
    await widget.getByRole('button', { name: /^Product roadmap/ }).waitFor();
    await expect(listed.locator('.model-text').innerText()).resolves.toMatch(/^3 boards\./);
    await screenshot('1-boards');

    // Opening a board is the widget's own get_board call, through the host, answered in the widget.
    await widget.getByRole('button', { name: /^Product roadmap/ }).click();
    await widget.getByRole('heading', { name: 'Product roadmap' }).waitFor();
    await expect(lastCall(page, 'get_board').locator('header').innerText()).resolves.toContain('The widget called get_board');
    await expect(lastCall(page, 'get_board').locator('iframe').count()).resolves.toBe(0);
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
    const widget = widgetOf(lastCall(page, 'list_boards'));
    await widget.getByRole('button', { name: 'Sign in to add cards' }).click();
    const followUp = page.getByRole('article', { name: 'Follow-up from the widget' }).last();
    await expect(followUp.locator('.follow-up-text').innerText()).resolves.toMatch(/sign me in/i);
  });

  it('5–6: create_card meets the in-band challenge; sign-up and consent in the popup; the call is retried and the card shows', { timeout: 90_000 }, async () => {
    const call = await callTool(page, 'create_card', { 'title (required)': 'Water the plants' });
    const prompt = call.getByRole('group', { name: 'Sign-in needed' });
    await prompt.waitFor();
    await expect(prompt.innerText()).resolves.toContain('Sign in to add cards');
    // The in-band challenge as ChatGPT gets it: a tool result, with the challenge in _meta.
    await call.locator('details', { hasText: '_meta' }).locator('summary').click();
    await expect(call.locator('details', { hasText: '_meta' }).locator('pre').innerText()).resolves.toMatch(/"mcp\/www_authenticate": \[\s*"Bearer resource_metadata=.*error=\\"insufficient_scope\\"/s);
    await screenshot('3-challenge');

    await signInThroughPopup(context, call, person);
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
    const call = lastCall(page, 'create_card');
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
    await expect.poll(() => lastCall(page, 'move_card').locator('.status').innerText()).toBe('done');
    await screenshot('5-card-moved');
  });

  it('8: after a reload the token is gone; signed in again, the card is still in Doing', { timeout: 90_000 }, async () => {
    await page.reload();
    await openPlayground();
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toBe('Not signed in');
    const challenged = await callTool(page, 'whoami');
    await challenged.getByRole('group', { name: 'Sign-in needed' }).waitFor();
    await signInThroughPopup(context, challenged, person, true);
    await expect.poll(() => challenged.locator('.status').innerText(), { timeout: 15_000 }).toBe('done');

    const board = await callTool(page, 'get_board', { 'boardId (required)': boardId });
    const widget = widgetOf(board);
    const doing = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'Doing' }) });
    await doing.locator('.card', { hasText: 'Water the plants' }).waitFor();
    await screenshot('6-after-reload');
  });

  it.runIf(bridge === 'mcp-apps')('shows pnpm check:app: on plain http without the new settings, what a submission still lacks', async () => {
    const panel = page.getByRole('region', { name: 'Submission check' });
    await panel.getByRole('button', { name: 'Check the app' }).click();
    await expect(panel.getByRole('status').innerText()).resolves.toBe(`5 passed, 4 failed (${shared.kanban.url})`);
    const failed = await panel.locator('li.failed').allInnerTexts();
    expect(failed.map((text) => text.split('\n')[0])).toEqual([
      'failed An https public URL',
      "failed The widget's domain is declared",
      'failed A privacy policy URL (PRIVACY_POLICY_URL)',
      'failed A support URL (SUPPORT_URL)',
    ]);
  });

  it('the widget sees the host change its theme and its display mode', async () => {
    const widget = widgetOf(lastCall(page, 'get_board'));
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

