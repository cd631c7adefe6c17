import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumMissingMessage, launchChromium } from '../support/chromium.ts';
import { boardOf, cardByTitle, signInActor, type Actor, type BoardView } from '../support/kanban-actors.ts';
import { useKanban } from '../support/kanban-server.ts';
import { hostWidget, type HostedWidget, type HostOptions } from '../support/widget-host.ts';

// The widget in real Chromium, hosted the way MCP Apps hosts do it (test/browser/widget-host/):
// HTML from resources/read in a sandboxed srcdoc iframe under the default MCP Apps CSP, ext-apps'
// AppBridge, a real tool result, and the widget's own tool calls sent to the real server with a
// real token. What the widget changes is checked in the SQLite file itself.

const shared = useKanban();

interface CardRow {
  id: string;
  title: string;
  column_id: string;
  position: number;
  description: string;
  labels: string;
  due_date: string | null;
}

async function cardRow(title: string): Promise<CardRow | undefined> {
  const [row] = await shared.kanban.runtime.database.query<CardRow>('select id, title, column_id, position, description, labels, due_date from cards where title = ?', [title]);
  return row;
}

function columnTitles(board: BoardView): Record<string, string> {
  return Object.fromEntries(board.columns.map((column) => [column.id, column.title]));
}

if (!chromiumAvailable) console.warn(`Skipping the widget tests: ${chromiumMissingMessage}`);

