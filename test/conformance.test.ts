import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_CLI, useConformanceRun } from './support/conformance.ts';

// The MCP project's own conformance suite, run against the real server. Scenarios that do not
// apply are listed, each with its reason, in conformance/expected-failures.yml; the suite fails
// on an unexpected failure and on a listed scenario that starts passing.

const EXPECTED_FAILURES = fileURLToPath(new URL('./conformance/expected-failures.yml', import.meta.url));
const MUST_PASS = ['server-initialize', 'ping', 'tools-list', 'resources-list', 'dns-rebinding-protection'];

const run = useConformanceRun();

function runConformance(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CONFORMANCE_CLI, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe('@modelcontextprotocol/conformance server scenarios', () => {
  it('pass, apart from the listed ones that do not apply', async () => {
    const { code, output } = await runConformance(['server', '--url', run.kanban.mcpUrl, '--expected-failures', EXPECTED_FAILURES, '-o', run.outputDir]);
    expect(output).toContain('Baseline check passed');
    expect(code, output).toBe(0);
    for (const scenario of MUST_PASS) expect(output).toMatch(new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`));
  });

  it('record at least one successful check per must-pass scenario', () => {
    const scenarios = readdirSync(run.outputDir);
    for (const scenario of MUST_PASS) {
      const dir = scenarios.find((name) => new RegExp(`^server-${scenario}-\\d{4}-`).test(name));
      expect(dir, scenario).toBeDefined();
      const checks = JSON.parse(readFileSync(join(run.outputDir, dir!, 'checks.json'), 'utf8')) as { status: string }[];
      expect(checks.some((check) => check.status === 'SUCCESS')).toBe(true);
      expect(checks.filter((check) => check.status === 'FAILURE')).toEqual([]);
    }
  });
});
