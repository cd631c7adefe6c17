import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Rolldown } from 'vite';
import { ConfigError, loadConfig } from '../config.ts';
import { BUILT_WIDGET_FILE } from '../mcp/widget.ts';
import { openTunnel, tunnelHelp, TunnelError, type Tunnel } from './tunnel.ts';

// `pnpm dev`, in one terminal: Vite rebuilds the widget on every change under web/src (the server
// serves each build at its new URI without restarting), and the server restarts when server/ or
// db/ change (node --watch). The playground (/dev) hot-reloads its widget from source meanwhile.
// With --tunnel, an ngrok tunnel is opened first and its URL becomes PUBLIC_URL. Ctrl-C stops
// everything and leaves nothing running.

const HELP = `Usage: pnpm dev [--tunnel]

Builds the widget, starts kanban-mcp and its playground (/dev), rebuilds the widget when web/src
changes (the running server serves each build, no restart) and restarts the server when server/ or
db/ change. Ctrl-C stops it.
  --tunnel   open an https tunnel with ngrok (NGROK_AUTHTOKEN, optional NGROK_DOMAIN) and use its
             URL as PUBLIC_URL; the same as TUNNEL=ngrok
The server reads the variables of docs/configuration.md (PORT, DATA_DIR, SIGNUP…).`;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STOP_GRACE_MS = 12_000;

let server: ChildProcess | undefined;
let tunnel: Tunnel | undefined;
let watcher: Rolldown.RolldownWatcher | undefined;
let buildDir: string | undefined;
let stopping = false;

function fail(message: string, code = 1): never {
  process.stderr.write(`kanban-mcp dev: ${message}\n`);
  process.exit(code);
}

/** Signals the server and everything under it (node --watch runs it as a child of its own). */
function signalServer(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** Stops the server and resolves once it has exited (SIGKILL to the group if it will not). */
function stopServer(): Promise<void> {
  const running = server;
  server = undefined;
  if (!running || running.exitCode !== null || running.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => signalServer(running, 'SIGKILL'), STOP_GRACE_MS);
    running.once('exit', () => {
      clearTimeout(force);
      // The watch parent is gone; make sure nothing under it stayed.
      signalServer(running, 'SIGKILL');
      resolve();
    });
    signalServer(running, 'SIGTERM');
  });
}

async function stop(code = 0): Promise<never> {
  if (stopping) {
    // A second Ctrl-C: do not wait any longer.
    if (server) signalServer(server, 'SIGKILL');
    process.exit(1);
  }
  stopping = true;
  try {
    await watcher?.close();
    await stopServer();
    await tunnel?.close();
  } finally {
    if (server) signalServer(server, 'SIGKILL');
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const { values } = parseArgs({ options: { tunnel: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
if (process.env.TUNNEL && process.env.TUNNEL !== 'ngrok') fail(`TUNNEL must be ngrok (got ${JSON.stringify(process.env.TUNNEL)}).`, 2);
const wantsTunnel = values.tunnel === true || process.env.TUNNEL === 'ngrok';

// The server gets our environment without the tunnel's secret.
const { NGROK_AUTHTOKEN: authtoken, NGROK_DOMAIN: domain, TUNNEL: _tunnel, ...serverEnv } = process.env;
if (wantsTunnel) {
  if (!authtoken) fail(tunnelHelp(config.port), 2);
  if (process.env.PUBLIC_URL) fail('PUBLIC_URL and --tunnel are both set: the tunnel URL is the public URL. Unset PUBLIC_URL (NGROK_DOMAIN keeps one URL).', 2);
  if (config.port === 0) fail('--tunnel needs a fixed PORT (not 0): the tunnel must know where to forward.', 2);
  // Where the server listens; a wildcard address is reached on loopback.
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  const address = `${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  try {
    tunnel = await openTunnel({ address, authtoken, domain: domain || undefined });
  } catch (error) {
    if (error instanceof TunnelError) fail(error.message);
    throw error;
  }
  // Before the server derives anything from it: issuer, resource, metadata, Host allow-list, cookies.
  serverEnv.PUBLIC_URL = tunnel.url;
  // ngrok's agent is in this process: its requests reach the server from loopback.
  serverEnv.TRUST_PROXY ??= 'loopback';
  process.stderr.write(
    [
      '',
      `  ngrok tunnel: ${tunnel.url} → http://${address}`,
      `  Paste into ChatGPT (Settings → Apps → Create app):  ${tunnel.url}/mcp`,
      ...(domain ? [] : ['  This URL changes on every run, and the issuer with it: connected clients must reconnect.', '  A reserved domain (NGROK_DOMAIN) keeps one URL.']),
      '',
    ].join('\n') + '\n',
  );
}

function startServer(): void {
  // Its own process group, so that stopping it reaches the server under node --watch too.
  server = spawn(process.execPath, ['--watch-path=server', '--watch-path=db', '--watch-preserve-output', 'server/main.ts'], { cwd: ROOT, stdio: 'inherit', env: serverEnv, detached: true });
}

/**
 * Puts a new build where the server reads it, by rename (atomic): a server or test reading the
 * file never sees half of it. Returns false when the build is the same as what is there.
 */
function publishWidget(built: string): boolean {
  let current: string | undefined;
  try {
    current = readFileSync(BUILT_WIDGET_FILE, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === readFileSync(built, 'utf8')) return false;
  mkdirSync(dirname(BUILT_WIDGET_FILE), { recursive: true });
  const staged = `${BUILT_WIDGET_FILE}.${process.pid}.tmp`;
  copyFileSync(built, staged);
  renameSync(staged, BUILT_WIDGET_FILE);
  return true;
}

// The widget is always built for production, whatever NODE_ENV the shell has (the server keeps
// it, above): the same sources give the same file, so `pnpm dev` and `pnpm build` serve one URI.
process.env.NODE_ENV = 'production';
buildDir = mkdtempSync(join(tmpdir(), 'kanban-widget-build-'));
const output = join(buildDir, 'index.html');
watcher = (await build({ configFile: join(ROOT, 'web/vite.config.ts'), build: { watch: {}, outDir: buildDir } })) as Rolldown.RolldownWatcher;

watcher.on('event', (event) => {
  if (event.code === 'ERROR') {
    const waiting = server ? 'the server keeps the last widget' : 'the server starts after the next successful build';
    process.stderr.write(`kanban-mcp dev: the widget did not build (${waiting}): ${event.error.message}\n`);
    void event.result?.close();
  }
  if (event.code !== 'BUNDLE_END') return;
  void event.result.close();
  if (stopping) return;
  try {
    const changed = publishWidget(output);
    // The running server follows the built file (server/mcp/widget.ts): it serves the new build at
    // its new URI without a restart, so the playground keeps its page and its sign-in.
    if (server) {
      if (changed) process.stderr.write('kanban-mcp dev: widget rebuilt, served at its new URI\n');
    } else {
      startServer();
    }
  } catch (error) {
    process.stderr.write(`kanban-mcp dev: could not publish the widget: ${error instanceof Error ? error.message : String(error)}\n`);
    void stop(1);
  }
});
