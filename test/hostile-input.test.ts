import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_TOOLS, SIGNED_IN_TOOLS } from '../server/mcp/tools/index.ts';
import { MAX_MODERN_NESTING } from '../server/mcp/route.ts';
import { signInActor, type Actor } from './support/kanban-actors.ts';
import { LOAD_LIMITS, postMcp, useKanban } from './support/kanban-server.ts';

// Property-based fuzzing (fast-check, fixed seed) of every tool's arguments and of raw JSON-RPC
// envelopes: whatever arrives, the server answers with a clear error or a result, never a 5xx,
// never the "something went wrong on our side" of an internal error, and it keeps serving. Plus
// the HTTP-level abuses, each with its own status.

const SEED = 20261129;
const RUNS = { perTool: 700, envelopes: 2500, nonJson: 300 };
const TOOL_NAMES = [...PUBLIC_TOOLS, ...SIGNED_IN_TOOLS].map((tool) => tool.name);
const shared = useKanban({ env: { LOG_LEVEL: 'silent', ...LOAD_LIMITS } });
const SLOW = { timeout: 120_000 };
let writer: Actor;
// What the built-in prototypes look like before any hostile key has been sent.
const prototypes = () => [Object.prototype, Array.prototype, Function.prototype].map((prototype) => Object.getOwnPropertyNames(prototype).sort().join());
const pristine = prototypes();

beforeAll(async () => {
  writer = await signInActor(shared.kanban, 'fuzz');
});
afterAll(async () => {
  await writer.client.close();
  // __proto__ and constructor keys went everywhere: nothing was added to a built-in prototype.
  expect(prototypes()).toEqual(pristine);
});

/** Cases the properties below ran, counted as they run (the last test holds the floor). */
let casesRun = 0;

const INTERNAL = 'Something went wrong on our side';

