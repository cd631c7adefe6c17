import { describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumMissingMessage } from '../support/chromium.ts';
import { boardOf, cardByTitle } from '../support/kanban-actors.ts';
import { useWidgetTestbed } from '../support/widget-testbed.ts';

// The widget in real Chromium inside a test host (test/support/widget-testbed.ts) that offers only
// window.openai, as older ChatGPT does.

if (!chromiumAvailable) console.warn(`Skipping the widget tests: ${chromiumMissingMessage}`);

describe.skipIf(!chromiumAvailable)('the Kanban widget in an MCP Apps host: older ChatGPT (window.openai only)', () => {
  const bed = useWidgetTestbed();

  it('with only window.openai (older ChatGPT): renders at once, calls tools through it, and keeps the open board in widget state', async () => {
    const board = await bed.freshBoard();
    const { widget, records, calls } = await bed.open({ board, bridge: 'openai' });
    await widget.getByRole('button', { name: 'Add a card to To do' }).click();
    await widget.getByRole('textbox', { name: 'New card in To do' }).fill('Via window.openai');
    await widget.getByRole('button', { name: 'Add', exact: true }).click();
    await bed.until(async () => (await bed.cardRow('Via window.openai')) !== undefined, 'the card is in the database');
    const todo = widget.locator('section.column', { has: widget.getByRole('heading', { name: 'To do' }) });
    await todo.locator('.card:not(.pending)', { hasText: 'Via window.openai' }).waitFor();
    // The host records a call when its answer arrives, which may be after the row is visible.
    await bed.until(() => calls.length > 0, 'the host has the answer');
    expect(calls.map((call) => call.name)).toEqual(['create_card']);
    await bed.until(() => records.some((record) => record.kind === 'widgetState'), 'the widget saved its state');
    expect(records.find((record) => record.kind === 'widgetState')!.payload).toMatchObject({ boardId: board.id });
    expect(cardByTitle(boardOf(await bed.owner.call('get_board', { boardId: board.id })), 'Via window.openai')).toBeDefined();
  });

  it('with window.openai, comes back to the board kept in widget state when ChatGPT reloads the widget', async () => {
    const board = await bed.freshBoard();
    const hosted = await bed.open({ board, tool: 'list_boards', args: { limit: 100 }, bridge: 'openai', widgetState: { boardId: board.id } });
    expect(hosted.calls.map((call) => [call.name, call.args])).toEqual([['get_board', { boardId: board.id }]]);
    // Saving the state makes ChatGPT announce new globals: that is no new result, the board stays.
    await bed.until(() => hosted.records.some((record) => record.kind === 'widgetState'), 'the widget saved its state');
    // The announcement was dispatched before the host heard of the state: two frames later, whatever it made the widget render is on screen.
    await (await hosted.frame()).evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await expect(hosted.widget.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(board.title);
  });
});
