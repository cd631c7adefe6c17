import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { KanbanDatabase } from '../../db/database.ts';
import { openKanbanDatabase } from '../../db/open.ts';
import { freePort, untilAnswering as answering } from '../support/child-server.ts';
import type { RunningKanban } from '../support/kanban-server.ts';
import { signedInClient } from '../support/oauth-steps.ts';
import { onEachEngine, type EngineSetup } from './engines.ts';

// HTTP/MCP throughput on loopback: ours next to baselines measured in the same run, each server in
// a process of its own, the load (autocannon) in this one. (a) the SDK's own stateless pattern
// with one echo tool, (b) the MCP project's server-everything over Streamable HTTP calling its
// echo tool, (c) Express sending our get_board's JSON with no MCP. Ours on SQLite, on PostgreSQL,
// and as three replicas on one PostgreSQL database.

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
  /** Answers that were not 2xx or were tool errors (a busy database), plus socket errors and timeouts: must be 0. */
  failures: number;
  /** 2xx answers that were not tool errors, warm-up included. */
  acknowledged: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

interface Target {
  name: string;
  /** Several: the connections are dealt out over them in turn. */
  urls: string[];
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
    // autocannon takes several URLs (its README); its types know only one.
    url: (target.urls.length === 1 ? target.urls[0] : target.urls) as string,
    connections,
    duration: seconds,
    requests: [{ method: 'POST', headers: target.headers, ...(typeof body === 'string' ? { body } : { setupRequest: (request) => ({ ...request, body: body() }) }) }],
    // A busy database answers 200 with a tool error: a failure all the same.
    verifyBody: (text) => !String(text).includes('"isError":true'),
  });
}

async function measure(target: Target, options: LoadOptions): Promise<ThroughputRow> {
  const warmUp = await load(target, options.connections, options.warmupSeconds); // discarded: JIT, caches, database pages
  const result = await load(target, options.connections, options.seconds);
  return {
    name: target.name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts + result.mismatches,
    acknowledged: warmUp['2xx'] - warmUp.mismatches + result['2xx'] - result.mismatches,
  };
}

