import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { singleFilePage } from '../../web/vite.config.ts';
import { widgetCsp, withCsp } from '../../web/playground/src/widget-csp.ts';
import { launchChromium } from '../support/chromium.ts';
import { HOST_PAGE as MCP_APPS_HOST_PAGE, testHostScript } from '../support/widget-host.ts';

// What the widget costs a host to load, next to React alone built the same way (one inline HTML
// file), measured in the same run: gzip size, and first paint / first contentful paint in a
// sandboxed srcdoc iframe under the MCP Apps default CSP, as hosts render it. The widget's first
// paint is its "Loading Kanban…" line; "board shown" is when a board from a tool result (30 cards,
// delivered over ext-apps' AppBridge) is on screen. Medians over N loads, from navigation start.

const PAGES = {
  'React-only hello': fileURLToPath(new URL('./hello/', import.meta.url)),
  'kanban widget': fileURLToPath(new URL('../../web/', import.meta.url)),
};

export interface PageLoad {
  page: string;
  gzipBytes: number;
  firstPaintMs: number;
  firstContentfulPaintMs: number;
  /** The widget only: a delivered board is on screen. */
  boardShownMs?: number;
}

/** A tool result as get_board returns it: 3 columns of 10 cards. */
const CANNED_BOARD = {
  content: [{ type: 'text', text: 'A board.' }],
  structuredContent: {
    view: 'board',
    viewer: { signedIn: true, name: 'bench' },
    board: {
      id: 'brd_bench',
      title: 'Bench board',
      visibility: 'private',
      owned: true,
      canEdit: true,
      updatedAt: '2026-01-01T00:00:00.000Z',
      columns: ['To do', 'Doing', 'Done'].map((title, column) => ({
        id: `col_${column}`,
        title,
        wipLimit: null,
        cards: Array.from({ length: 10 }, (_, card) => ({ id: `crd_${column}_${card}`, title: `Card ${card + 1} of ${title}`, labels: ['bench'], dueDate: '2099-01-01' })),
      })),
    },
  },
};

async function measureBoardShown(browser: Browser, html: string): Promise<number> {
  const page = await browser.newPage();
  try {
    await page.setContent(MCP_APPS_HOST_PAGE);
    await page.addScriptTag({ content: await testHostScript() });
    await page.evaluate((start) => (window as any).testHost.startMcpAppsHost(start), { html, toolInput: {}, toolResult: CANNED_BOARD, hostContext: { theme: 'light' } });
    const frame = await (await page.$('#widget'))!.contentFrame();
    const shown = await frame!.waitForFunction(() => document.querySelectorAll('.card').length === 30 && performance.now(), undefined, { polling: 'raf' });
    return (await shown.jsonValue()) as number;
  } finally {
    await page.close();
  }
}

async function buildPage(root: string): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'kanban-bench-'));
  try {
    await build({ ...singleFilePage(root, outDir), configFile: false, logLevel: 'silent' });
    return readFileSync(join(outDir, 'index.html'), 'utf8');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const HOST_PAGE = '<!doctype html><html><body><iframe id="page" sandbox="allow-scripts" style="width:800px;height:600px;border:0"></iframe></body></html>';

export async function measureWidgetLoad(loads: number): Promise<PageLoad[]> {
  const html = Object.fromEntries(await Promise.all(Object.entries(PAGES).map(async ([name, root]) => [name, await buildPage(root)] as const)));
  const samples: Record<string, { fp: number[]; fcp: number[] }> = Object.fromEntries(Object.keys(PAGES).map((name) => [name, { fp: [], fcp: [] }]));
  const boardShown: number[] = [];
  const browser = await launchChromium();
  try {
    // Interleaved, so a noisy moment of a shared machine hits both pages alike.
    for (let round = 0; round < loads; round++) {
      for (const name of Object.keys(PAGES)) {
        const page = await browser.newPage();
        await page.setContent(HOST_PAGE);
        const underCsp = withCsp(html[name]!, widgetCsp(undefined));
        await page.$eval('#page', (frame, srcdoc) => ((frame as HTMLIFrameElement).srcdoc = srcdoc), underCsp);
        const frame = await (await page.$('#page'))!.contentFrame();
        const paints = (await frame!.waitForFunction(() => {
          const entries = performance.getEntriesByType('paint');
          return entries.some((entry) => entry.name === 'first-contentful-paint') && Object.fromEntries(entries.map((entry) => [entry.name, entry.startTime]));
        })).jsonValue() as Promise<Record<string, number>>;
        const timing = await paints;
        samples[name]!.fp.push(timing['first-paint'] ?? timing['first-contentful-paint']!);
        samples[name]!.fcp.push(timing['first-contentful-paint']!);
        await page.close();
      }
      boardShown.push(await measureBoardShown(browser, html['kanban widget']!));
    }
  } finally {
    await browser.close();
  }
  return Object.keys(PAGES).map((name) => ({
    page: name,
    gzipBytes: gzipSync(html[name]!, { level: 9 }).length,
    firstPaintMs: median(samples[name]!.fp),
    firstContentfulPaintMs: median(samples[name]!.fcp),
    ...(name === 'kanban widget' ? { boardShownMs: median(boardShown) } : {}),
  }));
}

export function formatWidgetLoad(rows: PageLoad[], loads: number): string {
  const [baseline] = rows;
  const lines = [
    `Widget load: medians of ${loads} loads each, in a sandboxed srcdoc iframe under the MCP Apps default CSP`,
    `${'page'.padEnd(20)}${'gzip kB'.padStart(10)}${'first paint ms'.padStart(18)}${'first contentful ms'.padStart(22)}${'board shown ms'.padStart(18)}`,
  ];
  for (const row of rows) {
    const board = row.boardShownMs === undefined ? '—' : row.boardShownMs.toFixed(0);
    lines.push(`${row.page.padEnd(20)}${(row.gzipBytes / 1000).toFixed(1).padStart(10)}${row.firstPaintMs.toFixed(0).padStart(18)}${row.firstContentfulPaintMs.toFixed(0).padStart(22)}${board.padStart(18)}`);
  }
  const widget = rows.at(-1)!;
  lines.push(
    `${'widget / React-only'.padEnd(20)}${`${(widget.gzipBytes / baseline!.gzipBytes).toFixed(2)}×`.padStart(10)}${`${(widget.firstPaintMs / baseline!.firstPaintMs).toFixed(2)}×`.padStart(18)}${`${(widget.firstContentfulPaintMs / baseline!.firstContentfulPaintMs).toFixed(2)}×`.padStart(22)}`,
  );
  return lines.join('\n');
}