describe.skipIf(!chromiumAvailable)('the Kanban widget in an MCP Apps host', () => {
  let browser: Browser;
  let owner: Actor;
  let hosted: HostedWidget | undefined;
  let boardCounter = 0;

  beforeAll(async () => {
    browser = await launchChromium();
    owner = await signInActor(shared.kanban, 'widget-owner');
  });
  afterAll(async () => {
    await owner?.client.close();
    await browser?.close();
  });
  /** Closes the hosted widget, which must have stayed clean: no console error, no CSP violation. */
  async function closeHosted(): Promise<void> {
    if (!hosted) return;
    const violations = await hosted.cspViolations();
    const errors = [...hosted.consoleErrors];
    await hosted.close();
    hosted = undefined;
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  }
  afterEach(closeHosted);

  /** A fresh public board of the owner's: To do (3 cards), Doing (WIP 2, 1 card), Done. */
  async function freshBoard(): Promise<BoardView> {
    const created = boardOf(await owner.call('create_board', { title: `Launch plan ${++boardCounter}`, columns: ['To do', 'Doing', 'Done'], visibility: 'public' }));
    const [todo, doing] = created.columns;
    await owner.call('create_card', { boardId: created.id, column: todo!.id, title: `Write the announcement ${boardCounter}`, labels: ['marketing', 'copy'], dueDate: '2020-01-15' });
    await owner.call('create_card', { boardId: created.id, column: todo!.id, title: `Book the venue ${boardCounter}`, dueDate: '2099-06-01' });
    await owner.call('create_card', { boardId: created.id, column: todo!.id, title: `Order the cake ${boardCounter}` });
    await owner.call('create_card', { boardId: created.id, column: doing!.id, title: `Fix the login bug ${boardCounter}`, labels: ['bug'] });
    return boardOf(await owner.call('update_board', { boardId: created.id, wipLimits: [{ columnId: doing!.id, wipLimit: 2 }] }));
  }

  async function open(options: Partial<HostOptions> & { board: BoardView }): Promise<HostedWidget> {
    hosted = await hostWidget(browser, shared.kanban, { token: owner.token, tool: 'get_board', args: { boardId: options.board.id }, ...options });
    await hosted.widget.getByRole('heading', { name: options.board.title, level: 1 }).waitFor();
    return hosted;
  }

  async function until(check: () => boolean | undefined | Promise<boolean | undefined>, what: string): Promise<void> {
    for (let tries = 0; tries < 300; tries++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting until ${what}`);
  }

  it('renders the board from the tool result: columns with counts and WIP badge, labels, due dates with overdue in red', async () => {
    const board = await freshBoard();
    const { widget } = await open({ board });
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
    await hosted!.screenshot('light');
  });

  it('adds a card in a column: it shows at once, before the server answers, and is in the database, with a requestId', async () => {
    const board = await freshBoard();
    const { widget, calls } = await open({ board });
    const release = hosted!.holdToolCalls();
    await widget.getByRole('button', { name: 'Add a card to Done' }).click();
    await widget.getByRole('textbox', { name: 'New card in Done' }).fill('Ship it');
    await widget.getByRole('textbox', { name: 'New card in Done' }).press('Enter');
    const done = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'Done' }) });
    await done.locator('.card.pending', { hasText: 'Ship it' }).waitFor();
    expect(await cardRow('Ship it')).toBeUndefined();
    release();
    await done.locator('.card:not(.pending)', { hasText: 'Ship it' }).waitFor();
    const row = await cardRow('Ship it');
    expect(columnTitles(board)[row!.column_id]).toBe('Done');
    expect(calls.map((call) => call.name)).toEqual(['create_card']);
    expect(calls[0]!.args).toMatchObject({ boardId: board.id, column: row!.column_id, title: 'Ship it', requestId: expect.stringMatching(/^widget-[0-9a-f]{24}$/) });
  });

  it('moves a card by pointer drag to another column and position', async () => {
    const board = await freshBoard();
    const { widget, page } = await open({ board });
    const card = widget.locator('.card', { hasText: 'Order the cake' });
    const target = widget.locator('.card', { hasText: 'Fix the login bug' });
    const from = (await card.boundingBox())!;
    const to = (await target.boundingBox())!;
    await page.mouse.move(from.x + 30, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + 60, from.y + from.height / 2, { steps: 4 });
    // Above the middle of "Fix the login bug": lands first in Doing.
    await page.mouse.move(to.x + 30, to.y + 4, { steps: 12 });
    await widget.locator('.drag-ghost').waitFor();
    await page.mouse.up();
    await until(async () => columnTitles(board)[(await cardRow(`Order the cake ${boardCounter}`))!.column_id] === 'Doing', 'the card is in Doing');
    const doing = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'Doing' }) });
    await expect(doing.locator('.card-title').allTextContents()).resolves.toEqual([`Order the cake ${boardCounter}`, `Fix the login bug ${boardCounter}`]);
    expect((await cardRow(`Order the cake ${boardCounter}`))!.position).toBeLessThan((await cardRow(`Fix the login bug ${boardCounter}`))!.position);
    // The drag did not also open the card.
    await expect(widget.getByRole('dialog').count()).resolves.toBe(0);
  });

  it('moves a card with the keyboard alone, announcing each step in a live region', async () => {
    const board = await freshBoard();
    const { widget } = await open({ board });
    const handle = widget.getByRole('button', { name: `Move Book the venue ${boardCounter}` });
    await handle.focus();
    await handle.press('Enter');
    const live = widget.locator('[aria-live="polite"]');
    await expect.poll(() => live.textContent()).toMatch(/^Picked up Book the venue \d+\. To do, position 2 of 3\./);
    await widget.locator('[data-handle-for]:focus').press('ArrowRight');
    await expect.poll(() => live.textContent()).toBe('Doing, position 2 of 2.');
    await widget.locator('[data-handle-for]:focus').press('ArrowRight');
    await widget.locator('[data-handle-for]:focus').press('ArrowUp');
    await expect.poll(() => live.textContent()).toBe('Done, position 1 of 1.');
    await widget.locator('[data-handle-for]:focus').press('Enter');
    await until(async () => columnTitles(board)[(await cardRow(`Book the venue ${boardCounter}`))!.column_id] === 'Done', 'the card is in Done');
    await expect.poll(() => live.textContent()).toBe(`Moved Book the venue ${boardCounter} to Done.`);
    // Focus stays on the moved card's handle, so the next move needs no hunting.
    await expect(widget.locator(':focus').getAttribute('aria-label')).resolves.toBe(`Move Book the venue ${boardCounter}`);
  });

  it('moves a card with the "Move to…" menu of the card (no drag, no arrow keys)', async () => {
    const board = await freshBoard();
    const { widget } = await open({ board });
    await widget.getByRole('button', { name: /^Order the cake/ }).click();
    await widget.getByRole('combobox', { name: 'Move to' }).selectOption({ label: 'Done' });
    await widget.getByRole('button', { name: 'Move', exact: true }).click();
    await until(async () => columnTitles(board)[(await cardRow(`Order the cake ${boardCounter}`))!.column_id] === 'Done', 'the card is in Done');
    // And on screen: in Done, no longer in To do.
    const column = (title: string) => widget.locator('section.column', { has: widget.getByRole('heading', { name: title }) });
    await column('Done').locator('.card-title', { hasText: `Order the cake ${boardCounter}` }).waitFor();
    await expect(column('To do').locator('.card-title', { hasText: 'Order the cake' }).count()).resolves.toBe(0);
  });

  it('edits a card (title, description, labels, due date) and deletes another', async () => {
    const board = await freshBoard();
    const { widget } = await open({ board });
    const before = (await cardRow(`Order the cake ${boardCounter}`))!;
    await widget.getByRole('button', { name: /^Order the cake/ }).click();
    await widget.getByRole('button', { name: 'Edit' }).click();
    await widget.getByRole('textbox', { name: 'Title' }).fill('Order the big cake');
    await widget.getByRole('textbox', { name: 'Description' }).fill('Chocolate, for 40 people.');
    await widget.getByRole('textbox', { name: /^Labels/ }).fill('party, food, party');
    await widget.getByLabel('Due date').fill('2099-12-24');
    await widget.getByRole('button', { name: 'Save' }).click();
    await until(async () => (await cardRow('Order the big cake')) !== undefined, 'the card is renamed');
    const after = (await cardRow('Order the big cake'))!;
    expect(after).toMatchObject({ id: before.id, description: 'Chocolate, for 40 people.', due_date: '2099-12-24' });
    expect(JSON.parse(after.labels)).toEqual(['party', 'food']);

    await widget.getByRole('button', { name: /^Book the venue/ }).click();
    await widget.getByRole('button', { name: 'Delete…' }).click();
    await widget.getByRole('button', { name: 'Yes, delete this card' }).click();
    await until(async () => (await cardRow(`Book the venue ${boardCounter}`)) === undefined, 'the card is deleted');
    await expect(widget.locator('.card', { hasText: 'Book the venue' }).count()).resolves.toBe(0);
  });

  it('rolls a refused change back and shows the server\'s message (a move into a column at its WIP limit)', async () => {
    const board = await freshBoard();
    const doing = board.columns[1]!;
    await owner.call('create_card', { boardId: board.id, column: doing.id, title: `Second in Doing ${boardCounter}` });
    const { widget, calls } = await open({ board });
    const before = (await cardRow(`Order the cake ${boardCounter}`))!;
    const release = hosted!.holdToolCalls();
    await widget.getByRole('button', { name: /^Order the cake/ }).click();
    await widget.getByRole('combobox', { name: 'Move to' }).selectOption({ label: 'Doing' });
    await widget.getByRole('button', { name: 'Move', exact: true }).click();
    // At once in Doing, while the server has not answered…
    const doingColumn = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'Doing' }) });
    await expect.poll(() => doingColumn.locator('.card-title').allTextContents()).toContain(`Order the cake ${boardCounter}`);
    release();
    // …then back, with the server's reason.
    const alert = widget.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/WIP limit/);
    expect(calls.at(-1)!.result.isError).toBe(true);
    // Back in To do, on screen and in the database.
    const todo = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'To do' }) });
    await expect.poll(() => todo.locator('.card-title').allTextContents()).toContain(`Order the cake ${boardCounter}`);
    expect(await cardRow(`Order the cake ${boardCounter}`)).toEqual(before);
  });

  it('signed out: the board is browsable, nothing is editable, and "Sign in to add cards" asks the chat instead of calling a tool', async () => {
    const board = await freshBoard();
    const { widget, calls, records } = await open({ board, token: undefined });
    await expect(widget.locator('.card').count()).resolves.toBe(4);
    await expect(widget.locator('.handle').count()).resolves.toBe(0);
    await expect(widget.getByRole('button', { name: /Add a card/ }).count()).resolves.toBe(0);
    // A card opens to its details, with nothing to change in it.
    await widget.getByRole('button', { name: /^Write the announcement/ }).click();
    const dialog = widget.getByRole('dialog');
    await dialog.getByRole('heading', { name: `Write the announcement ${boardCounter}` }).waitFor();
    for (const control of [dialog.getByRole('button', { name: 'Edit' }), dialog.getByRole('button', { name: 'Delete…' }), dialog.getByRole('combobox', { name: 'Move to' })]) await expect(control.count()).resolves.toBe(0);
    await hosted!.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await hosted!.screenshot('signed-out');
    await widget.getByRole('button', { name: 'Sign in to add cards' }).click();
    await until(() => records.some((record) => record.kind === 'message'), 'the widget sent a message');
    const message = records.find((record) => record.kind === 'message')!.payload;
    expect(message.role).toBe('user');
    expect(message.content[0].text).toMatch(/sign me in/i);
    expect(calls).toEqual([]);
    await widget.getByRole('status').waitFor();
  });

  it('follows the host theme: a dark context from the host restyles the widget', async () => {
    const board = await freshBoard();
    const { widget } = await open({ board });
    const background = () => widget.locator('.column').first().evaluate((element) => getComputedStyle(element).backgroundColor);
    const light = await background();
    await hosted!.changeHostContext({ theme: 'dark' });
    await expect.poll(() => widget.locator('html').getAttribute('data-theme')).toBe('dark');
    const dark = await background();
    expect(dark).not.toBe(light);
    // Dark means dark: the column background is darker than mid-grey.
    const [r, g, b] = dark.match(/\d+/g)!.map(Number);
    expect(r! + g! + b!).toBeLessThan(3 * 128);
    await hosted!.screenshot('dark');
  });

  it('fits a narrow host: the page never scrolls sideways (the columns do), and fullscreen is one click', async () => {
    const board = await freshBoard();
    const { widget, records } = await open({ board, viewport: { width: 360, height: 640 } });
    const widths = await widget.locator('html').evaluate((root) => ({ page: root.scrollWidth, view: root.clientWidth, columns: root.querySelector('.columns')!.scrollWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    expect(widths.columns).toBeGreaterThan(widths.view);
    await hosted!.screenshot('narrow');
    await widget.getByRole('button', { name: 'Show fullscreen' }).click();
    await until(() => records.some((record) => record.kind === 'display-mode'), 'the widget asked for fullscreen');
    expect(records.find((record) => record.kind === 'display-mode')!.payload).toEqual({ mode: 'fullscreen' });
  });

  it('passes axe-core\'s WCAG 2.2 A and AA checks (colour contrast included) in light and dark, with a card open too', async () => {
    const board = await freshBoard();
    const { widget } = await open({ board });
    expect(await hosted!.accessibilityViolations()).toEqual([]);
    await widget.getByRole('button', { name: /^Write the announcement/ }).click();
    await widget.getByRole('dialog').waitFor();
    expect(await hosted!.accessibilityViolations()).toEqual([]);
    await hosted!.changeHostContext({ theme: 'dark' });
    await expect.poll(() => widget.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await hosted!.accessibilityViolations()).toEqual([]);
    await widget.getByRole('dialog').press('Escape');
    await expect.poll(() => widget.getByRole('dialog').count()).toBe(0);
    expect(await hosted!.accessibilityViolations()).toEqual([]);
  });

  it('respects reduced motion: no transitions when the person asks for less motion', async () => {
    const board = await freshBoard();
    const transition = async () => hosted!.widget.locator('.card').first().evaluate((card) => getComputedStyle(card).transitionDuration);
    await open({ board });
    expect(await transition()).not.toBe('0s');
    await closeHosted();
    await open({ board, reducedMotion: 'reduce' });
    expect(await transition()).toBe('0s');
  });

  it('renders user text inert: an HTML title stays text, a javascript: link stays text, an https link goes through the host', async () => {
    const board = await freshBoard();
    const title = '<img src=x onerror=alert(1)>';
    const description = 'Try javascript:alert(1), javascript://x/%0aalert(1), http://plain.example/a, HTTPS://UPPER.example/b, data:text/html,<b>x</b> or https://example.com/plan?x=1, then <script>alert(2)</script>.';
    await owner.call('create_card', { boardId: board.id, title, description });
    const { widget, records } = await open({ board });
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
    await until(() => records.some((record) => record.kind === 'open-link'), 'the host was asked to open the link');
    expect(records.find((record) => record.kind === 'open-link')!.payload).toEqual({ url: 'https://example.com/plan?x=1' });
  });

  it('list_boards renders a board picker; picking a board opens it through get_board', async () => {
    const board = await freshBoard();
    hosted = await hostWidget(browser, shared.kanban, { token: owner.token, tool: 'list_boards', args: { limit: 100 } });
    const { widget, calls } = hosted;
    await widget.getByRole('heading', { name: 'Boards', level: 1 }).waitFor();
    await widget.getByRole('button', { name: new RegExp(`^${board.title} `) }).click();
    await widget.getByRole('heading', { name: board.title, level: 1 }).waitFor();
    expect(calls.map((call) => [call.name, call.args])).toEqual([['get_board', { boardId: board.id }]]);
    await expect(widget.locator('.card').count()).resolves.toBe(4);
  });

  it('with only window.openai (older ChatGPT): renders at once, calls tools through it, and keeps the open board in widget state', async () => {
    const board = await freshBoard();
    const { widget, records, calls } = await open({ board, bridge: 'openai' });
    await widget.getByRole('button', { name: 'Add a card to To do' }).click();
    await widget.getByRole('textbox', { name: 'New card in To do' }).fill('Via window.openai');
    await widget.getByRole('button', { name: 'Add', exact: true }).click();
    await until(async () => (await cardRow('Via window.openai')) !== undefined, 'the card is in the database');
    const todo = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'To do' }) });
    await todo.locator('.card:not(.pending)', { hasText: 'Via window.openai' }).waitFor();
    // The host records a call when its answer arrives, which may be after the row is visible.
    await until(() => calls.length > 0, 'the host has the answer');
    expect(calls.map((call) => call.name)).toEqual(['create_card']);
    await until(() => records.some((record) => record.kind === 'widgetState'), 'the widget saved its state');
    expect(records.find((record) => record.kind === 'widgetState')!.payload).toMatchObject({ boardId: board.id });
    expect(cardByTitle(boardOf(await owner.call('get_board', { boardId: board.id })), 'Via window.openai')).toBeDefined();
  });

  it('with window.openai, comes back to the board kept in widget state when ChatGPT reloads the widget', async () => {
    const board = await freshBoard();
    hosted = await hostWidget(browser, shared.kanban, { token: owner.token, tool: 'list_boards', args: { limit: 100 }, bridge: 'openai', widgetState: { boardId: board.id } });
    await hosted.widget.getByRole('heading', { name: board.title, level: 1 }).waitFor();
    expect(hosted.calls.map((call) => [call.name, call.args])).toEqual([['get_board', { boardId: board.id }]]);
    // Saving the state makes ChatGPT announce new globals: that is no new result, the board stays.
    await until(() => hosted!.records.some((record) => record.kind === 'widgetState'), 'the widget saved its state');
    // The announcement was dispatched before the host heard of the state: two frames later, whatever it made the widget render is on screen.
    await (await hosted.frame()).evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await expect(hosted.widget.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(board.title);
  });
});
