import { execFileSync } from 'node:child_process';

/** Every process below `pid`, found through their parents. */
export function descendantsOf(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean);
  } catch {
    children = []; // ps exits 1 when there are none
  }
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (up to 5 s) for the processes to end; returns those still running. */
export async function survivors(pids: readonly number[]): Promise<number[]> {
  for (let tries = 0; tries < 100 && pids.some(isRunning); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
  return pids.filter(isRunning);
}
