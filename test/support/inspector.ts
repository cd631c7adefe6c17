import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// MCP Inspector, the MCP project's own debugging client, run in its CLI mode (`mcp-inspector --cli`)
// against an MCP URL over Streamable HTTP: its JSON answer on stdout, its error report on stderr.

const INSPECTOR = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js', import.meta.url));

export function inspectorCli(mcpUrl: string, args: string[]): Promise<{ code: number; json: any; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [INSPECTOR, '--cli', mcpUrl, '--transport', 'http', ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: error ? Number(error.code ?? 1) : 0, json, stderr });
    });
  });
}
