import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
    // The runner starts the server in a process group of its own: a SIGKILL to the runner's
    // group alone would leave the server running after the test.
    for (const pid of [...descendantsOf(child.pid!), child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
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
        if (out.includes(text) || err.includes(text)) return;
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

// Each of these builds the widget and boots a server: room for a shared 2-core machine.
const SLOW = { timeout: 120_000 };

describe('pnpm dev --tunnel', () => {
  it('without NGROK_AUTHTOKEN: says how to get one and how to run ngrok by hand, exit code 2, nothing started', async () => {
    const run = runDev(['--tunnel'], {});
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.stderr()).toMatch(/^kanban-mcp dev: --tunnel needs an ngrok authtoken in NGROK_AUTHTOKEN\./);
    expect(run.stderr()).toContain('https://dashboard.ngrok.com/get-started/your-authtoken');
    expect(run.stderr()).toContain('  ngrok http 3000\n  PUBLIC_URL=https://<the https URL ngrok shows> TRUST_PROXY=loopback pnpm dev');
    // The port in the help is the one the server will use.
    const other = runDev(['--tunnel'], { PORT: '4123' });
    await other.exited;
    expect(other.stderr()).toContain('  ngrok http 4123\n');
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

  it.each([
    [{ TUNNEL: 'localtunnel' }, 'TUNNEL must be ngrok (got "localtunnel").'],
    [{ TUNNEL: 'ngrok', NGROK_AUTHTOKEN: 'test-token', PORT: '0' }, '--tunnel needs a fixed PORT (not 0): the tunnel must know where to forward.'],
  ])('refuses %o in one line, exit code 2', async (env, message) => {
    const run = runDev([], env);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toBe(`kanban-mcp dev: ${message}\n`);
  });

  it('PUBLIC_URL and --tunnel together are refused: the tunnel decides the public URL', async () => {
    const run = runDev(['--tunnel'], { NGROK_AUTHTOKEN: 'test-token', PUBLIC_URL: 'https://elsewhere.example' });
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toMatch(/^kanban-mcp dev: PUBLIC_URL and --tunnel are both set/);
  });

  it('sets every URL the server derives from the tunnel URL: resource, issuer, metadata, Host allow-list, secure cookies', SLOW, async () => {
    const port = await freePort();
    const record = join(makeDataDir(), 'ngrok.jsonl');
    const domain = 'kanban-reserved.ngrok.app';
    const run = runDev(['--tunnel'], { PORT: String(port), NGROK_AUTHTOKEN: 'test-token', NGROK_DOMAIN: domain, NGROK_STAND_IN_RECORD: record });
    await run.waitFor('kanban-mcp is running');
    const tunnelUrl = `https://${domain}`;
    expect(run.stderr()).toContain(`  Paste into ChatGPT (Settings → Apps → Create app):  ${tunnelUrl}/mcp\n`);
    expect(run.stderr()).not.toContain('This URL changes on every run'); // a reserved domain does not
    expect(run.stderr()).toContain(`  MCP URL:   ${tunnelUrl}/mcp\n`);
    expect(run.stderr()).toContain(`  Playground: ${tunnelUrl}/dev `);
    expect(JSON.parse(readFileSync(record, 'utf8').split('\n')[0]!)).toEqual({ event: 'forward', config: { addr: `127.0.0.1:${port}`, authtoken: 'test-token', domain } });

    // The playground, on the tunnel's origin (where its tokens are for).
    const playground = await viaTunnel(port, domain, '/dev');
    expect([playground.status, playground.body.includes('<title>kanban-mcp playground</title>')]).toEqual([200, true]);
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
    const authorize = await viaTunnel(port, domain, `/oauth/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: 'https://chatgpt.com/connector_platform_oauth_redirect', response_type: 'code', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', scope: 'kanban.read', resource: `${tunnelUrl}/mcp` })}`);
    expect(authorize.status).toBe(303);
    const cookies = [authorize.headers['set-cookie']].flat().filter((cookie): cookie is string => typeof cookie === 'string');
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatch(/; secure/i);
    expect(cookies.some((cookie) => cookie.startsWith('kanban.interaction='))).toBe(true);

    // The server got the tunnel's URL and trust, but not its secret.
    const environments = descendantsOf(run.child.pid!).map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      } catch {
        return [];
      }
    });
    const serverEnvironment = environments.find((environment) => environment.includes(`PUBLIC_URL=${tunnelUrl}`));
    expect(serverEnvironment).toBeDefined();
    expect(serverEnvironment).toContain('TRUST_PROXY=loopback');
    expect(serverEnvironment!.some((entry) => entry.startsWith('NGROK_AUTHTOKEN='))).toBe(false);
  });

  it('a SIGINT to pnpm dev alone stops the server, the widget watcher and the tunnel, and leaves no process running', SLOW, async () => {
    const port = await freePort();
    const record = join(makeDataDir(), 'ngrok.jsonl');
    const run = runDev(['--tunnel'], { PORT: String(port), NGROK_AUTHTOKEN: 'test-token', NGROK_STAND_IN_URL: 'https://a1b2c3.ngrok-free.app', NGROK_STAND_IN_RECORD: record });
    await run.waitFor('kanban-mcp is running');
    expect(run.stderr()).toContain('This URL changes on every run, and the issuer with it: connected clients must reconnect.');
    const processes = descendantsOf(run.child.pid!);
    expect(processes.length).toBeGreaterThanOrEqual(2); // node --watch and the server under it
    // Only the runner: the server runs in a process group of its own, so this proves the runner
    // stops it (a terminal's Ctrl-C reaches the runner's group, not the server's).
    process.kill(run.child.pid!, 'SIGINT');
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(await survivors(processes)).toEqual([]);
    expect(readFileSync(record, 'utf8')).toContain('{"event":"close"}');
  });
});
