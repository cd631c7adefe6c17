import { describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumMissingMessage } from '../support/chromium.ts';
import { hostWidget } from '../support/widget-host.ts';
import { useWidgetTestbed } from '../support/widget-testbed.ts';

// The widget in real Chromium inside a test MCP Apps host (test/support/widget-testbed.ts): what it shows
// (a board, signed out, the board picker, user text as text), and how it follows the host (theme, width,
// reduced motion) and axe-core's checks.

if (!chromiumAvailable) console.warn(`Skipping the widget tests: ${chromiumMissingMessage}`);

describe.skipIf(!chromiumAvailable)('the Kanban widget in an MCP Apps host: what it shows', () => {
  const bed = useWidgetTestbed();

  it('renders the board from the tool result: columns with counts and WIP badge, labels, due dates with overdue in red', async () => {
    const board = await bed.freshBoard();
    const { widget } = await bed.open({ board });
    const todo = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'To do' }) });
    await expect(todo.locator('.count').textContent()).resolves.toBe('3 cards');
    await expect(widget.locator('.wip').textContent()).resolves.toBe('WIP 1/2');
    const overdue = todo.locator('.card', { hasText: 'Write the announcement' });
    await expect(overdue.locator('.label').allTextContents()).resolves.toEqual(['marketing', 'copy']);
    await expect(overdue.locator('.due').textContent()).resolves.toMatch(/^Overdue · 15 Jan 2020$/);
    // In red as a person sees it (the theme's danger colour, #b3261e in light), and bold; a date to come is neither.
    const look = (due: typeof overdue) => due.evaluate((element) => [getComputedStyle(element).color, getComputedStyle(element).fontWeight]);
    await expect(look(overdue.locator('.due'))).resolves.toEqual(['rgb(179, 38, 30)', '600']);
    const later = todo.locator('.card', { hasText: 'Book the venue' }).locator('.due');
    const [laterColour, laterWeight] = await look(later);
    expect([laterColour === 'rgb(179, 38, 30)', laterWeight]).toEqual([false, '400']);
    await expect(widget.getByRole('button', { name: 'Sign in to add cards' }).count()).resolves.toBe(0);
    await bed.hosted!.screenshot('light');
  });

  // Every test ends with no CSP violation (widget-testbed.ts): this one shows the policy is there to be violated.
  it('runs under the MCP Apps default CSP: a request to a domain the widget does not declare is blocked and reported', async () => {
    const board = await bed.freshBoard();
    const hosted = await bed.open({ board });
    const frame = await hosted.frame();
    await frame.evaluate("fetch('https://example.com/x').catch(() => {})");
    await expect.poll(async () => (await hosted.cspViolations()).map((violation) => violation.directive)).toContain('connect-src');
    // Seen: not a failure of this test's widget at its close.
    bed.hosted = undefined;
    await hosted.close();
  });

  it('signed out: the board is browsable, nothing is editable, and "Sign in to add cards" asks the chat instead of calling a tool', async () => {
    const board = await bed.freshBoard();
    const { widget, calls, records } = await bed.open({ board, token: undefined });
    await expect(widget.locator('.card').count()).resolves.toBe(4);
    await expect(widget.locator('.handle').count()).resolves.toBe(0);
    await expect(widget.getByRole('button', { name: /Add a card/ }).count()).resolves.toBe(0);
    // A card opens to its details, with nothing to change in it.
    await widget.getByRole('button', { name: /^Write the announcement/ }).click();
    const dialog = widget.getByRole('dialog');
    await dialog.getByRole('heading', { name: `Write the announcement ${bed.boardCounter}` }).waitFor();
    for (const control of [dialog.getByRole('button', { name: 'Edit' }), dialog.getByRole('button', { name: 'Delete…' }), dialog.getByRole('combobox', { name: 'Move to' })]) await expect(control.count()).resolves.toBe(0);
    await bed.hosted!.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await bed.hosted!.screenshot('signed-out');
    await widget.getByRole('button', { name: 'Sign in to add cards' }).click();
    await bed.until(() => records.some((record) => record.kind === 'message'), 'the widget sent a message');
    const message = records.find((record) => record.kind === 'message')!.payload;
    expect(message.role).toBe('user');
    expect(message.content[0].text).toMatch(/sign me in/i);
    expect(calls).toEqual([]);
    await widget.getByRole('status').waitFor();
  });

  it('follows the host theme: a dark context from the host restyles the widget', async () => {
    const board = await bed.freshBoard();
    const { widget } = await bed.open({ board });
    const background = () => widget.locator('.column').first().evaluate((element) => getComputedStyle(element).backgroundColor);
    const light = await background();
    await bed.hosted!.changeHostContext({ theme: 'dark' });
    await expect.poll(() => widget.locator('html').getAttribute('data-theme')).toBe('dark');
    const dark = await background();
    expect(dark).not.toBe(light);
    // Dark means dark: the column background is darker than mid-grey.
    const [r, g, b] = dark.match(/\d+/g)!.map(Number);
    expect(r! + g! + b!).toBeLessThan(3 * 128);
    await bed.hosted!.screenshot('dark');
  });

  it('fits a narrow host: the page never scrolls sideways (the columns do), and fullscreen is one click', async () => {
    const board = await bed.freshBoard();
    const { widget, records } = await bed.open({ board, viewport: { width: 360, height: 640 } });
    const widths = await widget.locator('html').evaluate((root) => ({ page: root.scrollWidth, view: root.clientWidth, columns: root.querySelector('.columns')!.scrollWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    expect(widths.columns).toBeGreaterThan(widths.view);
    await bed.hosted!.screenshot('narrow');
    await widget.getByRole('button', { name: 'Show fullscreen' }).click();
    await bed.until(() => records.some((record) => record.kind === 'display-mode'), 'the widget asked for fullscreen');
    expect(records.find((record) => record.kind === 'display-mode')!.payload).toEqual({ mode: 'fullscreen' });
  });

  it('passes axe-core\'s WCAG 2.2 A and AA checks (colour contrast included) in light and dark, with a card open too', async () => {
    const board = await bed.freshBoard();
    const { widget } = await bed.open({ board });
    expect(await bed.hosted!.accessibilityViolations()).toEqual([]);
    await widget.getByRole('button', { name: /^Write the announcement/ }).click();
    await widget.getByRole('dialog').waitFor();
    expect(await bed.hosted!.accessibilityViolations()).toEqual([]);
    await bed.hosted!.changeHostContext({ theme: 'dark' });
    await expect.poll(() => widget.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await bed.hosted!.accessibilityViolations()).toEqual([]);
    await widget.getByRole('dialog').press('Escape');
    await expect.poll(() => widget.getByRole('dialog').count()).toBe(0);
    expect(await bed.hosted!.accessibilityViolations()).toEqual([]);
  });

  it('respects reduced motion: no transitions when the person asks for less motion', async () => {
    const board = await bed.freshBoard();
    const transition = async () => bed.hosted!.widget.locator('.card').first().evaluate((card) => getComputedStyle(card).transitionDuration);
    await bed.open({ board });
    expect(await transition()).not.toBe('0s');
    await bed.closeHosted();
    await bed.open({ board, reducedMotion: 'reduce' });
    expect(await transition()).toBe('0s');
  });

  it('renders user text inert: an HTML title stays text, a javascript: link stays text, an https link goes through the host', async () => {
    const board = await bed.freshBoard();
    const title = '<img src=x onerror=alert(1)>';
    const description = 'Try javascript:alert(1), javascript://x/%0aalert(1), http://plain.example/a, HTTPS://UPPER.example/b, data:text/html,<b>x</b> or https://example.com/plan?x=1, then <script>alert(2)</script>.';
    await bed.owner.call('create_card', { boardId: board.id, title, description });
    const { widget, records } = await bed.open({ board });
    await expect(widget.locator('.card-title').filter({ hasText: title }).count()).resolves.toBe(1);
    await widget.getByRole('button', { name: title, exact: true }).click();
    const dialog = widget.getByRole('dialog');
    await expect(dialog.locator('img, script').count()).resolves.toBe(0);
    await expect(widget.locator('body img').count()).resolves.toBe(0);
    const links = await widget.locator('a[href]').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')));
    expect(links).toEqual(['https://example.com/plan?x=1']);
    // The rest of the text is there, as text.
    await expect(dialog.locator('.description').textContent()).resolves.toBe(description);
    await dialog.getByRole('link').click();
    await bed.until(() => records.some((record) => record.kind === 'open-link'), 'the host was asked to open the link');
    expect(records.find((record) => record.kind === 'open-link')!.payload).toEqual({ url: 'https://example.com/plan?x=1' });
  });

  it('list_boards renders a board picker; picking a board opens it through get_board', async () => {
    const board = await bed.freshBoard();
    bed.hosted = await hostWidget(bed.browser, bed.kanban, { token: bed.owner.token, tool: 'list_boards', args: { limit: 100 } });
    const { widget, calls } = bed.hosted;
    await widget.getByRole('heading', { name: 'Boards', level: 1 }).waitFor();
    await widget.getByRole('button', { name: new RegExp(`^${board.title} `) }).click();
    await widget.getByRole('heading', { name: board.title, level: 1 }).waitFor();
    expect(calls.map((call) => [call.name, call.args])).toEqual([['get_board', { boardId: board.id }]]);
    await expect(widget.locator('.card').count()).resolves.toBe(4);
  });
});
