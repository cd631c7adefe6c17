import { describe, expect, it } from 'vitest';
import { formatWidgetLoad, measureWidgetLoad } from './bench/widget-load.ts';
import { chromiumAvailable, chromiumMissingMessage } from './support/chromium.ts';

// `pnpm bench` must keep working: one quick load of each page, and the table it prints. The
// numbers themselves are the benchmark's business, never asserted here.

describe.skipIf(!chromiumAvailable)(`pnpm bench's widget load${chromiumAvailable ? '' : ` (skipped: ${chromiumMissingMessage})`}`, () => {
  it('builds both pages, loads each in Chromium, and prints size, paints and ratios', async () => {
    const rows = await measureWidgetLoad(1);
    expect(rows.map((row) => row.page)).toEqual(['React-only hello', 'kanban widget']);
    for (const row of rows) {
      expect(row.gzipBytes).toBeGreaterThan(10_000);
      expect(row.firstPaintMs).toBeGreaterThan(0);
      expect(row.firstContentfulPaintMs).toBeGreaterThanOrEqual(row.firstPaintMs);
    }
    expect(rows[1]!.boardShownMs).toBeGreaterThan(0);
    // The widget carries React and more: the baseline is really the smaller page.
    expect(rows[1]!.gzipBytes).toBeGreaterThan(rows[0]!.gzipBytes);
    expect(formatWidgetLoad(rows, 1)).toMatch(/^widget \/ React-only\s+\d+\.\d\d×\s+\d+\.\d\d×\s+\d+\.\d\d×$/m);
  }, 60_000);
});
