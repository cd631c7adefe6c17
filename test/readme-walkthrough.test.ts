import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/child-server.ts';
import { descendantsOf, survivors } from './support/processes.ts';

// The README's Quick start, followed to the letter in a fresh clone: its "Run it" command, then
// the first tool call over HTTP, then Ctrl-C. The command is read from the README itself, so a
// README that stops working breaks this test.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The committed project (HEAD), README included: what a person who clones it gets.
const clone = mkdtempSync(join(tmpdir(), 'kanban-readme-'));
execFileSync('git', ['clone', '--quiet', ROOT, clone]);
afterAll(() => rmSync(clone, { recursive: true, force: true }));
const README = readFileSync(join(clone, 'README.md'), 'utf8');

/** The shell block that follows a line of the README such as "Run it:". */
function commandAfter(label: string): string {
  const match = new RegExp(`^${label}\\n\\n\`\`\`sh\\n([^\\n]+)\\n\`\`\``, 'm').exec(README);
  if (!match) throw new Error(`README has no "${label}" block`);
  return match[1]!;
}

describe('README: Quick start, from a fresh clone', () => {
  it('names the run and test commands', () => {
    expect(commandAfter('Run it:')).toBe('pnpm install && pnpm dev');
    expect(commandAfter('Test it:')).toBe('pnpm test');
  });

  it('"Run it" installs, builds the widget, starts, answers list_boards over HTTP, and Ctrl-C stops it all', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const run = spawn('bash', ['-c', commandAfter('Run it:')], {
      cwd: clone,
      env: { ...process.env, PORT: String(port), DATA_DIR: '', PUBLIC_URL: '', LOG_LEVEL: 'warn', NODE_ENV: '' },
      stdio: 'pipe',
      detached: true,
    });
    let output = '';
    run.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    run.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => run.on('exit', (code, signal) => resolve({ code, signal })));
    let processes: number[] = [];
    try {
      for (let waited = 0; !output.includes('kanban-mcp is running'); waited += 100) {
        if (waited > 170_000 || run.exitCode !== null) throw new Error(`pnpm dev did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output).toContain(`MCP URL:   http://localhost:${port}/mcp`);
      expect(existsSync(join(clone, 'data/kanban.sqlite'))).toBe(true);
      expect(existsSync(join(clone, 'web/dist/index.html'))).toBe(true);

      const response = await fetch(`http://localhost:${port}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_boards', arguments: {} } }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { result: { structuredContent: { boards: { title: string }[] } } };
      expect(body.result.structuredContent.boards.map((board) => board.title)).toEqual(expect.arrayContaining(['Product roadmap', 'Website relaunch']));
      processes = descendantsOf(run.pid!);
      expect(processes.length).toBeGreaterThanOrEqual(3); // pnpm, the dev runner, the server
    } finally {
      process.kill(-run.pid!, 'SIGINT');
    }
    // As in a terminal: the shell ends on the Ctrl-C, and so does everything it started.
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGINT', `exit ${code} ${signal}`).toBe(true);
    expect(await survivors(processes)).toEqual([]);
  });
});
