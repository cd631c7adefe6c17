import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KanbanDatabase } from '../../db/database.ts';
import { openKanbanDatabase } from '../../db/open.ts';
import { freePort } from '../support/child-server.ts';
import { LOAD_LIMITS, type RunningKanban } from '../support/kanban-server.ts';
import { signedInClient } from '../support/oauth-steps.ts';
import type { EngineSetup } from './engines.ts';
import { ERAS, mcpBody, mcpHeaders, mcpRequest, type Era, type McpRequest } from './eras.ts';
import { measureAll, rpc, startProcess, untilAnswering, type LoadOptions, type Target, type ThroughputRow } from './http-load.ts';
import { memoryNote, residentMb } from './memory.ts';

// Our server under the HTTP part's load: on SQLite (in both eras), on PostgreSQL, and as three
// replicas on one PostgreSQL database, each replica a process of its own.

/** Boards the create_card load of each era spreads over: at ~800 writes/s for 10 s, about 40 cards each at the end. */
const BOARDS_FOR_WRITES = 200;

async function callTool(url: string, name: string, args: Record<string, unknown>, token?: string): Promise<any> {
  const { headers, body: request } = rpc('tools/call', { name, arguments: args });
  const response = await fetch(`${url}/mcp`, { method: 'POST', headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: request });
  const body = (await response.json()) as { result?: { isError?: boolean; structuredContent?: unknown } };
  if (!body.result || body.result.isError) throw new Error(`${name} failed: ${JSON.stringify(body)}`);
  return body.result;
}

export interface Deployment extends EngineSetup {
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
export interface GetBoard {
  request: McpRequest;
  answer: string;
}

// With replicas, autocannon deals the connections out over them in turn (10: 4, 3 and 3).
export const DEPLOYMENTS: Deployment[] = [
  { engine: 'sqlite', label: 'SQLite', replicas: 1, toolsList: true, eras: ERAS },
  { engine: 'postgres', label: 'PostgreSQL', replicas: 1, toolsList: true, eras: ['2025'] },
  { engine: 'postgres', label: 'PostgreSQL ×3', replicas: 3, toolsList: false, eras: ['2025'] },
];

/** Our rows for one deployment (its servers stopped when this returns), its get_board request and answer, and its memory. */
export async function measureOurs(deployment: Deployment, databaseUrl: string, scratch: string, options: LoadOptions): Promise<{ rows: ThroughputRow[]; getBoard: GetBoard; memory: string }> {
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

/**
 * Our server as another checkout has it (built, its packages installed: a worktree of an earlier
 * commit), on SQLite right after ours: a before and after within one run, against the same (a).
 * In the 2025 era only, which every version of ours speaks; its database must be ours' schema.
 */
export function comparedDeployment(dir: string): Deployment {
  const root = resolve(dir);
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  return { engine: 'sqlite', label: `SQLite, ${commit}`, replicas: 1, toolsList: true, eras: ['2025'], root };
}
