import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MODERN_REVISION, rawPost, signInActor, type Actor } from './support/kanban-actors.ts';
import { makeDataDir, postMcp, removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';

// Answers the SDK made once and the route replays to later requests of the same shape, with their
// own id (server/mcp/replayed-answers.ts): the lists, the widget, initialize, and get_board of a
// public board for everyone not signed in, as of the board's version. Each request's log line says
// whether its answer was replayed, which is how these tests see the replay at all.

const servers: RunningKanban[] = [];
const dataDirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dataDirs.splice(0)) removeDataDir(dir);
});

async function start(dataDir = makeDataDir(), env: Record<string, string> = {}): Promise<RunningKanban> {
  if (!dataDirs.includes(dataDir)) dataDirs.push(dataDir);
  const kanban = await startKanban({ dataDir, env });
  servers.push(kanban);
  return kanban;
}

type Era = '2025' | '2026-07-28';
const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': MODERN_REVISION, 'io.modelcontextprotocol/clientInfo': { name: 'replay-test', version: '1.0.0' }, 'io.modelcontextprotocol/clientCapabilities': {} };

/** One request of `era` with this id; `padding` makes it too long to be replayed (answered afresh by the SDK). */
function send(kanban: RunningKanban, era: Era, method: string, params: Record<string, unknown>, id: string | number, options: { token?: string; padding?: boolean } = {}) {
  const padding = options.padding ? { 'test/padding': 'x'.repeat(5000) } : {};
  const meta = era === '2025' ? padding : { ...padding, ...ENVELOPE };
  // 2026-07-28's standard headers: Mcp-Name carries the tool's name, or the resource's URI.
  const name = method === 'tools/call' ? params.name : method === 'resources/read' ? params.uri : undefined;
  const headers: Record<string, string> = era === '2025' ? {} : { 'mcp-protocol-version': MODERN_REVISION, 'mcp-method': method, ...(name === undefined ? {} : { 'mcp-name': String(name) }) };
  const body = { jsonrpc: '2.0', id, method, params: Object.keys(meta).length === 0 ? params : { ...params, _meta: meta } };
  return rawPost(kanban.mcpUrl, options.token, body, headers);
}

/** Whether the server's log says the last request was answered by a replay. */
function lastWasReplayed(kanban: RunningKanban): boolean {
  const line = kanban.logs.filter((entry) => entry.path === '/mcp').at(-1);
  expect(line).toBeDefined();
  return line!.replayed === true;
}

async function publicBoard(owner: Actor, title: string): Promise<string> {
  const created = await owner.call('create_board', { title, visibility: 'public' });
  return (created.structuredContent as { board: { id: string } }).board.id;
}

const titlesIn = (answer: { body: any }) => (answer.body.result.structuredContent.board.columns as { cards: { title: string }[] }[]).flatMap((column) => column.cards.map((card) => card.title));

