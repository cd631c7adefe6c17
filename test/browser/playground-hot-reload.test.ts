import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_WIDGET_FILE } from '../../server/mcp/widget.ts';
import { chromiumAvailable, chromiumMissingMessage } from '../support/chromium.ts';
import { callTool, connected, PLAYGROUND_VIEWPORT, usePlaygroundServer, widgetOf } from '../support/playground.ts';
import { SCREENSHOTS } from '../support/widget-host.ts';

// The widget's dev loop in the playground: an edit of its sources hot-reloads it in place, and a
// new build (what pnpm dev writes on every change) is what the next call shows in built mode.

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const TEST_OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

if (!chromiumAvailable) console.warn(`Skipping the playground hot-reload tests: ${chromiumMissingMessage}`);

describe.skipIf(!chromiumAvailable)('the playground hot-reloads the widget from its sources', () => {
  let sources = '';
  // A copy of the widget's sources inside the project (its packages resolve from node_modules there),
  // and of its build, which the server follows.
  const shared = usePlaygroundServer(() => {
    mkdirSync(TEST_OUTPUT, { recursive: true });
    sources = mkdtempSync(join(TEST_OUTPUT, 'widget-sources-'));
    cpSync(join(WEB, 'src'), join(sources, 'src'), { recursive: true });
    copyFileSync(join(WEB, 'index.html'), join(sources, 'index.html'));
    copyFileSync(BUILT_WIDGET_FILE, join(sources, 'built.html'));
    return { widgetSource: sources, widgetFile: join(sources, 'built.html') };
  });
  afterAll(() => {
    if (sources) rmSync(sources, { recursive: true, force: true });
  });

  it('an edit of a widget source file shows in the widget with no page reload and the widget state kept', { timeout: 90_000 }, async () => {
    const page = await shared.browser.newPage({ viewport: PLAYGROUND_VIEWPORT });
    await page.goto(`${shared.kanban.url}/dev`);
    await connected(page);
    await expect(page.getByLabel('Widget source').inputValue()).resolves.toBe('live');
    const widget = widgetOf(await callTool(page, 'list_boards'));
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
    const { kanban } = shared;
    const page = await shared.browser.newPage({ viewport: PLAYGROUND_VIEWPORT });
    await page.goto(`${kanban.url}/dev`);
    await connected(page);
    await page.getByLabel('Widget source').selectOption('built');
    /** Calls list_boards and answers the title of the widget document it shows. */
    const callListBoards = async () => {
      const call = await callTool(page, 'list_boards');
      await widgetOf(call).getByRole('heading', { name: 'Boards' }).waitFor();
      return (await (await call.locator('iframe.widget').elementHandle())!.contentFrame())!.title();
    };
    await expect(callListBoards()).resolves.toBe('Kanban');
    const listedUri = async () => (await (await fetch(kanban.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' })).json()).result.tools[0]._meta.ui.resourceUri;
    // Read before the rebuild lands: the server may follow it before a later read.
    const before = await listedUri();
    const built = join(sources, 'built.html');
    writeFileSync(`${built}.tmp`, readFileSync(built, 'utf8').replace('<title>Kanban</title>', '<title>Kanban, rebuilt</title>'));
    renameSync(`${built}.tmp`, built);
    await expect.poll(listedUri).not.toBe(before);
    await expect(callListBoards()).resolves.toBe('Kanban, rebuilt');
    await page.close();
  });
});
