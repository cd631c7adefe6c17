import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './support/child-server.ts';
import { makeDataDir, removeDataDir } from './support/kanban-server.ts';
import { descendantsOf, survivors } from './support/processes.ts';

// `pnpm dev` as a person runs it (server/cli/dev.ts): the ngrok tunnel wiring, driven through a
// stand-in for @ngrok/ngrok at its package boundary (test/support/ngrok-stand-in/), its error
// messages, and a Ctrl-C that leaves no process behind.

const DEV_ENTRY = fileURLToPath(new URL('../server/cli/dev.ts', import.meta.url));
const STAND_IN = fileURLToPath(new URL('./support/ngrok-stand-in/register.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface DevRun {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(text: string): Promise<void>;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function runDev(args: string[], env: Record<string, string>): DevRun {
  const dataDir = makeDataDir();
  // Its own process group, so the test can press "Ctrl-C" (SIGINT to the group) like a terminal.
  const child = spawn(process.execPath, ['--import', STAND_IN, DEV_ENTRY, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'warn', NGROK_AUTHTOKEN: '', PUBLIC_URL: '', TUNNEL: '', NGROK_DOMAIN: '', ...env },
    stdio: 'pipe',
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    removeDataDir(dataDir);
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(text) {
      for (let tries = 0; tries < 600; tries++) {
        if (out.includes(text)) return;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no "${text}" from pnpm dev; stdout: ${out}; stderr: ${err}`);
    },
  };
}

/** A request to the local port as ngrok forwards it: the public host in Host. */
function viaTunnel(port: number, host: string, path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const length = init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) };
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { host, ...length, ...init.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('pnpm dev --tunnel', () => {
  it('without NGROK_AUTHTOKEN: says how to get one and how to run ngrok by hand, exit code 2, nothing started', async () => {
    const run = runDev(['--tunnel'], {});
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.stderr()).toMatch(/^kanban-mcp dev: --tunnel needs an ngrok authtoken in NGROK_AUTHTOKEN\./);
    expect(run.stderr()).toContain('https://dashboard.ngrok.com/get-started/your-authtoken');
    expect(run.stderr()).toContain('  ngrok http 3000\n  PUBLIC_URL=https://<the https URL ngrok shows> TRUST_PROXY=loopback pnpm dev');
    expect(run.stderr()).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stdout()).toBe('');
  });

  it('TUNNEL=ngrok asks for the token the same way', async () => {
    const run = runDev([], { TUNNEL: 'ngrok' });
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toContain('needs an ngrok authtoken');
  });

  it('a tunnel that cannot open is one clear line and exit code 1', async () => {
    const run = runDev(['--tunnel'], { NGROK_AUTHTOKEN: 'rejected-token' });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toBe('kanban-mcp dev: could not open the ngrok tunnel: authentication failed: The authtoken you specified is not valid.\n');
  });

  it('PUBLIC_URL and --tunnel together are refused: the tunnel decides the public URL', async () => {
    const run = runDev(['--tunnel'], { NGROK_AUTHTOKEN: 'test-token', PUBLIC_URL: 'https://elsewhere.example' });
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toMatch(/^kanban-mcp dev: PUBLIC_URL and --tunnel are both set/);
  });

  it('sets every URL the server derives from the tunnel URL: resource, issuer, metadata, Host allow-list, secure cookies', async () => {
    const port = await freePort();
    const record = join(makeDataDir(), 'ngrok.jsonl');
    const domain = 'kanban-reserved.ngrok.app';
    const run = runDev(['--tunnel'], { PORT: String(port), NGROK_AUTHTOKEN: 'test-token', NGROK_DOMAIN: domain, NGROK_STAND_IN_RECORD: record });
    await run.waitFor('kanban-mcp is running');
    const tunnelUrl = `https://${domain}`;
    expect(run.stdout()).toContain(`  Paste into ChatGPT (Settings → Apps → Create app):  ${tunnelUrl}/mcp\n`);
    expect(run.stdout()).not.toContain('This URL changes on every run'); // a reserved domain does not
    expect(run.stdout()).toContain(`  MCP URL:   ${tunnelUrl}/mcp\n`);
    expect(JSON.parse(readFileSync(record, 'utf8').split('\n')[0]!)).toEqual({ event: 'forward', config: { addr: `127.0.0.1:${port}`, authtoken: 'test-token', domain } });

    const resource = JSON.parse((await viaTunnel(port, domain, '/.well-known/oauth-protected-resource/mcp')).body);
    expect(resource).toMatchObject({ resource: `${tunnelUrl}/mcp`, authorization_servers: [tunnelUrl] });
    const issuer = JSON.parse((await viaTunnel(port, domain, '/.well-known/oauth-authorization-server')).body);
    expect(issuer.issuer).toBe(tunnelUrl);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'jwks_uri']) expect(issuer[endpoint]).toMatch(new RegExp(`^${tunnelUrl}/`));
    // Only our names are answered to (DNS rebinding): the tunnel's host, and this machine.
    expect((await viaTunnel(port, 'attacker.example', '/.well-known/oauth-protected-resource/mcp')).status).toBe(403);

    // Sign-in cookies are Secure, though the hop from ngrok to us is plain http.
    const registered = await viaTunnel(port, domain, '/oauth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://chatgpt.com/connector_platform_oauth_redirect'], token_endpoint_auth_method: 'none' }),
    });
    const clientId = JSON.parse(registered.body).client_id as string;
    const authorize = await viaTunnel(port, domain, `/oauth/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: 'https://chatgpt.com/connector_platform_oauth_redirect', response_type: 'code', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', scope: 'kanban.read', resource: `${tunnelUrl}/mcp` })}`, { headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } });
    expect(authorize.status).toBe(303);
    const cookies = [authorize.headers['set-cookie']].flat().filter((cookie): cookie is string => typeof cookie === 'string');
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatch(/; secure/i);
    expect(cookies.some((cookie) => cookie.startsWith('kanban.interaction='))).toBe(true);
    // TRUST_PROXY=loopback came with the tunnel: no warning about an untrusted proxy.
    expect(run.stdout()).not.toContain('TRUST_PROXY is not set');
  });

  it('Ctrl-C stops the server, the widget watcher and the tunnel, and leaves no process running', async () => {
    const port = await freePort();
    const record = join(makeDataDir(), 'ngrok.jsonl');
    const run = runDev(['--tunnel'], { PORT: String(port), NGROK_AUTHTOKEN: 'test-token', NGROK_STAND_IN_URL: 'https://a1b2c3.ngrok-free.app', NGROK_STAND_IN_RECORD: record });
    await run.waitFor('kanban-mcp is running');
    expect(run.stdout()).toContain('This URL changes on every run, and the issuer with it: connected clients must reconnect.');
    const processes = descendantsOf(run.child.pid!);
    expect(processes.length).toBeGreaterThanOrEqual(2); // node --watch and the server under it
    process.kill(-run.child.pid!, 'SIGINT');
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(await survivors(processes)).toEqual([]);
    expect(readFileSync(record, 'utf8')).toContain('{"event":"close"}');
    expect(existsSync(join(ROOT, 'web/dist/index.html'))).toBe(true);
  });
});
