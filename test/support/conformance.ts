import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { useKanban, type RunningKanban } from './kanban-server.ts';

/** The MCP project's conformance suite, run as its own CLI. */
export const CONFORMANCE_CLI = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/conformance/dist/index.js', import.meta.url));

/** A quiet server and a scratch folder for the suite's results, for one test file. */
export function useConformanceRun(): { readonly kanban: RunningKanban; readonly outputDir: string } {
  const shared = useKanban({ env: { LOG_LEVEL: 'silent' } });
  let outputDir = '';
  beforeAll(() => {
    outputDir = mkdtempSync(join(tmpdir(), 'kanban-conformance-'));
  });
  afterAll(() => rmSync(outputDir, { recursive: true, force: true }));
  return {
    get kanban() {
      return shared.kanban;
    },
    get outputDir() {
      return outputDir;
    },
  };
}
