import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BARE_SDK_BASELINES, echoRequest, formatHttpThroughput, startBaseline, type ThroughputRow } from './bench/http-throughput.ts';
import { memoryNote, residentMb } from './bench/memory.ts';
import { formatTargets, performanceTargets } from './bench/targets.ts';
import { formatWidgetLoad, measureWidgetLoad } from './bench/widget-load.ts';
import { chromiumAvailable, chromiumMissingMessage } from './support/chromium.ts';

// `pnpm bench` must keep working: its bare-SDK baselines answer in the eras they are measured in,
// its HTTP table compares each row with (a) of the same era, and one quick load of each page. The
// numbers themselves are the benchmark's business, never asserted here.

describe("pnpm bench's HTTP part", () => {
  it("reads a process's resident memory (Linux's /proc), and says so per replica (or that it is not known)", () => {
    const own = residentMb({ pid: process.pid } as ChildProcess);
    expect(own).toBeGreaterThan(10);
    expect(memoryNote('PostgreSQL ×3', [180.2, 171.6, own], [260, 250, 240])).toBe(
      `Memory (RSS) of ours on PostgreSQL ×3: 180 / 172 / ${own!.toFixed(0)} MB at idle (started, one tools/list answered), 260 / 250 / 240 MB after its load.`,
    );
    expect(memoryNote('SQLite', [undefined], [300])).toBe('Memory (RSS) of ours on SQLite: not known here at idle (started, one tools/list answered), 300 MB after its load.');
  });

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

describe("pnpm bench's targets table", () => {
  const row = (name: string, requestsPerSecond: number, p99Ms = 10): ThroughputRow => ({ name, era: '2025', requestsPerSecond, p50Ms: 1, p99Ms, failures: 0, acknowledged: 0 });

  it('reads each target off the same run: ratios against its own baselines, met or missed', () => {
    const http = {
      notes: [],
      rows: [
        row('(a) v2 SDK: echo', 1000, 10),
        row('kanban get_board, anonymous (SQLite)', 1300, 12),
        row('kanban tools/list (SQLite)', 1400),
        row('kanban create_card, signed in (SQLite)', 800),
        row('kanban get_board, anonymous (PostgreSQL)', 1000),
        row('kanban create_card, signed in (PostgreSQL)', 400, 20),
      ],
    };
    const scale = { notes: [], rows: [{ engine: 'SQLite', case: 'get_board, 5000 cards', size: 5000, medianMs: 9, p95Ms: 10, responseKb: 1 }, { engine: 'PostgreSQL', case: 'get_board, 5000 cards', size: 5000, medianMs: 16, p95Ms: 20, responseKb: 1 }], roundTrips: { getBoard: 1, createCard: 5 } };
    const table = formatTargets(performanceTargets({ http, scale }));
    expect(table).toMatch(/^anonymous get_board, SQLite ÷ \(a\)\s+≥ 1\.25×\s+1\.30×\s+met$/m);
    expect(table).toMatch(/^tools\/list, SQLite ÷ \(a\)\s+≥ 1\.50×\s+1\.40×\s+missed$/m);
    expect(table).toMatch(/^signed-in create_card, SQLite ÷ \(a\)\s+≥ 0\.75×\s+0\.80×\s+met$/m);
    expect(table).toMatch(/^get_board, PostgreSQL ÷ SQLite\s+≥ 0\.80×\s+0\.77×\s+missed$/m);
    expect(table).toMatch(/^create_card, PostgreSQL ÷ SQLite\s+≥ 0\.60×\s+0\.50×\s+missed$/m);
    expect(table).toMatch(/^p99, our worst row ÷ \(a\)'s\s+≤ 1\.50×\s+2\.00×\s+missed$/m);
    // The slower engine decides.
    expect(table).toMatch(/^get_board of 5 000 cards, slower engine\s+≤ 15\.0 ms\s+16\.0 ms\s+missed$/m);
    expect(table).toMatch(/^PostgreSQL round trips, anonymous get_board\s+≤ 1\s+1\s+met$/m);
    expect(table).toMatch(/^PostgreSQL round trips, signed-in create_card\s+≤ 4\s+5\s+missed$/m);
    // A part that did not run is said so, not counted as met or missed.
    expect(table).toMatch(/^search_cards over 100 000 cards, slower engine\s+≤ 10\.0 ms\s+—\s+not measured/m);
    expect(table).toMatch(/^widget size, gzip\s+≤ 90\.0 kB\s+—\s+not measured/m);
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
