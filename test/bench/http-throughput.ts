import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configurePasswordHashing } from '../../server/auth/issuer/passwords.ts';
import { loadConfig } from '../../server/config.ts';
import { LOAD_LIMITS } from '../support/kanban-server.ts';
import { TEST_PASSWORD_HASH_COST } from '../support/password-cost.ts';
import { onEachEngine } from './engines.ts';
import type { Era } from './eras.ts';
import { measureBaselines } from './http-baselines.ts';
import type { LoadOptions, ThroughputRow } from './http-load.ts';
import { comparedDeployment, DEPLOYMENTS, measureOurs } from './http-ours.ts';

// HTTP/MCP throughput on loopback: ours next to baselines measured in the same run, each server in
// a process of its own, the load (autocannon) in this one. (a) the v2 SDK's documented stateless
// pattern with one echo tool, in both eras; (a-v1) the v1 SDK's, which ours followed before the
// move to v2; (b) the MCP project's server-everything over Streamable HTTP calling its echo tool;
// (c) Express sending our get_board's JSON with no MCP. Ours on SQLite (in both eras), on
// PostgreSQL, and as three replicas on one PostgreSQL database. Ratios are against (a) of the same era.
// The load itself is http-load.ts, our deployments http-ours.ts, the baselines http-baselines.ts.

export { BARE_SDK_BASELINES, echoRequest, startBaseline } from './http-baselines.ts';
export type { LoadOptions, ThroughputRow } from './http-load.ts';

export interface HttpThroughput {
  /** The baselines first: ratios are against the first row of each era, (a) in that era. */
  rows: ThroughputRow[];
  /** Lines for under the table: PostgreSQL's rolled-back transactions, or why its rows were skipped. */
  notes: string[];
}

export async function measureHttpThroughput(options: LoadOptions, compareRoot?: string): Promise<HttpThroughput> {
  const scratch = mkdtempSync(join(tmpdir(), 'kanban-bench-http-'));
  const deployments = compareRoot ? [DEPLOYMENTS[0]!, comparedDeployment(compareRoot), ...DEPLOYMENTS.slice(1)] : DEPLOYMENTS;
  // This process hashes the bench account's password at the tests' cost: a checkout from before
  // the cost rose (scrypt capped at 64 MiB there) can still check it; ours raises it at sign-in.
  configurePasswordHashing({ ...loadConfig().signIn, hashCost: Number(TEST_PASSWORD_HASH_COST) });
  try {
    // One deployment at a time, then the baselines (whose (c) needs our get_board's answer).
    const ours = await onEachEngine(deployments, (deployment, databaseUrl) => measureOurs(deployment, databaseUrl, scratch, options));
    const baselines = await measureBaselines(ours.results[0]!.getBoard, scratch, options);
    // One user on one address, far past the default budgets: raised, so the rows measure the app (budgets still counted).
    const limits = `Our servers ran with ${Object.entries(LOAD_LIMITS).map(([name, value]) => `${name}=${value}`).join(', ')}: the load is one user on one address, far past the default budgets; each request is still counted.`;
    return { rows: [...baselines, ...ours.results.flatMap((result) => result.rows)], notes: [...ours.notes, ...ours.results.map((result) => result.memory), limits] };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function formatHttpThroughput({ rows, notes }: HttpThroughput, options: LoadOptions): string {
  // (a) comes first in each era: every row is compared with the same era's.
  const baselines = new Map<Era, ThroughputRow>();
  for (const row of rows) if (!baselines.has(row.era)) baselines.set(row.era, row);
  const lines = [
    `HTTP/MCP throughput: ${options.connections} connections, ${options.seconds} s after ${options.warmupSeconds} s of warm-up (${options.freshWarmupSeconds} s for a server's first target), loopback, each server its own process`,
    `${'target'.padEnd(52)}${'era'.padEnd(12)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'req/s ÷ (a)'.padStart(13)}${'p99 ÷ (a)'.padStart(11)}${'failed'.padStart(8)}`,
  ];
  for (const row of rows) {
    const baseline = baselines.get(row.era)!;
    lines.push(
      `${row.name.padEnd(52)}${row.era.padEnd(12)}${row.requestsPerSecond.toFixed(0).padStart(9)}${row.p50Ms.toFixed(1).padStart(9)}${row.p99Ms.toFixed(1).padStart(9)}` +
        `${`${(row.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}×`.padStart(13)}${`${(row.p99Ms / baseline.p99Ms).toFixed(2)}×`.padStart(11)}${String(row.failures).padStart(8)}`,
    );
  }
  return [...lines, ...notes].join('\n');
}
