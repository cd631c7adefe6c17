import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An operator command (server/cli/<name>.ts) as a person runs it, against DATA_DIR `dataDir`. */
export function runCli(name: string, args: string[], dataDir: string, options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const file = fileURLToPath(new URL(`../../server/cli/${name}.ts`, import.meta.url));
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [file, ...args], { env: { ...process.env, DATA_DIR: dataDir, AUTH_ISSUER: '', ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(options.stdin ?? '');
  });
}
