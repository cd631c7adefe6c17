import { describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumMissingMessage } from '../support/chromium.ts';
import { columnTitles, useWidgetTestbed } from '../support/widget-testbed.ts';

// The widget in real Chromium inside a test MCP Apps host (test/support/widget-testbed.ts): the changes its
// owner makes (add, move three ways, edit, delete), each checked in the database, and a refused one rolled back.

if (!chromiumAvailable) console.warn(`Skipping the widget tests: ${chromiumMissingMessage}`);

describe.skipIf(!chromiumAvailable)('the Kanban widget in an MCP Apps host: changing cards', () => {
  const bed = useWidgetTestbed();

  it('adds a card in a column: it shows at once, before the server answers, and is in the database, with a requestId', async () => {
    const board = await bed.freshBoard();
    const { widget, calls } = await bed.open({ board });
    const release = bed.hosted!.holdToolCalls();
    await widget.getByRole('button', { name: 'Add a card to Done' }).click();
    await widget.getByRole('textbox', { name: 'New card in Done' }).fill('Ship it');
    await widget.getByRole('textbox', { name: 'New card in Done' }).press('Enter');
    const done = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'Done' }) });
    await done.locator('.card.pending', { hasText: 'Ship it' }).waitFor();
    expect(await bed.cardRow('Ship it')).toBeUndefined();
    release();
    await done.locator('.card:not(.pending)', { hasText: 'Ship it' }).waitFor();
    const row = await bed.cardRow('Ship it');
    expect(columnTitles(board)[row!.column_id]).toBe('Done');
    expect(calls.map((call) => call.name)).toEqual(['create_card']);
    expect(calls[0]!.args).toMatchObject({ boardId: board.id, column: row!.column_id, title: 'Ship it', requestId: expect.stringMatching(/^widget-[0-9a-f]{24}$/) });
  });

  it('moves a card by pointer drag to another column and position', async () => {
    const board = await bed.freshBoard();
    const { widget, page } = await bed.open({ board });
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
    await bed.until(async () => columnTitles(board)[(await bed.cardRow(`Order the cake ${bed.boardCounter}`))!.column_id] === 'Doing', 'the card is in Doing');
    const doing = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'Doing' }) });
    await expect(doing.locator('.card-title').allTextContents()).resolves.toEqual([`Order the cake ${bed.boardCounter}`, `Fix the login bug ${bed.boardCounter}`]);
    expect((await bed.cardRow(`Order the cake ${bed.boardCounter}`))!.position).toBeLessThan((await bed.cardRow(`Fix the login bug ${bed.boardCounter}`))!.position);
    // The drag did not also open the card.
    await expect(widget.getByRole('dialog').count()).resolves.toBe(0);
  });

  it('moves a card with the keyboard alone, announcing each step in a live region', async () => {
    const board = await bed.freshBoard();
    const { widget } = await bed.open({ board });
    const handle = widget.getByRole('button', { name: `Move Book the venue ${bed.boardCounter}` });
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
    await bed.until(async () => columnTitles(board)[(await bed.cardRow(`Book the venue ${bed.boardCounter}`))!.column_id] === 'Done', 'the card is in Done');
    await expect.poll(() => live.textContent()).toBe(`Moved Book the venue ${bed.boardCounter} to Done.`);
    // Focus stays on the moved card's handle, so the next move needs no hunting.
    await expect(widget.locator(':focus').getAttribute('aria-label')).resolves.toBe(`Move Book the venue ${bed.boardCounter}`);
  });

  it('moves a card with the "Move to…" menu of the card (no drag, no arrow keys)', async () => {
    const board = await bed.freshBoard();
    const { widget } = await bed.open({ board });
    await widget.getByRole('button', { name: /^Order the cake/ }).click();
    await widget.getByRole('combobox', { name: 'Move to' }).selectOption({ label: 'Done' });
    await widget.getByRole('button', { name: 'Move', exact: true }).click();
    await bed.until(async () => columnTitles(board)[(await bed.cardRow(`Order the cake ${bed.boardCounter}`))!.column_id] === 'Done', 'the card is in Done');
    // And on screen: in Done, no longer in To do.
    const column = (title: string) => widget.locator('section.column', { has: widget.getByRole('heading', { name: title }) });
    await column('Done').locator('.card-title', { hasText: `Order the cake ${bed.boardCounter}` }).waitFor();
    await expect(column('To do').locator('.card-title', { hasText: 'Order the cake' }).count()).resolves.toBe(0);
  });

  it('edits a card (title, description, labels, due date) and deletes another', async () => {
    const board = await bed.freshBoard();
    const { widget } = await bed.open({ board });
    const before = (await bed.cardRow(`Order the cake ${bed.boardCounter}`))!;
    await widget.getByRole('button', { name: /^Order the cake/ }).click();
    await widget.getByRole('button', { name: 'Edit' }).click();
    await widget.getByRole('textbox', { name: 'Title' }).fill('Order the big cake');
    await widget.getByRole('textbox', { name: 'Description' }).fill('Chocolate, for 40 people.');
    await widget.getByRole('textbox', { name: /^Labels/ }).fill('party, food, party');
    await widget.getByLabel('Due date').fill('2099-12-24');
    await widget.getByRole('button', { name: 'Save' }).click();
    await bed.until(async () => (await bed.cardRow('Order the big cake')) !== undefined, 'the card is renamed');
    const after = (await bed.cardRow('Order the big cake'))!;
    expect(after).toMatchObject({ id: before.id, description: 'Chocolate, for 40 people.', due_date: '2099-12-24' });
    expect(JSON.parse(after.labels)).toEqual(['party', 'food']);

    await widget.getByRole('button', { name: /^Book the venue/ }).click();
    await widget.getByRole('button', { name: 'Delete…' }).click();
    await widget.getByRole('button', { name: 'Yes, delete this card' }).click();
    await bed.until(async () => (await bed.cardRow(`Book the venue ${bed.boardCounter}`)) === undefined, 'the card is deleted');
    await expect(widget.locator('.card', { hasText: 'Book the venue' }).count()).resolves.toBe(0);
  });

  it('rolls a refused change back and shows the server\'s message (a move into a column at its WIP limit)', async () => {
    const board = await bed.freshBoard();
    const doing = board.columns[1]!;
    await bed.owner.call('create_card', { boardId: board.id, column: doing.id, title: `Second in Doing ${bed.boardCounter}` });
    const { widget, calls } = await bed.open({ board });
    const before = (await bed.cardRow(`Order the cake ${bed.boardCounter}`))!;
    const release = bed.hosted!.holdToolCalls();
    await widget.getByRole('button', { name: /^Order the cake/ }).click();
    await widget.getByRole('combobox', { name: 'Move to' }).selectOption({ label: 'Doing' });
    await widget.getByRole('button', { name: 'Move', exact: true }).click();
    // At once in Doing, while the server has not answered…
    const doingColumn = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'Doing' }) });
    await expect.poll(() => doingColumn.locator('.card-title').allTextContents()).toContain(`Order the cake ${bed.boardCounter}`);
    release();
    // …then back, with the server's reason.
    const alert = widget.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/WIP limit/);
    expect(calls.at(-1)!.result.isError).toBe(true);
    // Back in To do, on screen and in the database.
    const todo = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'To do' }) });
    await expect.poll(() => todo.locator('.card-title').allTextContents()).toContain(`Order the cake ${bed.boardCounter}`);
    expect(await bed.cardRow(`Order the cake ${bed.boardCounter}`)).toEqual(before);
  });
});
