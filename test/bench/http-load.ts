import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { untilAnswering as answering } from '../support/child-server.ts';
import { mcpRequest, type Era, type McpRequest } from './eras.ts';

// The load of the HTTP part: autocannon against one target at a time (a warm-up, then the
// measured run), and the few helpers every server process of the part is started and probed with.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ThroughputRow {
  name: string;
  era: Era;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not 2xx or were tool errors (a busy database), plus socket errors and timeouts: must be 0. */
  failures: number;
  /** 2xx answers that were not tool errors, warm-up included. */
  acknowledged: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** The warm-up of a server process's first target: a fresh Node process takes about 8 s of load to reach its pace (after 2 s, 20–40 % short of it). */
  freshWarmupSeconds: number;
}

export interface Target {
  name: string;
  era: Era;
  /** Several: the connections are dealt out over them in turn. */
  urls: string[];
  headers: Record<string, string>;
  /** One body, or a new one per request. */
  body: string | (() => string);
}

/** Waits for a server to answer `request`. */
export function untilAnswering(url: string, { headers, body }: McpRequest): Promise<void> {
  return answering(url, { method: 'POST', headers, body });
}

/** A 2025 request: what the bench's own set-up calls send, and what every server here answers. */
export function rpc(method: string, params: Record<string, unknown>, id = 1): McpRequest {
  return mcpRequest('2025', method, params, id);
}

export function startProcess(args: string[], env: Record<string, string>, root = ROOT): ChildProcess {
  return spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'ignore' });
}

async function load(target: Target, connections: number, seconds: number): Promise<autocannon.Result> {
  const body = target.body;
  return autocannon({
    // autocannon takes several URLs (its README); its types know only one.
    url: (target.urls.length === 1 ? target.urls[0] : target.urls) as string,
    connections,
    duration: seconds,
    requests: [{ method: 'POST', headers: target.headers, ...(typeof body === 'string' ? { body } : { setupRequest: (request) => ({ ...request, body: body() }) }) }],
    // A busy database answers 200 with a tool error: a failure all the same.
    verifyBody: (text) => !String(text).includes('"isError":true'),
  });
}

async function measure(target: Target, options: LoadOptions, warmupSeconds: number): Promise<ThroughputRow> {
  const warmUp = await load(target, options.connections, warmupSeconds); // discarded: JIT, caches, database pages
  const result = await load(target, options.connections, options.seconds);
  return {
    name: target.name,
    era: target.era,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts + result.mismatches,
    acknowledged: warmUp['2xx'] - warmUp.mismatches + result['2xx'] - result.mismatches,
  };
}

/** Measures the targets in turn, each server's first one after the longer warm-up. */
export async function measureAll(targets: Target[], options: LoadOptions): Promise<ThroughputRow[]> {
  const warm = new Set<string>();
  const rows: ThroughputRow[] = [];
  for (const target of targets) {
    const server = target.urls.join(' ');
    rows.push(await measure(target, options, warm.has(server) ? options.warmupSeconds : options.freshWarmupSeconds));
    warm.add(server);
  }
  return rows;
}
