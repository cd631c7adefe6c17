import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { postMcp, removeDataDir, startKanban, useKanban } from './support/kanban-server.ts';

const shared = useKanban();

const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

/** A request with a Host header of our choosing (fetch does not let us set it). */
function rawRequest(options: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { port } = new URL(shared.kanban.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: options.path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function jsonRpcErrorOf(response: Response): Promise<{ code: number; message: string }> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
  expect(body.jsonrpc).toBe('2.0');
  expect(body.id).toBeNull();
  return body.error;
}

describe('POST /mcp transport errors are JSON-RPC, never HTML', () => {
  it('malformed JSON → 400 parse error -32700', async () => {
    const response = await postMcp(shared.kanban.mcpUrl, '{"jsonrpc":"2.0", "id": 1, "method": ');
    expect(response.status).toBe(400);
    expect((await jsonRpcErrorOf(response)).code).toBe(-32700);
  });

  it('valid JSON that is not JSON-RPC → 400 invalid request -32600', async () => {
    for (const body of ['{"foo":1}', '"hello"', '[]', '42']) {
      const response = await postMcp(shared.kanban.mcpUrl, body);
      expect(response.status, body).toBe(400);
      expect((await jsonRpcErrorOf(response)).code, body).toBe(-32600);
    }
  });

  it('a body over 1 MiB → 413 with a JSON-RPC error', async () => {
    const huge = JSON.stringify({ ...listTools, params: { padding: 'x'.repeat(1024 * 1024) } });
    const response = await postMcp(shared.kanban.mcpUrl, huge);
    expect(response.status).toBe(413);
    expect((await jsonRpcErrorOf(response)).message).toContain('too large');
  });

  it('Content-Type text/plain → 415', async () => {
    const response = await postMcp(shared.kanban.mcpUrl, JSON.stringify(listTools), { 'content-type': 'text/plain' });
    expect(response.status).toBe(415);
  });

  it('an Accept header without application/json → 406', async () => {
    const response = await postMcp(shared.kanban.mcpUrl, JSON.stringify(listTools), { accept: 'text/html' });
    expect(response.status).toBe(406);
  });

  it('GET and DELETE /mcp → 405 with Allow: POST', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(shared.kanban.mcpUrl, { method, headers: { accept: 'text/event-stream' } });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      await jsonRpcErrorOf(response);
    }
  });
});

describe('DNS-rebinding and cross-origin protection', () => {
  it('answers only to our own Host names', async () => {
    const body = JSON.stringify(listTools);
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const evil = await rawRequest({ path: '/mcp', method: 'POST', headers: { ...headers, host: 'evil.example:80' }, body });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error.code).toBe(-32000);
    const local = await rawRequest({ path: '/mcp', method: 'POST', headers: { ...headers, host: 'localhost:3000' }, body });
    expect(local.status).toBe(200);
  });

  it('accepts the PUBLIC_URL host, whatever it is', async () => {
    const tunnelled = await startKanban({ env: { PUBLIC_URL: 'https://kanban-demo.ngrok.app' } });
    try {
      const { port } = new URL(tunnelled.url);
      const response = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: 'kanban-demo.ngrok.app', 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(JSON.stringify(listTools));
      });
      expect(response).toBe(200);
    } finally {
      await tunnelled.stop();
      removeDataDir(tunnelled.dataDir);
    }
  });

  it('answers CORS preflights for our own origins only (MCP Inspector in the browser), exposing WWW-Authenticate', async () => {
    const preflight = (origin: string) =>
      fetch(shared.kanban.mcpUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization, mcp-protocol-version' } });
    const own = await preflight('http://localhost:6274');
    expect(own.status).toBe(204);
    expect(own.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    expect(own.headers.get('access-control-allow-headers')).toContain('authorization');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const answered = await postMcp(shared.kanban.mcpUrl, listTools, { origin: 'http://localhost:6274' });
    expect(answered.headers.get('access-control-expose-headers')).toContain('www-authenticate');
  });

  it('refuses a browser Origin from elsewhere, and allows our own', async () => {
    const foreign = await postMcp(shared.kanban.mcpUrl, listTools, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const own = await postMcp(shared.kanban.mcpUrl, listTools, { origin: 'http://localhost:6274' });
    expect(own.status).toBe(200);
  });
});

describe('other routes', () => {
  it('GET /healthz reports ok after checking the database', async () => {
    const response = await fetch(`${shared.kanban.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('an unknown path is a JSON 404', async () => {
    const response = await fetch(`${shared.kanban.url}/wp-admin`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it('GET /healthz is 503 when the database is gone', async () => {
    const broken = await startKanban();
    try {
      await broken.runtime.database.close();
      const response = await fetch(`${broken.url}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'unavailable', database: 'error' });
    } finally {
      await broken.stop().catch(() => undefined);
      removeDataDir(broken.dataDir);
    }
  });
});

describe('request logging', () => {
  it('writes one line per request with method, tool, status and duration, and no bodies or credentials', async () => {
    const secretQuery = 'zebra-secret-words';
    const call = { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'search_cards', arguments: { query: secretQuery } } };
    const refused = await postMcp(shared.kanban.mcpUrl, call, { authorization: 'Bearer not-a-real-token-but-secret', cookie: 'session=secret-cookie' });
    expect(refused.status).toBe(401);
    const response = await postMcp(shared.kanban.mcpUrl, call, { cookie: 'session=secret-cookie' });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    const lines = shared.kanban.logs.filter((line) => line.requestId === requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request', method: 'POST', path: '/mcp', rpc: 'tools/call', tool: 'search_cards', status: 200 });
    expect(lines[0]!.ms).toEqual(expect.any(Number));
    const everything = JSON.stringify(shared.kanban.logs);
    for (const secret of [secretQuery, 'not-a-real-token-but-secret', 'secret-cookie']) expect(everything).not.toContain(secret);
  });
});
