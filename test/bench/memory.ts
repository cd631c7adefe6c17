import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Server memory for the http part (issue 15 asks for it, with no target yet): each of our server
// processes' resident set size at idle and after its load.

/** A process's resident set size in MB, from Linux's /proc (elsewhere: undefined). */
export function residentMb(child: ChildProcess): number | undefined {
  try {
    const kilobytes = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) / 1024;
  } catch {
    return undefined;
  }
}

/** "Memory (RSS) of …: 91 MB at idle, 132 MB after its load", one figure per replica. */
export function memoryNote(label: string, idle: (number | undefined)[], loaded: (number | undefined)[]): string {
  const figures = (values: (number | undefined)[]) => (values.every((value) => value !== undefined) ? `${values.map((value) => value!.toFixed(0)).join(' / ')} MB` : 'not known here');
  return `Memory (RSS) of ours on ${label}: ${figures(idle)} at idle (started, one tools/list answered), ${figures(loaded)} after its load.`;
}
