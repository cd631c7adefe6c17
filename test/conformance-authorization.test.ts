import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/child-server.ts';
import { removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';
import { authorizeInBrowser, makeAccount, registerClient } from './support/oauth-steps.ts';

// The MCP project's conformance suite for authorization servers. Its code-grant scenario prints
// an authorization URL for a person to open and waits on a loopback callback: the test plays
// that person with our sign-in and consent forms, then delivers the redirect to the suite.

const CLI = fileURLToPath(new URL('../node_modules/@modelcontextprotocol/conformance/dist/index.js', import.meta.url));

let kanban: RunningKanban;
let outputDir: string;
beforeAll(async () => {
  kanban = await startKanban({ env: { LOG_LEVEL: 'silent' } });
  outputDir = mkdtempSync(join(tmpdir(), 'kanban-as-conformance-'));
});
afterAll(async () => {
  await kanban.stop();
  removeDataDir(kanban.dataDir);
  rmSync(outputDir, { recursive: true, force: true });
});

describe('@modelcontextprotocol/conformance authorization scenarios', () => {
  it('pass against the embedded issuer: metadata endpoint and authorization code grant', async () => {
    const port = await freePort();
    const client = await registerClient(kanban, { client_name: 'MCP conformance', redirect_uris: [`http://127.0.0.1:${port}/callback`], application_type: 'native' });
    const account = await makeAccount(kanban);
    const child = spawn(process.execPath, [CLI, 'authorization', '--url', kanban.url, '--client-id', client.client_id, '--resource', kanban.mcpUrl, '-p', String(port), '-o', outputDir], { stdio: 'pipe' });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const authorizationUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no authorization URL printed: ${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((candidate) => candidate.startsWith(`${kanban.url}/oauth/authorize?`));
        if (line) {
          clearTimeout(timer);
          resolve(line.trim());
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    const { redirect } = await authorizeInBrowser(kanban, authorizationUrl, account);
    expect(redirect?.origin).toBe(`http://127.0.0.1:${port}`);
    await fetch(redirect!);
    const code = await exited;
    expect(output).toMatch(/✓ authorization-server-metadata-endpoint: [1-9]\d* passed, 0 failed/);
    expect(output).toMatch(/✓ authorization-code-grant: [1-9]\d* passed, 0 failed/);
    expect(code, output).toBe(0);
  });
});
