import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { KanbanDatabase } from '../../db/database.ts';
import { openKanbanDatabase } from '../../db/open.ts';
import { configurePasswordHashing } from '../../server/auth/issuer/passwords.ts';
import { loadConfig } from '../../server/config.ts';
import { freePort, untilAnswering as answering } from '../support/child-server.ts';
import { LOAD_LIMITS, type RunningKanban } from '../support/kanban-server.ts';
import { signedInClient } from '../support/oauth-steps.ts';
import { TEST_PASSWORD_HASH_COST } from '../support/password-cost.ts';
import { onEachEngine, type EngineSetup } from './engines.ts';
import { ERAS, mcpBody, mcpHeaders, mcpRequest, type Era, type McpRequest } from './eras.ts';
import { memoryNote, residentMb } from './memory.ts';

// HTTP/MCP throughput on loopback: ours next to baselines measured in the same run, each server in
// a process of its own, the load (autocannon) in this one. (a) the v2 SDK's documented stateless
// pattern with one echo tool, in both eras; (a-v1) the v1 SDK's, which ours followed before the
// move to v2; (b) the MCP project's server-everything over Streamable HTTP calling its echo tool;
// (c) Express sending our get_board's JSON with no MCP. Ours on SQLite (in both eras), on
// PostgreSQL, and as three replicas on one PostgreSQL database. Ratios are against (a) of the same era.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EVERYTHING = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
/** Boards the create_card load of each era spreads over: at ~800 writes/s for 10 s, about 40 cards each at the end. */
const BOARDS_FOR_WRITES = 200;

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

interface Target {
  name: string;
  era: Era;
  /** Several: the connections are dealt out over them in turn. */
  urls: string[];
  headers: Record<string, string>;
  /** One body, or a new one per request. */
  body: string | (() => string);
}

/** Waits for a server to answer `request`. */
function untilAnswering(url: string, { headers, body }: McpRequest): Promise<void> {
  return answering(url, { method: 'POST', headers, body });
}

/** A 2025 request: what the bench's own set-up calls send, and what every server here answers. */
function rpc(method: string, params: Record<string, unknown>, id = 1): McpRequest {
  return mcpRequest('2025', method, params, id);
}

