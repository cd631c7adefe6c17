import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_PASSWORD_HASH_COST } from './password-cost.ts';
import { databaseEnv } from './test-database.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An operator command (server/cli/<name>.ts) as a person runs it, against DATA_DIR `dataDir` (and its database on PostgreSQL runs). */
export async function runCli(name: string, args: string[], dataDir: string, options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const file = fileURLToPath(new URL(`../../server/cli/${name}.ts`, import.meta.url));
  const database = await databaseEnv(dataDir);
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [file, ...args], { env: { ...process.env, ...database, AUTH_ISSUER: '', PASSWORD_HASH_COST: TEST_PASSWORD_HASH_COST, ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(options.stdin ?? '');
  });
}
