import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/child-server.ts';
import { runCli } from './support/cli.ts';
import { makeDataDir, removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';

// pnpm check:app against real servers: one configured as a submission needs (https public URL,
// privacy policy, support page), one without its privacy policy, and none at all.

const PUBLIC_URL = 'https://kanban-check.example';
const SUBMITTABLE = { PUBLIC_URL, PRIVACY_POLICY_URL: 'https://kanban-check.example/privacy', SUPPORT_URL: 'https://kanban-check.example/support' };
const ROWS = [
  'An https public URL',
  'Every tool has its read-only, destructive and open-world hints',
  'Every tool declares its securitySchemes',
  "The widget's CSP is declared",
  "The widget's domain is declared",
  'Descriptions within length limits',
  'A privacy policy URL (PRIVACY_POLICY_URL)',
  'A support URL (SUPPORT_URL)',
  'Sign-in is reachable from the challenge',
];

/** The rows of the CLI's table: [passed or FAILED, check]. */
function rowsOf(stdout: string): [string, string][] {
  return stdout
    .split('\n')
    .filter((line) => /^ {2}(passed|FAILED) {2}/.test(line))
    .map((line) => [line.slice(2, 8), ROWS.find((check) => line.slice(10).startsWith(check)) ?? line]);
}

describe('pnpm check:app', () => {
  let complete: RunningKanban;
  let withoutPrivacy: RunningKanban;
  const cliDir = makeDataDir();

  beforeAll(async () => {
    [complete, withoutPrivacy] = await Promise.all([startKanban({ env: SUBMITTABLE }), startKanban({ env: { PUBLIC_URL, SUPPORT_URL: SUBMITTABLE.SUPPORT_URL } })]);
  });
  afterAll(async () => {
    for (const kanban of [complete, withoutPrivacy]) {
      await kanban?.stop();
      if (kanban) removeDataDir(kanban.dataDir);
    }
    removeDataDir(cliDir);
  });

  const check = (kanban: RunningKanban) => runCli('check-app', ['--connect-to', new URL(kanban.url).host], cliDir, { env: { PUBLIC_URL } });

  it('passes every row against a server with everything set, and exits 0', async () => {
    const run = await check(complete);
    expect(run.stderr).toBe('');
    expect(rowsOf(run.stdout)).toEqual(ROWS.map((row) => ['passed', row]));
    expect(run.stdout).toContain('  passed  Sign-in is reachable from the challenge');
    expect(run.stdout).toContain(`create_card → ${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp → ${PUBLIC_URL}`);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('9 passed, 0 failed');
    expect(run.code).toBe(0);
  });

  it('names what is missing (the privacy policy URL) and exits non-zero', async () => {
    const run = await check(withoutPrivacy);
    expect(rowsOf(run.stdout)).toEqual(ROWS.map((row) => [row.startsWith('A privacy policy') ? 'FAILED' : 'passed', row]));
    expect(run.stdout).toMatch(/FAILED {2}A privacy policy URL \(PRIVACY_POLICY_URL\) +not configured as an https URL: set PRIVACY_POLICY_URL/);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('8 passed, 1 failed');
    expect(run.code).toBe(1);
  });

  it('with no server there: one line saying so, exit 1', async () => {
    const port = await freePort();
    const run = await runCli('check-app', [`http://127.0.0.1:${port}`], cliDir);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^kanban-mcp: could not read http:\/\/127\.0\.0\.1:\d+: fetch failed \(.*ECONNREFUSED.*\)\. Is the server running there\?\n$/);
    expect(run.code).toBe(1);
  });
});
