import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_PASSWORD_HASH_COST } from './password-cost.ts';

export const MAIN_ENTRY = fileURLToPath(new URL('../../server/main.ts', import.meta.url));

/** A port that was free a moment ago (for a child process that must be told its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resolves once a POST (or GET) to `url` gets any answer below 500; throws after `timeoutMs`. */
export async function untilAnswering(url: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
    try {
      const response = await fetch(url, init);
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export interface ChildServer {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /**
   * Resolves when stdout (or stderr) contains the text. The two are separate pipes: a line seen on
   * one says nothing of what the process wrote to the other just before, so wait on each you read.
   */
  waitFor(text: string, timeoutMs?: number, stream?: 'stdout' | 'stderr'): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node server/main.ts` as a user runs it, with the given environment on top of ours. */
export function spawnServer(env: Record<string, string>): ChildServer {
  // The tests' hash cost only for a test server: config.ts refuses it in production.
  const cost = (env.NODE_ENV ?? 'test') === 'test' ? { PASSWORD_HASH_COST: TEST_PASSWORD_HASH_COST } : {};
  const child = spawn(process.execPath, [MAIN_ENTRY], { env: { ...process.env, NODE_ENV: 'test', ...cost, ...env }, stdio: 'pipe' });
  let out = '';
  let err = '';
  const waiters: { text: string; stream: 'stdout' | 'stderr'; resolve: () => void }[] = [];
  const wake = () => {
    for (const waiter of waiters.filter((w) => (w.stream === 'stdout' ? out : err).includes(w.text))) waiter.resolve();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(text, timeoutMs = 15_000, stream = 'stdout') {
      if ((stream === 'stdout' ? out : err).includes(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}"; stdout: ${out}; stderr: ${err}`)), timeoutMs);
        waiters.push({ text, stream, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then(() => reject(new Error(`server exited before "${text}"; stdout: ${out}; stderr: ${err}`)));
      });
    },
  };
}
