import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_CLI, useConformanceRun } from './support/conformance.ts';
import { freePort } from './support/child-server.ts';
import { authorizeInBrowser, makeAccount, registerClient } from './support/oauth-steps.ts';

// The MCP project's conformance suite for authorization servers. Its code-grant scenario prints
// an authorization URL for a person to open and waits on a loopback callback: the test plays
// that person with our sign-in and consent forms, then delivers the redirect to the suite.


const run = useConformanceRun();

describe('@modelcontextprotocol/conformance authorization scenarios', () => {
  it('pass against the embedded issuer: metadata endpoint and authorization code grant', async () => {
    const port = await freePort();
    const client = await registerClient(run.kanban, { client_name: 'MCP conformance', redirect_uris: [`http://127.0.0.1:${port}/callback`], application_type: 'native' });
    const account = await makeAccount(run.kanban);
    const child = spawn(process.execPath, [CONFORMANCE_CLI, 'authorization', '--url', run.kanban.url, '--client-id', client.client_id, '--resource', run.kanban.mcpUrl, '-p', String(port), '-o', run.outputDir], { stdio: 'pipe' });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const authorizationUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no authorization URL printed: ${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((candidate) => candidate.startsWith(`${run.kanban.url}/oauth/authorize?`));
        if (line) {
          clearTimeout(timer);
          resolve(line.trim());
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    const { redirect } = await authorizeInBrowser(run.kanban, authorizationUrl, account);
    expect(redirect?.origin).toBe(`http://127.0.0.1:${port}`);
    await fetch(redirect!);
    const code = await exited;
    expect(output).toMatch(/✓ authorization-server-metadata-endpoint: [1-9]\d* passed, 0 failed/);
    expect(output).toMatch(/✓ authorization-code-grant: [1-9]\d* passed, 0 failed/);
    expect(code, output).toBe(0);
  });
});