describe('replayed answers', () => {
  it('are the answers the SDK makes, each with its own request id, in both eras', async () => {
    const kanban = await start();
    const reader = await signInActor(kanban, 'reader');
    const boardId = await publicBoard(reader, 'Replayed');
    const widgetUri = (await send(kanban, '2025', 'resources/list', {}, 1)).body.result.resources[0].uri as string;
    const requests: [Era, string, Record<string, unknown>][] = [
      ['2025', 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'replay-test', version: '1.0.0' } }],
      ['2026-07-28', 'server/discover', {}],
    ];
    for (const era of ['2025', '2026-07-28'] as const) {
      requests.push([era, 'tools/list', {}], [era, 'resources/list', {}], [era, 'resources/templates/list', {}], [era, 'resources/read', { uri: widgetUri }]);
      requests.push([era, 'tools/call', { name: 'get_board', arguments: { boardId } }]);
    }
    expect(requests).toHaveLength(12);
    for (const [era, method, params] of requests) {
      const made = await send(kanban, era, method, params, 'first');
      expect(made.status, `${era} ${method}`).toBe(200);
      expect(made.body.id).toBe('first');
      const replayed = await send(kanban, era, method, params, 42);
      expect(lastWasReplayed(kanban), `${era} ${method}`).toBe(true);
      expect(replayed.status).toBe(200);
      expect(replayed.body).toEqual({ ...made.body, id: 42 });
      // The same request, too long to be kept: what the SDK answers with no replay in the way.
      const fresh = await send(kanban, era, method, params, 'fresh', { padding: true });
      expect(lastWasReplayed(kanban)).toBe(false);
      expect(fresh.body).toEqual({ ...made.body, id: 'fresh' });
    }
    // A replayed answer says how long it is, as the SDK's own does (not chunked).
    const replayed = await postMcp(kanban.mcpUrl, { jsonrpc: '2.0', id: 'with a length', method: 'tools/list', params: {} });
    expect(lastWasReplayed(kanban)).toBe(true);
    const bytes = Buffer.from(await replayed.arrayBuffer());
    expect([replayed.headers.get('content-length'), replayed.headers.get('transfer-encoding')]).toEqual([String(bytes.length), null]);
    expect(JSON.parse(bytes.toString('utf8')).id).toBe('with a length');
  });

  it('never give a board as it was before a change, on this replica or another', async () => {
    const dataDir = makeDataDir();
    const first = await start(dataDir);
    const second = await start(dataDir, { PUBLIC_URL: first.url });
    const owner = await signInActor(first, 'owner');
    const boardId = await publicBoard(owner, 'Changing');
    for (const era of ['2025', '2026-07-28'] as const) {
      for (const replica of [first, second]) {
        await send(replica, era, 'tools/call', { name: 'get_board', arguments: { boardId } }, 1);
        expect(titlesIn(await send(replica, era, 'tools/call', { name: 'get_board', arguments: { boardId } }, 2))).not.toContain(`${era} card`);
        expect(lastWasReplayed(replica)).toBe(true);
      }
      await owner.call('create_card', { boardId, title: `${era} card` });
      for (const replica of [first, second]) {
        expect(titlesIn(await send(replica, era, 'tools/call', { name: 'get_board', arguments: { boardId } }, 3))).toContain(`${era} card`);
        expect(lastWasReplayed(replica)).toBe(false);
      }
    }
    await owner.call('update_board', { boardId, visibility: 'private' });
    for (const replica of [first, second]) {
      const hidden = await send(replica, '2025', 'tools/call', { name: 'get_board', arguments: { boardId } }, 4);
      expect(hidden.body.result.isError).toBe(true);
      expect(hidden.body.result.content[0].text).toContain(`No board ${boardId}`);
    }
  });

  it('give a signed-in viewer their own answer, and no one else theirs', async () => {
    const kanban = await start();
    const owner = await signInActor(kanban, 'owner');
    const boardId = await publicBoard(owner, 'Mine');
    const getBoard = (id: number, token?: string) => send(kanban, '2025', 'tools/call', { name: 'get_board', arguments: { boardId } }, id, token === undefined ? {} : { token });
    const ownerView = (answer: { body: any }) => ({ owned: answer.body.result.structuredContent.board.owned, viewer: answer.body.result.structuredContent.viewer.signedIn });

    // Signed in first: nothing of theirs is kept for the anonymous reader after.
    expect(ownerView(await getBoard(1, owner.token))).toEqual({ owned: true, viewer: true });
    expect(ownerView(await getBoard(2))).toEqual({ owned: false, viewer: false });
    expect(lastWasReplayed(kanban)).toBe(false);
    // Anonymous kept: the signed-in owner still gets theirs.
    expect(ownerView(await getBoard(3))).toEqual({ owned: false, viewer: false });
    expect(lastWasReplayed(kanban)).toBe(true);
    expect(ownerView(await getBoard(4, owner.token))).toEqual({ owned: true, viewer: true });
    expect(lastWasReplayed(kanban)).toBe(false);
  });

  it('keep no refusal: a board that is not there is answered afresh, with the request id', async () => {
    const kanban = await start();
    for (const id of [1, 'second']) {
      const missing = await send(kanban, '2025', 'tools/call', { name: 'get_board', arguments: { boardId: 'board_missing' } }, id);
      expect(lastWasReplayed(kanban)).toBe(false);
      expect(missing.body.id).toBe(id);
      expect(missing.body.result.isError).toBe(true);
    }
    const unknown = await send(kanban, '2026-07-28', 'resources/read', { uri: 'ui://nothing' }, 7);
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ id: 7, error: { code: -32602 } });
    await send(kanban, '2026-07-28', 'resources/read', { uri: 'ui://nothing' }, 8);
    expect(lastWasReplayed(kanban)).toBe(false);
  });
});

describe('requests that are not replayed', () => {
  it('get what the SDK answers them: deeply nested bodies and ids it does not accept', async () => {
    const kanban = await start();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const legacyBody = `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"deep":${deep}}}}`;
    const legacyDeep = await rawPost(kanban.mcpUrl, undefined, legacyBody);
    expect([legacyDeep.status, legacyDeep.body.id, legacyDeep.body.result.tools.length > 0]).toEqual([200, 1, true]);
    // The same body compressed: 300 bytes on the wire, as deep once unpacked; answered the same, never a 500.
    const compressed = await fetch(kanban.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', accept: 'application/json, text/event-stream' }, body: gzipSync(legacyBody) });
    expect(compressed.status).toBe(200);
    expect(await compressed.json()).toEqual(legacyDeep.body);
    expect(lastWasReplayed(kanban)).toBe(false);
    const envelope = JSON.stringify(ENVELOPE).slice(1, -1);
    const modernDeep = await rawPost(kanban.mcpUrl, undefined, `{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{${envelope},"deep":${deep}}}}`, {
      'mcp-protocol-version': MODERN_REVISION,
      'mcp-method': 'tools/list',
    });
    expect(modernDeep.status).toBe(400);
    expect(modernDeep.body).toMatchObject({ id: 2, error: { code: -32602 } });

    // A fractional id is no JSON-RPC id to the SDK: refused each time, never answered from what was kept.
    await send(kanban, '2025', 'resources/templates/list', {}, 1);
    for (let attempt = 0; attempt < 2; attempt++) {
      const fractional = await send(kanban, '2025', 'resources/templates/list', {}, 1.5);
      expect(fractional.status).toBe(400);
      expect(lastWasReplayed(kanban)).toBe(false);
    }
  });
});