async function callTool(url: string, name: string, args: Record<string, unknown>, token?: string): Promise<any> {
  const response = await fetch(`${url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: rpc('tools/call', { name, arguments: args }) });
  const body = (await response.json()) as { result?: { isError?: boolean; structuredContent?: unknown } };
  if (!body.result || body.result.isError) throw new Error(`${name} failed: ${JSON.stringify(body)}`);
  return body.result;
}

interface Deployment extends EngineSetup {
  /** Server processes on one database, the load spread over them. */
  replicas: number;
  /** Whether tools/list (no database) is measured too. */
  toolsList: boolean;
}

interface GetBoard {
  body: string;
  answer: string;
}

// With replicas, autocannon deals the connections out over them in turn (10: 4, 3 and 3).
const DEPLOYMENTS: Deployment[] = [
  { engine: 'sqlite', label: 'SQLite', replicas: 1, toolsList: true },
  { engine: 'postgres', label: 'PostgreSQL', replicas: 1, toolsList: true },
  { engine: 'postgres', label: 'PostgreSQL ×3', replicas: 3, toolsList: false },
];

/** Our rows for one deployment (its servers stopped when this returns), and its get_board request and answer. */
async function measureOurs(deployment: Deployment, databaseUrl: string, scratch: string, options: LoadOptions): Promise<{ rows: ThroughputRow[]; getBoard: GetBoard }> {
  const children: ChildProcess[] = [];
  const stop = () => children.forEach((child) => child.kill('SIGKILL'));
  const dataDir = mkdtempSync(join(scratch, 'data-'));
  let database: KanbanDatabase | undefined;
  try {
    // As in production (JSON log lines at info, to nowhere: their cost is counted). Replicas share
    // one public URL, as behind a load balancer: tokens are issued for it.
    const urls = (await Promise.all(Array.from({ length: deployment.replicas }, () => freePort()))).map((port) => `http://127.0.0.1:${port}`);
    const ours = urls[0]!;
    const start = async (url: string) => {
      children.push(startProcess(['server/main.ts'], { NODE_ENV: 'production', PORT: new URL(url).port, PUBLIC_URL: ours, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' }));
      await untilAnswering(`${url}/mcp`, rpc('tools/list', {}));
    };
    // The first migrates, seeds and makes the signing keys; the others find them.
    await start(ours);
    await Promise.all(urls.slice(1).map(start));

    // The bench's own handle on the servers' database: the account is made in it, as
    // `pnpm user:add` would, then signed in over HTTP; at the end the cards are counted in it.
    database = await openKanbanDatabase({ databaseFile: join(dataDir, 'kanban.sqlite'), databaseUrl: databaseUrl || undefined, databasePoolSize: 1, databaseStatementTimeoutMs: 60_000 });
    const server = { url: ours, mcpUrl: `${ours}/mcp`, runtime: { database } } as unknown as RunningKanban; // all that signedInClient uses
    const token = (await signedInClient(server)).tokens.access_token;
    const demoBoard = (await callTool(ours, 'list_boards', {})).structuredContent.boards[0].id as string;
    const getBoardBody = rpc('tools/call', { name: 'get_board', arguments: { boardId: demoBoard } });
    const getBoardAnswer = await (await fetch(`${ours}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: getBoardBody })).text();
    // create_card rotates over boards of its own, so that each stays the size of a real board
    // (a write answers with the whole board, and a board holds at most 5 000 cards).
    const boards: string[] = [];
    for (let index = 0; index < BOARDS_FOR_WRITES; index++) boards.push((await callTool(ours, 'create_board', { title: `Bench ${index}` }, token)).structuredContent.board.id);
    let created = 0;
    // With a requestId, as the widget sends: the retry-safety lookup and record are measured too
    // (8 characters at least, or the call is refused before it reaches the database).
    const createCardBody = () => rpc('tools/call', { name: 'create_card', arguments: { boardId: boards[created % boards.length], title: `Bench card ${++created}`, requestId: `bench-request-${created}` } });

    const mcpUrls = urls.map((url) => `${url}/mcp`);
    const targets: Target[] = [
      { name: `kanban get_board, anonymous (${deployment.label})`, urls: mcpUrls, headers: MCP_HEADERS, body: getBoardBody },
      { name: `kanban create_card, signed in (${deployment.label})`, urls: mcpUrls, headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` }, body: createCardBody },
    ];
    if (deployment.toolsList) targets.push({ name: `kanban tools/list (${deployment.label})`, urls: mcpUrls, headers: MCP_HEADERS, body: rpc('tools/list', {}) });
    const rows: ThroughputRow[] = [];
    for (const target of targets) rows.push(await measure(target, options));

    // Every acknowledged create_card is a card (nothing counted that did not happen); requests
    // still in flight when the load stopped may or may not have been stored.
    stop();
    const cards = (await database.query<{ n: number }>("select count(*) as n from cards where title like 'Bench card %'"))[0]!.n;
    const acknowledged = rows[1]!.acknowledged;
    if (cards < acknowledged || cards > created) throw new Error(`create_card (${deployment.label}): ${acknowledged} acknowledged and ${created} sent, but ${cards} cards stored`);
    return { rows, getBoard: { body: getBoardBody, answer: getBoardAnswer } };
  } finally {
    stop();
    await database?.close();
  }
}

/** The baselines, (c) answering our get_board request with our answer. */
async function measureBaselines(getBoard: GetBoard, scratch: string, options: LoadOptions): Promise<ThroughputRow[]> {
  const children: ChildProcess[] = [];
  try {
    // (a) the bare SDK, (c) the JSON of our get_board without MCP.
    const barePort = await freePort();
    children.push(startProcess(['test/bench/servers/bare-sdk.ts'], { PORT: String(barePort) }));
    const bareUrl = `http://127.0.0.1:${barePort}/mcp`;
    const echoBody = rpc('tools/call', { name: 'echo', arguments: { message: 'hello' } });
    await untilAnswering(bareUrl, echoBody);
    const bodyFile = join(scratch, 'get-board.json');
    writeFileSync(bodyFile, getBoard.answer);
    const plainPort = await freePort();
    children.push(startProcess(['test/bench/servers/plain-json.ts'], { PORT: String(plainPort), BODY_FILE: bodyFile }));
    const plainUrl = `http://127.0.0.1:${plainPort}/mcp`;
    await untilAnswering(plainUrl, getBoard.body);

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
      { name: '(a) bare SDK: echo', urls: [bareUrl], headers: MCP_HEADERS, body: echoBody },
      { name: '(b) server-everything: echo', urls: [everythingUrl], headers: sessionHeaders, body: everythingEcho },
      { name: '(c) Express JSON, no MCP', urls: [plainUrl], headers: MCP_HEADERS, body: getBoard.body },
    ];
    const rows: ThroughputRow[] = [];
    for (const target of targets) rows.push(await measure(target, options));
    return rows;
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}

export interface HttpThroughput {
  /** The baselines first: ratios are against the first row, (a). */
  rows: ThroughputRow[];
  /** Lines for under the table: PostgreSQL's rolled-back transactions, or why its rows were skipped. */
  notes: string[];
}

export async function measureHttpThroughput(options: LoadOptions): Promise<HttpThroughput> {
  const scratch = mkdtempSync(join(tmpdir(), 'kanban-bench-http-'));
  try {
    // One deployment at a time, then the baselines (whose (c) needs our get_board's answer).
    const ours = await onEachEngine(DEPLOYMENTS, (deployment, databaseUrl) => measureOurs(deployment, databaseUrl, scratch, options));
    const baselines = await measureBaselines(ours.results[0]!.getBoard, scratch, options);
    return { rows: [...baselines, ...ours.results.flatMap((result) => result.rows)], notes: ours.notes };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function formatHttpThroughput({ rows, notes }: HttpThroughput, options: LoadOptions): string {
  const baseline = rows[0]!;
  const lines = [
    `HTTP/MCP throughput: ${options.connections} connections, ${options.seconds} s after ${options.warmupSeconds} s of warm-up, loopback, each server its own process`,
    `${'target'.padEnd(48)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'req/s ÷ (a)'.padStart(13)}${'p99 ÷ (a)'.padStart(11)}${'failed'.padStart(8)}`,
  ];
  for (const row of rows) {
    lines.push(
      `${row.name.padEnd(48)}${row.requestsPerSecond.toFixed(0).padStart(9)}${row.p50Ms.toFixed(1).padStart(9)}${row.p99Ms.toFixed(1).padStart(9)}` +
        `${`${(row.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}×`.padStart(13)}${`${(row.p99Ms / baseline.p99Ms).toFixed(2)}×`.padStart(11)}${String(row.failures).padStart(8)}`,
    );
  }
  return [...lines, ...notes].join('\n');
}
