import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_CLI, useConformanceRun } from './support/conformance.ts';

// The MCP project's own conformance suite, run against the real server for each requirement set
// we serve: 2026-07-28 (server/discover, the per-request _meta envelope) and 2025-11-25
// (initialize, stateless). What does not apply is listed, one reason each, in
// conformance/expected-failures.<revision>.yml: the CLI fails the run on an unexpected failure
// and on a listed scenario or check that passes. (The default "active" suite is not run as
// well: it is the 2025-11-25 set plus server-session-lifecycle, which records no checks
// against a stateless server.)

type Status = 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
interface Check {
  id: string;
  status: Status;
  errorMessage?: string;
}
interface Entry {
  scenario: string;
  checkId?: string;
}

/**
 * Per revision, the scenarios that must pass, each with the checks that must have succeeded
 * (every occurrence). Any other failing or warning check in them is a failure of this test,
 * unless the expected-failures file names that very check.
 */
const MUST_PASS: Record<'2026-07-28' | '2025-11-25', Record<string, string[]>> = {
  '2026-07-28': {
    'server-stateless': [
      'sep-2575-server-implements-discover',
      'sep-2575-server-identifies-in-result-meta',
      'sep-2575-discover-capabilities-match-handlers',
      'sep-2575-request-meta-invalid-missing-meta',
      'sep-2575-http-server-meta-invalid-400',
      'sep-2575-server-unsupported-version-error',
      'sep-2575-http-server-header-mismatch-400',
      'sep-2575-http-server-method-not-found-404-initialize',
      'sep-2575-http-server-error-jsonrpc-id',
    ],
    'tools-list': ['tools-list', 'tools-name-format', 'tools-list-deterministic-order', 'wire-schema-valid'],
    'resources-list': ['resources-list', 'wire-schema-valid'],
    'sep-2164-resource-not-found': ['sep-2164-error-code', 'sep-2164-data-uri', 'sep-2164-no-empty-contents'],
    caching: [
      'sep-2549-tools-list-caching-hints',
      'sep-2549-resources-list-caching-hints',
      'sep-2549-resources-templates-list-caching-hints',
      'sep-2549-resources-read-caching-hints',
      'sep-2549-ttl-non-negative',
      'sep-2549-cache-scope-valid',
    ],
    'dns-rebinding-protection': ['localhost-host-rebinding-rejected', 'localhost-host-valid-accepted'],
    'server-sse-multiple-streams': ['server-accepts-multiple-post-streams'],
    // Pending, so the CLI does not score it: we hold ourselves to it (SEP-2243 header validation).
    'http-header-validation': ['sep-2243-server-reject-invalid-headers', 'sep-2243-server-reject-error-code', 'sep-2243-header-name-case-insensitive'],
  },
  '2025-11-25': {
    'server-initialize': ['server-initialize', 'wire-schema-valid'],
    ping: ['ping', 'wire-schema-valid'],
    'tools-list': ['tools-list', 'tools-name-format', 'wire-schema-valid'],
    'resources-list': ['resources-list', 'wire-schema-valid'],
    'dns-rebinding-protection': ['localhost-host-rebinding-rejected', 'localhost-host-valid-accepted'],
  },
};

const run = useConformanceRun();

function expectedFailuresFile(revision: string): string {
  return fileURLToPath(new URL(`./conformance/expected-failures.${revision}.yml`, import.meta.url));
}

/** The file's `server:` entries, `scenario` or `scenario:check-id` (the CLI reads the same list). */
function readExpectedFailures(file: string): Entry[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === 'server:');
  expect(start, `${file} has a server: list`).toBeGreaterThanOrEqual(0);
  const entries: Entry[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next top-level key
    const item = /^\s+-\s+([^\s#]+)/.exec(line)?.[1];
    if (!item) continue;
    const [scenario, checkId] = item.split(':');
    entries.push({ scenario: scenario!, checkId });
  }
  return entries;
}

/** Each scenario's checks, from the `server-<scenario>-<timestamp>/checks.json` the CLI wrote. */
function readResults(dir: string): Map<string, Check[]> {
  const results = new Map<string, Check[]>();
  for (const name of readdirSync(dir)) {
    const scenario = name.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    results.set(scenario, JSON.parse(readFileSync(join(dir, name, 'checks.json'), 'utf8')) as Check[]);
  }
  return results;
}

const failing = (check: Check) => check.status === 'FAILURE' || check.status === 'WARNING';

function runConformance(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CONFORMANCE_CLI, ...args], { timeout: 100_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe('@modelcontextprotocol/conformance server scenarios', () => {
  for (const [revision, mustPass] of Object.entries(MUST_PASS)) {
    it(`requirement set ${revision}: pass, apart from the listed ones that do not apply`, { timeout: 120_000 }, async () => {
      const file = expectedFailuresFile(revision);
      const outputDir = join(run.outputDir, revision);
      const { code, output } = await runConformance(['server', '--url', run.kanban.mcpUrl, '--requirements', revision, '--expected-failures', file, '-o', outputDir]);
      expect(output).toContain(`Running requirements ${revision}`);
      expect(output).toContain('Baseline check passed');
      expect(code, output).toBe(0);

      const results = readResults(outputDir);
      expect(results.size, 'the scenarios ran and wrote their results').toBeGreaterThan(0);
      const entries = readExpectedFailures(file);

      // Every entry names a failure of this run. (The CLI only flags an entry that passes, and
      // only in scored scenarios: not one for a scenario that did not run or a check it never made.)
      for (const { scenario, checkId } of entries) {
        const checks = results.get(scenario);
        expect(checks, `${scenario} ran`).toBeDefined();
        const matching = checkId ? checks!.filter((check) => check.id === checkId) : checks!;
        expect(matching.some(failing), `${scenario}${checkId ? `:${checkId}` : ''} is listed but did not fail`).toBe(true);
      }

      for (const [scenario, required] of Object.entries(mustPass)) {
        expect(entries.some((entry) => entry.scenario === scenario && !entry.checkId), `${scenario} is listed wholesale`).toBe(false);
        const checks = results.get(scenario);
        expect(checks, `${scenario} ran`).toBeDefined();
        for (const id of required) {
          const occurrences = checks!.filter((check) => check.id === id);
          expect(occurrences.length, `${scenario}: ${id} recorded`).toBeGreaterThan(0);
          expect(occurrences.map((check) => check.status), `${scenario}: ${id}`).toEqual(occurrences.map(() => 'SUCCESS'));
        }
        const excused = new Set(entries.filter((entry) => entry.scenario === scenario).map((entry) => entry.checkId));
        const unexcused = checks!.filter((check) => failing(check) && !excused.has(check.id));
        expect(unexcused.map((check) => `${check.id}: ${check.status} ${check.errorMessage ?? ''}`), scenario).toEqual([]);
      }
    });
  }
});
