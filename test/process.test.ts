import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, spawnServer, type ChildServer } from './support/child-server.ts';
import { makeDataDir, removeDataDir } from './support/kanban-server.ts';
import { databaseEnv } from './support/test-database.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function start(env: Record<string, string>): Promise<ChildServer> {
  const dataDir = makeDataDir();
  const server = spawnServer({ ...(await databaseEnv(dataDir)), LOG_LEVEL: 'info', ...env });
  cleanups.push(() => {
    server.child.kill('SIGKILL');
    removeDataDir(dataDir);
  });
  return server;
}

describe('server/main.ts as a process', () => {
  it('stops at once on a bad variable, with one line naming it', async () => {
    const server = await start({ PORT: 'abc' });
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.stderr()).toBe('kanban-mcp: Invalid configuration: PORT must be a port number (got "abc").\n');
  });

  it('says in one line when the port is taken', async () => {
    const port = await freePort();
    const first = await start({ PORT: String(port) });
    await first.waitFor('listening');
    const second = await start({ PORT: String(port) });
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.stderr()).toBe(`kanban-mcp: port ${port} on 127.0.0.1 is already in use: stop the other process or set PORT.\n`);
  });

  it('prints the MCP URL, serves, and on SIGTERM finishes the request in flight before exiting 0', async () => {
    const port = await freePort();
    const server = await start({ PORT: String(port) });
    await server.waitFor('listening');
    await server.waitFor('MCP URL:', undefined, 'stderr'); // the banner, on its own pipe
    expect(server.stderr()).toContain(`MCP URL:   http://localhost:${port}/mcp`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // Half a request on the wire, then SIGTERM, then the rest: it must still be answered.
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_boards', arguments: {} } });
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (response += chunk));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 20)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    await server.waitFor('stopping');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    socket.write(body.slice(20));
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(response).toContain('Product roadmap');
    const { code } = await server.exited;
    expect(code).toBe(0);
    expect(server.stdout()).toContain('"msg":"stopped"');
  });

  it("outside production (here NODE_ENV=test), the playground's hot-reload socket does not hold up a SIGTERM: the stop is graceful, exit 0", async () => {
    const port = await freePort();
    const server = await start({ PORT: String(port) });
    await server.waitFor('listening');
    expect((await fetch(`http://localhost:${port}/dev`)).status).toBe(200);
    // What the playground's page does: Vite's client opens its socket with the token it was served.
    const client = await (await fetch(`http://localhost:${port}/dev/@vite/client`)).text();
    const token = /const wsToken = "([^"]+)"/.exec(client)![1]!;
    const socket = new WebSocket(`ws://localhost:${port}/dev/?token=${token}`, 'vite-hmr');
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    const socketClosed = new Promise((resolve) => (socket.onclose = resolve));
    server.child.kill('SIGTERM');
    const { code } = await server.exited;
    expect(code).toBe(0);
    expect(server.stdout()).toContain('"msg":"stopped"');
    await socketClosed;
  });

  it('production with a plain-http PUBLIC_URL does not start, and says why in one line', async () => {
    const server = await start({ NODE_ENV: 'production', PUBLIC_URL: 'http://kanban.example' });
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.stderr()).toBe('kanban-mcp: Invalid configuration: PUBLIC_URL must be https in production (got "http://kanban.example"); plain http is allowed only for localhost.\n');
  });

  it('the banner names the public URL, the issuer, the sign-up mode and the next step; then the log is JSON lines', async () => {
    const port = await freePort();
    const server = await start({ PORT: String(port), PUBLIC_URL: 'https://kanban-demo.example', SIGNUP: 'closed' });
    await server.waitFor('listening');
    await server.waitFor('MCP URL:', undefined, 'stderr'); // the banner, on its own pipe
    const banner = server.stderr();
    expect(banner).toContain('  Public:    https://kanban-demo.example\n');
    expect(banner).toContain('  MCP URL:   https://kanban-demo.example/mcp\n');
    expect(banner).toContain('  Issuer:    https://kanban-demo.example (embedded)\n');
    expect(banner).toContain('  Sign-up:   closed, and there are no accounts yet: add one with pnpm user:add NAME\n');
    expect(banner).toContain('  Next: in ChatGPT, Settings → Apps → Advanced settings → Developer mode, then Create app with\n    https://kanban-demo.example/mcp');
    // stdout is the log alone: JSON lines, nothing else.
    const logLines = server.stdout().trim().split('\n');
    for (const line of logLines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(logLines.map((line) => JSON.parse(line).msg)).toContain('listening');
  });

  it('on this machine over plain http, the next step is MCP Inspector, and how to reach ChatGPT over https', async () => {
    const port = await freePort();
    const server = await start({ PORT: String(port) });
    await server.waitFor('listening');
    await server.waitFor('MCP URL:', undefined, 'stderr'); // the banner, on its own pipe
    expect(server.stderr()).toContain(`  Next: call list_boards from MCP Inspector at http://localhost:${port}/mcp.\n`);
    expect(server.stderr()).toContain(`pnpm dev --tunnel (with NGROK_AUTHTOKEN), or ngrok http ${port} and PUBLIC_URL`);
    expect(server.stderr()).toContain('  Sign-up:   open (anyone can create an account on the sign-in page)\n');
    expect(server.stderr()).not.toContain('Warning');
  });

  // pnpm start sets NODE_ENV=production; pnpm dev --tunnel sets an https PUBLIC_URL.
  it.each([
    [{ NODE_ENV: 'production' }, '  Sign-up:   closed, and there are no accounts yet: add one with pnpm user:add NAME\n', false],
    [{ NODE_ENV: 'production', SIGNUP: 'open' }, '  Sign-up:   open (anyone can create an account on the sign-in page)\n', true],
    [{}, '  Sign-up:   open (anyone can create an account on the sign-in page)\n', true],
  ])('with PUBLIC_URL https and %o, the banner names the sign-up mode and warns when it is open', async (env, signUpLine, warns) => {
    const port = await freePort();
    const server = await start({ PORT: String(port), PUBLIC_URL: 'https://kanban-demo.example', ...env });
    await server.waitFor('listening');
    await server.waitFor('MCP URL:', undefined, 'stderr'); // the banner, on its own pipe
    expect(server.stderr()).toContain(signUpLine);
    const warning = '  Warning: anyone who reaches https://kanban-demo.example can create an account (SIGNUP=open).\n    To choose who signs in: SIGNUP=closed, and pnpm user:add NAME for each person.\n';
    if (warns) expect(server.stderr()).toContain(warning);
    else expect(server.stderr()).not.toContain('Warning');
  });
});
