import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { freePort, untilAnswering as answering } from '../support/child-server.ts';
import { signInToChildServer } from '../support/oauth-steps.ts';

// HTTP/MCP throughput on loopback: ours next to baselines measured in the same run, each server in
// a process of its own, the load (autocannon) in this one. (a) the SDK's own stateless pattern
// with one echo tool, (b) the MCP project's server-everything over Streamable HTTP calling its
// echo tool, (c) Express sending our get_board's JSON with no MCP.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EVERYTHING = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
/** Boards the create_card load spreads over: at ~800 writes/s for 10 s, about 40 cards each at the end. */
const BOARDS_FOR_WRITES = 200;

export interface ThroughputRow {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not 2xx, plus socket errors and timeouts: must be 0. */
  failures: number;
  /** 2xx answers, warm-up included. */
  acknowledged: number;
}

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** One body, or a new one per request. */
  body: string | (() => string);
}

/** Waits for a server to answer POSTs of `body`. */
function untilAnswering(url: string, body: string, headers: Record<string, string> = MCP_HEADERS): Promise<void> {
  return answering(url, { method: 'POST', headers, body });
}

function rpc(method: string, params: Record<string, unknown>, id = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

function startProcess(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
}

async function load(target: Target, connections: number, seconds: number): Promise<autocannon.Result> {
  const body = target.body;
  return autocannon({
    url: target.url,
    connections,
    duration: seconds,
    requests: [{ method: 'POST', headers: target.headers, ...(typeof body === 'string' ? { body } : { setupRequest: (request) => ({ ...request, body: body() }) }) }],
  });
}

async function measure(target: Target, options: { connections: number; seconds: number; warmupSeconds: number }): Promise<ThroughputRow> {
  const warmUp = await load(target, options.connections, options.warmupSeconds); // discarded: JIT, caches, SQLite pages
  const result = await load(target, options.connections, options.seconds);
  return {
    name: target.name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    acknowledged: warmUp['2xx'] + result['2xx'],
  };
}

async function callTool(url: string, name: string, args: Record<string, unknown>, token?: string): Promise<any> {
  const response = await fetch(`${url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: rpc('tools/call', { name, arguments: args }) });
  const body = (await response.json()) as { result?: { isError?: boolean; structuredContent?: unknown } };
  if (!body.result || body.result.isError) throw new Error(`${name} failed: ${JSON.stringify(body)}`);
  return body.result;
}

export async function measureHttpThroughput(options: { connections: number; seconds: number; warmupSeconds: number }): Promise<ThroughputRow[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'kanban-bench-http-'));
  const children: ChildProcess[] = [];
  try {
    // Ours, as in production (JSON log lines at info, to nowhere: their cost is counted).
    const ourPort = await freePort();
    const ours = `http://127.0.0.1:${ourPort}`;
    const dataDir = join(scratch, 'data');
    children.push(startProcess(['server/main.ts'], { NODE_ENV: 'production', PORT: String(ourPort), PUBLIC_URL: ours, DATA_DIR: dataDir, LOG_LEVEL: 'info' }));
    await untilAnswering(`${ours}/mcp`, rpc('tools/list', {}));
    const token = await signInToChildServer(ours, dataDir, 'bench');
    const demoBoard = (await callTool(ours, 'list_boards', {})).structuredContent.boards[0].id as string;
    const getBoardBody = rpc('tools/call', { name: 'get_board', arguments: { boardId: demoBoard } });
    // create_card rotates over boards of its own, so that each stays the size of a real board
    // (a write answers with the whole board, and a board holds at most 5 000 cards).
    const boards: string[] = [];
    for (let index = 0; index < BOARDS_FOR_WRITES; index++) boards.push((await callTool(ours, 'create_board', { title: `Bench ${index}` }, token)).structuredContent.board.id);
    let created = 0;
    // With a requestId, as the widget sends: the retry-safety lookup and record are measured too.
    const createCardBody = () => rpc('tools/call', { name: 'create_card', arguments: { boardId: boards[created % boards.length], title: `Bench card ${++created}`, requestId: `bench-${created}` } });

    // (a) the bare SDK, (c) the JSON of our get_board without MCP.
    const barePort = await freePort();
    children.push(startProcess(['test/bench/servers/bare-sdk.ts'], { PORT: String(barePort) }));
    const bareUrl = `http://127.0.0.1:${barePort}/mcp`;
    const echoBody = rpc('tools/call', { name: 'echo', arguments: { message: 'hello' } });
    await untilAnswering(bareUrl, echoBody);
    const bodyFile = join(scratch, 'get-board.json');
    writeFileSync(bodyFile, await (await fetch(`${ours}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: getBoardBody })).text());
    const plainPort = await freePort();
    children.push(startProcess(['test/bench/servers/plain-json.ts'], { PORT: String(plainPort), BODY_FILE: bodyFile }));
    const plainUrl = `http://127.0.0.1:${plainPort}/mcp`;
    await untilAnswering(plainUrl, getBoardBody);

    // (b) server-everything: stateful, so one session is initialized first.
    const everythingPort = await freePort();
    children.push(startProcess([EVERYTHING, 'streamableHttp'], { PORT: String(everythingPort) }));
    const everythingUrl = `http://127.0.0.1:${everythingPort}/mcp`;
    const initialize = rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } });
    await untilAnswering(everythingUrl, initialize);
    const session = await fetch(everythingUrl, { method: 'POST', headers: MCP_HEADERS, body: initialize });
    await session.text();
    const sessionHeaders = { ...MCP_HEADERS, 'mcp-session-id': session.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
    await (await fetch(everythingUrl, { method: 'POST', headers: sessionHeaders, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();

    // One session for all connections: each request needs an id of its own (the stateful
    // transport routes answers by id), and it answers over SSE, as it does for its clients.
    let everythingId = 0;
    const everythingEcho = () => rpc('tools/call', { name: 'echo', arguments: { message: 'hello' } }, ++everythingId);
    const targets: Target[] = [
      { name: '(a) bare SDK: echo', url: bareUrl, headers: MCP_HEADERS, body: echoBody },
      { name: '(b) server-everything: echo', url: everythingUrl, headers: sessionHeaders, body: everythingEcho },
      { name: '(c) Express JSON, no MCP', url: plainUrl, headers: MCP_HEADERS, body: getBoardBody },
      { name: 'kanban get_board, anonymous', url: `${ours}/mcp`, headers: MCP_HEADERS, body: getBoardBody },
      { name: 'kanban create_card, signed in', url: `${ours}/mcp`, headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` }, body: createCardBody },
      { name: 'kanban tools/list', url: `${ours}/mcp`, headers: MCP_HEADERS, body: rpc('tools/list', {}) },
    ];
    const rows: ThroughputRow[] = [];
    for (const target of targets) rows.push(await measure(target, options));

    // Every acknowledged create_card is a card (nothing counted that did not happen); requests
    // still in flight when the load stopped may or may not have been stored.
    const database = new Database(join(dataDir, 'kanban.sqlite'), { readonly: true });
    const cards = (database.prepare("select count(*) as n from cards where title like 'Bench card %'").get() as { n: number }).n;
    database.close();
    const acknowledged = rows.find((row) => row.name.startsWith('kanban create_card'))!.acknowledged;
    if (cards < acknowledged || cards > created) throw new Error(`create_card: ${acknowledged} acknowledged and ${created} sent, but ${cards} cards stored`);
    return rows;
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function formatHttpThroughput(rows: ThroughputRow[], options: { connections: number; seconds: number; warmupSeconds: number }): string {
  const baseline = rows[0]!;
  const lines = [
    `HTTP/MCP throughput: ${options.connections} connections, ${options.seconds} s after ${options.warmupSeconds} s of warm-up, loopback, each server its own process`,
    `${'target'.padEnd(32)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'req/s ÷ (a)'.padStart(13)}${'p99 ÷ (a)'.padStart(11)}${'failed'.padStart(8)}`,
  ];
  for (const row of rows) {
    lines.push(
      `${row.name.padEnd(32)}${row.requestsPerSecond.toFixed(0).padStart(9)}${row.p50Ms.toFixed(1).padStart(9)}${row.p99Ms.toFixed(1).padStart(9)}` +
        `${`${(row.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}×`.padStart(13)}${`${(row.p99Ms / baseline.p99Ms).toFixed(2)}×`.padStart(11)}${String(row.failures).padStart(8)}`,
    );
  }
  return lines.join('\n');
}