function startProcess(args: string[], env: Record<string, string>, root = ROOT): ChildProcess {
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
async function measureAll(targets: Target[], options: LoadOptions): Promise<ThroughputRow[]> {
  const warm = new Set<string>();
  const rows: ThroughputRow[] = [];
  for (const target of targets) {
    const server = target.urls.join(' ');
    rows.push(await measure(target, options, warm.has(server) ? options.warmupSeconds : options.freshWarmupSeconds));
    warm.add(server);
  }
  return rows;
}

async function callTool(url: string, name: string, args: Record<string, unknown>, token?: string): Promise<any> {
  const { headers, body: request } = rpc('tools/call', { name, arguments: args });
  const response = await fetch(`${url}/mcp`, { method: 'POST', headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: request });
  const body = (await response.json()) as { result?: { isError?: boolean; structuredContent?: unknown } };
  if (!body.result || body.result.isError) throw new Error(`${name} failed: ${JSON.stringify(body)}`);
  return body.result;
}

interface Deployment extends EngineSetup {
  /** Server processes on one database, the load spread over them. */
  replicas: number;
  /** Whether tools/list (no database) is measured too. */
  toolsList: boolean;
  /** The eras the load speaks: the era is the MCP layer's business, not the database's, so once is enough. */
  eras: readonly Era[];
  /** Another checkout whose server is measured (`--compare`); this one when absent. */
  root?: string;
}

/** Our 2025 get_board request and its answer, for (c). */
interface GetBoard {
  request: McpRequest;
  answer: string;
}

// With replicas, autocannon deals the connections out over them in turn (10: 4, 3 and 3).
const DEPLOYMENTS: Deployment[] = [
  { engine: 'sqlite', label: 'SQLite', replicas: 1, toolsList: true, eras: ERAS },
  { engine: 'postgres', label: 'PostgreSQL', replicas: 1, toolsList: true, eras: ['2025'] },
  { engine: 'postgres', label: 'PostgreSQL ×3', replicas: 3, toolsList: false, eras: ['2025'] },
];

/** Our rows for one deployment (its servers stopped when this returns), its get_board request and answer, and its memory. */
async function measureOurs(deployment: Deployment, databaseUrl: string, scratch: string, options: LoadOptions): Promise<{ rows: ThroughputRow[]; getBoard: GetBoard; memory: string }> {
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
      children.push(startProcess(['server/main.ts'], { NODE_ENV: 'production', PORT: new URL(url).port, PUBLIC_URL: ours, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', ...LOAD_LIMITS }, deployment.root));
      await untilAnswering(`${url}/mcp`, rpc('tools/list', {}));
    };
    // The first migrates, seeds and makes the signing keys; the others find them.
    await start(ours);
    await Promise.all(urls.slice(1).map(start));
    const idle = children.map(residentMb);

    // The bench's own handle on the servers' database: the account is made in it, as
    // `pnpm user:add` would, then signed in over HTTP; at the end the cards are counted in it.
    database = await openKanbanDatabase({ databaseFile: join(dataDir, 'kanban.sqlite'), databaseUrl: databaseUrl || undefined, databasePoolSize: 1, databaseStatementTimeoutMs: 60_000 });
    const server = { url: ours, mcpUrl: `${ours}/mcp`, runtime: { database } } as unknown as RunningKanban; // all that signedInClient uses
    const token = (await signedInClient(server)).tokens.access_token;
    const demoBoard = (await callTool(ours, 'list_boards', {})).structuredContent.boards[0].id as string;
    const getBoard = (era: Era) => mcpRequest(era, 'tools/call', { name: 'get_board', arguments: { boardId: demoBoard } });
    const getBoardRequest = getBoard('2025');
    const getBoardAnswer = await (await fetch(`${ours}/mcp`, { method: 'POST', ...getBoardRequest })).text();
    // create_card rotates over boards of its own, so that each stays the size of a real board
    // (a write answers with the whole board, and a board holds at most 5 000 cards); each era
    // over boards of its own, so that both eras' writes start from empty boards.
    const boards = new Map<Era, string[]>();
    for (const era of deployment.eras) {
      const own: string[] = [];
      for (let index = 0; index < BOARDS_FOR_WRITES; index++) own.push((await callTool(ours, 'create_board', { title: `Bench ${era} ${index}` }, token)).structuredContent.board.id);
      boards.set(era, own);
    }
    let created = 0;
    // With a requestId, as the widget sends: the retry-safety lookup and record are measured too
    // (8 characters at least, or the call is refused before it reaches the database).
    const createCardBody = (era: Era) => {
      const own = boards.get(era)!;
      return mcpBody(era, 'tools/call', { name: 'create_card', arguments: { boardId: own[created % own.length], title: `Bench card ${++created}`, requestId: `bench-request-${created}` } });
    };

    // Each kind of request in each era, the eras side by side.
    const mcpUrls = urls.map((url) => `${url}/mcp`);
    const label = deployment.label;
    const targets: (Target & { writes?: true })[] = deployment.eras.map((era) => ({ name: `kanban get_board, anonymous (${label})`, era, urls: mcpUrls, ...getBoard(era) }));
    for (const era of deployment.eras) {
      const headers = { ...mcpHeaders(era, 'tools/call', 'create_card'), authorization: `Bearer ${token}` };
      targets.push({ name: `kanban create_card, signed in (${label})`, era, urls: mcpUrls, headers, body: () => createCardBody(era), writes: true });
    }
    if (deployment.toolsList) for (const era of deployment.eras) targets.push({ name: `kanban tools/list (${label})`, era, urls: mcpUrls, ...mcpRequest(era, 'tools/list', {}) });
    const rows = await measureAll(targets, options);
    const memory = memoryNote(deployment.label, idle, children.map(residentMb));

    // Every acknowledged create_card is a card (nothing counted that did not happen); requests
    // still in flight when the load stopped may or may not have been stored.
    stop();
    const cards = (await database.query<{ n: number }>("select count(*) as n from cards where title like 'Bench card %'"))[0]!.n;
    const acknowledged = rows.filter((_, index) => targets[index]!.writes).reduce((sum, row) => sum + row.acknowledged, 0);
    if (cards < acknowledged || cards > created) throw new Error(`create_card (${deployment.label}): ${acknowledged} acknowledged and ${created} sent, but ${cards} cards stored`);
    return { rows, getBoard: { request: getBoardRequest, answer: getBoardAnswer }, memory };
  } finally {
    stop();
    await database?.close();
  }
}

/** The bare-SDK baselines, each measured in the eras it serves; ratios are against (a) of their era. */
export const BARE_SDK_BASELINES: { name: string; script: string; eras: readonly Era[] }[] = [
  { name: '(a) v2 SDK: echo', script: 'test/bench/servers/bare-sdk-v2.ts', eras: ERAS },
  { name: '(a-v1) v1 SDK: echo', script: 'test/bench/servers/bare-sdk-v1.ts', eras: ['2025'] },
];

export function echoRequest(era: Era, id = 1): McpRequest {
  return mcpRequest(era, 'tools/call', { name: 'echo', arguments: { message: 'hello' } }, id);
}

/** Starts a server process (pushed onto `children` at once, for the caller to kill) and returns its /mcp URL once it answers `probe`. */
export async function startBaseline(children: ChildProcess[], args: string[], probe: McpRequest, env: Record<string, string> = {}): Promise<string> {
  const port = await freePort();
  children.push(startProcess(args, { ...env, PORT: String(port) }));
  const url = `http://127.0.0.1:${port}/mcp`;
  await untilAnswering(url, probe);
  return url;
}

/** The baselines, (c) answering our get_board request with our answer. */
async function measureBaselines(getBoard: GetBoard, scratch: string, options: LoadOptions): Promise<ThroughputRow[]> {
  const children: ChildProcess[] = [];
  try {
    const targets: Target[] = [];
    for (const { name, script, eras } of BARE_SDK_BASELINES) {
      const url = await startBaseline(children, [script], echoRequest('2025'));
      for (const era of eras) targets.push({ name, era, urls: [url], ...echoRequest(era) });
    }

    // (b) server-everything: stateful, so one session is initialized first.
    const initialize = rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } });
    const everythingUrl = await startBaseline(children, [EVERYTHING, 'streamableHttp'], initialize);
    const session = await fetch(everythingUrl, { method: 'POST', ...initialize });
    await session.text();
    const sessionHeaders = { ...initialize.headers, 'mcp-session-id': session.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
    await (await fetch(everythingUrl, { method: 'POST', headers: sessionHeaders, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    // One session for all connections: each request needs an id of its own (the stateful
    // transport routes answers by id), and it answers over SSE, as it does for its clients.
    let everythingId = 0;
    targets.push({ name: '(b) server-everything: echo', era: '2025', urls: [everythingUrl], headers: sessionHeaders, body: () => echoRequest('2025', ++everythingId).body });

    // (c) the JSON of our get_board without MCP.
    const bodyFile = join(scratch, 'get-board.json');
    writeFileSync(bodyFile, getBoard.answer);
    const plainUrl = await startBaseline(children, ['test/bench/servers/plain-json.ts'], getBoard.request, { BODY_FILE: bodyFile });
    targets.push({ name: '(c) Express JSON, no MCP', era: '2025', urls: [plainUrl], ...getBoard.request });

    const rows = await measureAll(targets, options);
    return rows;
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}

export interface HttpThroughput {
  /** The baselines first: ratios are against the first row of each era, (a) in that era. */
  rows: ThroughputRow[];
  /** Lines for under the table: PostgreSQL's rolled-back transactions, or why its rows were skipped. */
  notes: string[];
}

/**
 * Our server as another checkout has it (built, its packages installed: a worktree of an earlier
 * commit), on SQLite right after ours: a before and after within one run, against the same (a).
 * In the 2025 era only, which every version of ours speaks; its database must be ours' schema.
 */
function comparedDeployment(dir: string): Deployment {
  const root = resolve(dir);
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  return { engine: 'sqlite', label: `SQLite, ${commit}`, replicas: 1, toolsList: true, eras: ['2025'], root };
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
