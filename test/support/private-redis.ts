import { spawn } from 'node:child_process';
import { createClient } from 'redis';
import { expect } from 'vitest';
import { freePort } from './child-server.ts';

// A redis-server of a test's own, on a free loopback port, that the test may kill: how a shared
// budget store that goes away is met for real (the machine's Redis stays up for the other tests).

/** Whether a Redis answers at `url`. */
export async function redisAnswersAt(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.close();
    return true;
  } catch {
    return false;
  }
}

export interface PrivateRedis {
  url: string;
  /** Kills it (SIGKILL), resolving once it has exited; again is harmless. */
  kill(): Promise<void>;
}

/** A redis-server of its own, answering; undefined when this machine has no redis-server. */
export async function startPrivateRedis(): Promise<PrivateRedis | undefined> {
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    await new Promise<void>((resolve, reject) => (redis.once('spawn', resolve), redis.once('error', reject)));
  } catch {
    return undefined;
  }
  const exited = new Promise<void>((resolve) => redis.once('exit', () => resolve()));
  const kill = async () => {
    redis.kill('SIGKILL');
    await exited;
  };
  const url = `redis://127.0.0.1:${port}`;
  try {
    await expect.poll(() => redisAnswersAt(url)).toBe(true);
  } catch (error) {
    await kill();
    throw error;
  }
  return { url, kill };
}