/** Values of every JSON shape, with the strings hostile input likes. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '\u202E', "' OR 1=1 --", '"; DROP TABLE cards; --', '<script>alert(1)</script>', 'brd_', 'crd_' + 'A'.repeat(22), '__proto__', 'constructor', '9'.repeat(400), 'javascript:alert(1)'),
);
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(hostileString, tie('value'), { maxKeys: 4 })),
})).value;

function argumentsFor(toolName: string) {
  const tool = [...PUBLIC_TOOLS, ...SIGNED_IN_TOOLS].find((each) => each.name === toolName)!;
  const keys = Object.keys(tool.input.shape);
  // The tool's own keys with hostile values, and sometimes keys it does not know.
  return fc.oneof(
    fc.record(Object.fromEntries(keys.map((key) => [key, hostileValue])), { requiredKeys: [] }),
    fc.dictionary(fc.oneof(fc.constantFrom(...keys, '__proto__', 'constructor'), hostileString), hostileValue, { maxKeys: 6 }),
    hostileValue,
  );
}

describe('fuzzing every tool (fast-check, fixed seed)', () => {
  it.each(TOOL_NAMES)('%s: any arguments get a result or a clear error, never a 5xx or an internal error', SLOW, async (name) => {
    await fc.assert(
      fc.asyncProperty(argumentsFor(name), async (args) => {
        casesRun++;
        // raw() sends a string as JSON text byte for byte: encode strings to send them as values.
        const call = await writer.raw(name, typeof args === 'string' ? JSON.stringify(args) : args);
        expect(call.status, JSON.stringify(args)).toBe(200);
        const body = call.body as { result?: { isError?: boolean; content?: { text: string }[] }; error?: { code: number; message: string } };
        if (body.error) {
          expect(body.error.code).toBe(-32602);
          expect(body.error.message.length).toBeGreaterThan(10);
        } else {
          const text = body.result!.content?.[0]?.text ?? '';
          expect(text).not.toContain(INTERNAL);
          if (body.result!.isError) expect(text.length).toBeGreaterThan(10);
        }
      }),
      { seed: SEED, numRuns: RUNS.perTool, endOnFailure: true },
    );
  });
});

describe('fuzzing raw JSON-RPC envelopes', () => {
  it('any JSON body gets a JSON-RPC answer or a 4xx, never a 5xx', SLOW, async () => {
    const envelope = fc.oneof(
      hostileValue,
      fc.record({ jsonrpc: fc.oneof(fc.constant('2.0'), hostileValue), id: fc.oneof(fc.integer(), hostileString, fc.constant(null), hostileValue), method: fc.oneof(fc.constantFrom('tools/call', 'tools/list', 'initialize', 'resources/read', 'ping', 'notifications/initialized'), hostileString), params: hostileValue }, { requiredKeys: [] }),
      fc.array(fc.record({ jsonrpc: fc.constant('2.0'), id: fc.integer(), method: fc.constantFrom('tools/list', 'tools/call', 'ping'), params: hostileValue }), { maxLength: 5 }),
    );
    await fc.assert(
      fc.asyncProperty(envelope, async (body) => {
        casesRun++;
        const response = await postMcp(shared.kanban.mcpUrl, JSON.stringify(body));
        const text = await response.text();
        expect(response.status, `${JSON.stringify(body)} → ${text.slice(0, 200)}`).toBeLessThan(500);
        expect(text).not.toContain(INTERNAL);
        if (text) expect(() => JSON.parse(text)).not.toThrow();
      }),
      { seed: SEED, numRuns: RUNS.envelopes, endOnFailure: true },
    );
  });

  it('bytes that are not JSON get -32700, and the server still serves', SLOW, async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200 }).filter((text) => { try { JSON.parse(text); return false; } catch { return true; } }), async (text) => {
        casesRun++;
        const response = await postMcp(shared.kanban.mcpUrl, text);
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32700);
      }),
      { seed: SEED, numRuns: RUNS.nonJson },
    );
    expect((await postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status).toBe(200);
  });
});

/** A raw request, for what fetch will not send (oversized headers). */
function rawRequest(port: number, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTP-level abuse', () => {
  it('100 000-deep JSON is refused as no JSON-RPC message, and a 100 000-deep value inside a valid message is a clear error', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const bare = await postMcp(shared.kanban.mcpUrl, deep);
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { error: { code: number } }).error.code).toBe(-32600);
    // A deep unknown argument and a deep _meta member are dropped: the call does what it says.
    for (const body of [
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_boards","arguments":{"extra":${deep}}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_boards","arguments":{},"_meta":{"deep":${deep}}}}`,
    ]) {
      const response = await postMcp(shared.kanban.mcpUrl, body, { authorization: `Bearer ${writer.token}` });
      expect(response.status, body.slice(0, 80)).toBe(200);
      const answer = (await response.json()) as { id: number; result: { isError?: boolean; structuredContent: { view: string } } };
      expect([answer.id, answer.result.isError, answer.result.structuredContent.view]).toEqual([1, undefined, 'boards']);
    }
    // A deep id is no JSON-RPC id at all: -32600, with the id unknown (null).
    const deepId = await postMcp(shared.kanban.mcpUrl, `{"jsonrpc":"2.0","id":${deep},"method":"ping"}`, { authorization: `Bearer ${writer.token}` });
    expect(deepId.status).toBe(400);
    expect(await deepId.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: the body must be a JSON-RPC 2.0 message or a batch of them.' } });
    expect((await postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping' })).status).toBe(200);
  });

  it('in the 2026-07-28 envelope, values nested past the limit are a clear -32602 (HTTP 400), never a 500', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const envelope = `"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"fuzz","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}`;
    const headers = { authorization: `Bearer ${writer.token}`, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'list_boards' };
    for (const body of [
      `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_boards","arguments":{"extra":${deep}},"_meta":{${envelope}}}}`,
      `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_boards","arguments":{},"_meta":{${envelope},"deep":${deep}}}}`,
    ]) {
      const response = await postMcp(shared.kanban.mcpUrl, body, headers);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32602, message: `Invalid params: values may nest at most ${MAX_MODERN_NESTING} levels deep.` } });
    }
    const shallow = await postMcp(shared.kanban.mcpUrl, `{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"list_boards","arguments":{},"_meta":{${envelope}}}}`, headers);
    expect(shallow.status).toBe(200);
  });

  it('tool arguments nested 5 000 deep are refused with a clear error', async () => {
    // As text: JSON.stringify itself runs out of stack on such a value.
    const nested = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`;
    const call = await writer.raw('create_card', `{"title":"Deep","labels":${nested}}`);
    expect(call.status).toBe(200);
    const result = (call.body as { result: { isError: boolean; content: { text: string }[] } }).result;
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/^Invalid arguments for create_card: labels/);
  });

  it('a header flood (over 16 KiB of headers) gets 431', async () => {
    const port = Number(new URL(shared.kanban.url).port);
    const headers = Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`x-flood-${index}`, 'y'.repeat(500)]));
    expect(await rawRequest(port, headers, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }))).toBe(431);
  });
});

// Last in the file: the properties above ran, together, at least the floor the fuzzing issue set.
it('ran at least 10 000 cases this run', () => {
  expect(casesRun).toBeGreaterThanOrEqual(10_000);
});
