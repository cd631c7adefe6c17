import type { HttpThroughput, ThroughputRow } from './http-throughput.ts';
import type { Scale } from './scale.ts';
import type { PageLoad } from './widget-load.ts';

// The performance issue's targets (issue 15), each read off this run's own measurements: the
// ratios are against this run's baselines, never against numbers from another day.

export interface TargetRow {
  measure: string;
  target: string;
  /** What this run measured; undefined when the part that measures it did not run. */
  measured?: string;
  met?: boolean;
}

export interface RunResults {
  http?: HttpThroughput;
  scale?: Scale;
  widget?: PageLoad[];
}

const times = (ratio: number) => `${ratio.toFixed(2)}×`;

function atLeast(measure: string, wanted: number, ratio: number | undefined, unit: (value: number) => string = times): TargetRow {
  const target = `≥ ${unit(wanted)}`;
  return ratio === undefined || Number.isNaN(ratio) ? { measure, target } : { measure, target, measured: unit(ratio), met: ratio >= wanted };
}

function atMost(measure: string, wanted: number, value: number | undefined, unit: (value: number) => string = times): TargetRow {
  const target = `≤ ${unit(wanted)}`;
  return value === undefined || Number.isNaN(value) ? { measure, target } : { measure, target, measured: unit(value), met: value <= wanted };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const kb = (value: number) => `${(value / 1000).toFixed(1)} kB`;

function httpTargets(http: HttpThroughput | undefined): TargetRow[] {
  const rows = http?.rows ?? [];
  const floor = rows.find((row) => row.era === '2025'); // (a), the bare stateless SDK echo, comes first
  const ours = (request: string, engine: string) => rows.find((row) => row.era === '2025' && row.name === `kanban ${request} (${engine})`);
  const rate = (row: ThroughputRow | undefined, of: ThroughputRow | undefined) => (row && of ? row.requestsPerSecond / of.requestsPerSecond : undefined);
  const getBoard = ours('get_board, anonymous', 'SQLite');
  const createCard = ours('create_card, signed in', 'SQLite');
  const ourRows = rows.filter((row) => row.name.startsWith('kanban '));
  const worstP99 = floor && ourRows.length > 0 ? Math.max(...ourRows.map((row) => row.p99Ms / floor.p99Ms)) : undefined;
  return [
    atLeast('anonymous get_board, SQLite ÷ (a)', 1.25, rate(getBoard, floor)),
    atLeast('tools/list, SQLite ÷ (a)', 1.5, rate(ours('tools/list', 'SQLite'), floor)),
    atLeast('signed-in create_card, SQLite ÷ (a)', 0.75, rate(createCard, floor)),
    atLeast('get_board, PostgreSQL ÷ SQLite', 0.8, rate(ours('get_board, anonymous', 'PostgreSQL'), getBoard)),
    atLeast('create_card, PostgreSQL ÷ SQLite', 0.6, rate(ours('create_card, signed in', 'PostgreSQL'), createCard)),
    atMost("p99, our worst row ÷ (a)'s", 1.5, worstP99),
  ];
}

function scaleTargets(scale: Scale | undefined): TargetRow[] {
  const rows = scale?.rows ?? [];
  const slowest = (kase: string) => {
    const found = rows.filter((row) => row.case === kase);
    return found.length === 0 ? undefined : Math.max(...found.map((row) => row.medianMs));
  };
  return [
    atMost('get_board of 5 000 cards, slower engine', 15, slowest('get_board, 5000 cards'), ms),
    atMost('search_cards over 100 000 cards, slower engine', 10, slowest('search_cards over 100 000 cards'), ms),
    atMost('move_card in a 5 000-card column, slower engine', 15, slowest('move_card in a 5 000-card column'), ms),
    atMost('PostgreSQL round trips, anonymous get_board', 1, scale?.roundTrips?.getBoard, String),
    atMost('PostgreSQL round trips, signed-in create_card', 4, scale?.roundTrips?.createCard, String),
  ];
}

function widgetTargets(widget: PageLoad[] | undefined): TargetRow[] {
  const reactOnly = widget?.[0];
  const ours = widget?.find((row) => row.page === 'kanban widget');
  return [
    atMost('widget size, gzip', 90_000, ours?.gzipBytes, kb),
    atMost('widget first paint ÷ React alone', 1.2, ours && reactOnly ? ours.firstPaintMs / reactOnly.firstPaintMs : undefined),
  ];
}

export function performanceTargets(results: RunResults): TargetRow[] {
  return [...httpTargets(results.http), ...scaleTargets(results.scale), ...widgetTargets(results.widget)];
}

export function formatTargets(rows: TargetRow[]): string {
  const lines = [
    'Targets (issue 15), from this run',
    `${'measure'.padEnd(50)}${'target'.padStart(12)}${'measured'.padStart(12)}   result`,
  ];
  for (const row of rows) {
    const result = row.met === undefined ? 'not measured (its part did not run)' : row.met ? 'met' : 'missed';
    lines.push(`${row.measure.padEnd(50)}${row.target.padStart(12)}${(row.measured ?? '—').padStart(12)}   ${result}`);
  }
  return lines.join('\n');
}
