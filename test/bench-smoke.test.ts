import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BARE_SDK_BASELINES, echoRequest, formatHttpThroughput, startBaseline, type ThroughputRow } from './bench/http-throughput.ts';
import { formatWidgetLoad, measureWidgetLoad } from './bench/widget-load.ts';
import { chromiumAvailable, chromiumMissingMessage } from './support/chromium.ts';

// `pnpm bench` must keep working: its bare-SDK baselines answer in the eras they are measured in,
// its HTTP table compares each row with (a) of the same era, and one quick load of each page. The
// numbers themselves are the benchmark's business, never asserted here.

describe("pnpm bench's HTTP part", () => {
  it.each(BARE_SDK_BASELINES)('$name answers the echo in each era it is measured in', async ({ script, eras }) => {
    const children: ChildProcess[] = [];
    try {
      const url = await startBaseline(children, [script], echoRequest('2025'));
      for (const era of eras) {
        const response = await fetch(url, { method: 'POST', ...echoRequest(era) });
        expect(response.status, era).toBe(200);
        expect(await response.text(), era).toContain('"text":"hello"');
      }
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  });

  it('compares each row with (a) of its own era', () => {
    const row = (name: string, era: ThroughputRow['era'], requestsPerSecond: number): ThroughputRow => ({ name, era, requestsPerSecond, p50Ms: 1, p99Ms: 10, failures: 0, acknowledged: 0 });
    const rows = [row('(a) 2025', '2025', 2000), row('(a) 2026', '2026-07-28', 1000), row('ours 2025', '2025', 1000), row('ours 2026', '2026-07-28', 500)];
    const table = formatHttpThroughput({ rows, notes: [] }, { connections: 1, seconds: 1, warmupSeconds: 1, freshWarmupSeconds: 1 });
    expect(table).toMatch(/^ours 2025 .*0\.50×/m);
    expect(table).toMatch(/^ours 2026 .*0\.50×/m);
  });
});

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
