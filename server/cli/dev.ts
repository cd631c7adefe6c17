import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';

// `pnpm dev`, in one terminal: Vite rebuilds the widget on every change under web/src, and the
// server restarts when the widget is rebuilt (a new build is a new widget URI) or when server/ or
// db/ change (node --watch). Ctrl-C stops both and leaves nothing running.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STOP_GRACE_MS = 12_000;

let server: ChildProcess | undefined;
let stopping = false;

function startServer(): void {
  server = spawn(process.execPath, ['--watch-path=server', '--watch-path=db', '--watch-preserve-output', 'server/main.ts'], { cwd: ROOT, stdio: 'inherit' });
}

/** Stops the server and resolves once it has exited (SIGKILL if it will not). */
function stopServer(): Promise<void> {
  const running = server;
  server = undefined;
  if (!running || running.exitCode !== null || running.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => running.kill('SIGKILL'), STOP_GRACE_MS);
    running.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    running.kill('SIGTERM');
  });
}

// emptyOutDir off: the one output file is overwritten in place, never missing while the server restarts.
const watcher = (await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), build: { watch: {}, emptyOutDir: false } })) as Rolldown.RolldownWatcher;

let restarts = Promise.resolve();
watcher.on('event', (event) => {
  if (event.code === 'ERROR') {
    process.stderr.write(`kanban-mcp dev: the widget did not build: ${event.error.message}\n`);
    void event.result?.close();
  }
  if (event.code !== 'BUNDLE_END') return;
  void event.result.close();
  restarts = restarts.then(async () => {
    if (stopping) return;
    if (server) process.stdout.write('kanban-mcp dev: widget rebuilt, restarting the server\n');
    await stopServer();
    if (!stopping) startServer();
  });
});

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await watcher.close();
  await restarts;
  await stopServer();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
