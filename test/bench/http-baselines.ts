import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/child-server.ts';
import { ERAS, mcpRequest, type Era, type McpRequest } from './eras.ts';
import { measureAll, rpc, startProcess, untilAnswering, type LoadOptions, type Target, type ThroughputRow } from './http-load.ts';
import type { GetBoard } from './http-ours.ts';

// The baselines of the HTTP part, each server in a process of its own: (a) the v2 SDK's stateless
// echo, (a-v1) the v1 SDK's, (b) server-everything's echo, (c) Express sending our get_board's JSON.

const EVERYTHING = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));

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
export async function measureBaselines(getBoard: GetBoard, scratch: string, options: LoadOptions): Promise<ThroughputRow[]> {
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
