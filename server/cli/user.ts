import { parseArgs } from 'node:util';
import { read } from 'read';
import { z } from 'zod';
import { openDatabase } from '../../db/client.ts';
import { AccountError, createAccount, resetPassword } from '../auth/issuer/accounts.ts';
import { ConfigError, loadConfig } from '../config.ts';

// Operator command for the embedded issuer's accounts: `pnpm user:add NAME`, `pnpm user:reset NAME`.
// The password is read from the terminal without echo, or from standard input when it is piped.

const HELP = `Usage:
  pnpm user:add <username> [--name "Display name"]   create an account
  pnpm user:reset <username>                         set a new password (the account keeps its data)

The password is asked for without echo; in scripts, pipe it in:  echo "$PASSWORD" | pnpm user:add alice
The database is the one the server uses: DATA_DIR (default ./data).`;

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    return input.split(/\r?\n/)[0] ?? '';
  }
  const password = await read({ prompt: 'Password: ', silent: true, replace: '' });
  const again = await read({ prompt: 'Again: ', silent: true, replace: '' });
  if (password !== again) throw new AccountError('The two passwords differ.');
  return password;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const [command, username] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if ((command !== 'add' && command !== 'reset') || !username || positionals.length > 2) throw new AccountError(`Unknown or incomplete command.\n\n${HELP}`);
  const config = loadConfig();
  const password = await readPassword();
  const database = openDatabase(config.databaseFile);
  try {
    const account = command === 'add' ? await createAccount(database.db, { username, password, displayName: values.name }) : await resetPassword(database.db, username, password);
    process.stdout.write(`${command === 'add' ? 'Added' : 'Reset the password of'} ${account.username} (${account.id}) in ${config.databaseFile}\n`);
  } finally {
    database.close();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  const known = error instanceof AccountError || error instanceof ConfigError;
  const message = error instanceof z.ZodError ? error.issues[0]!.message : known ? (error as Error).message : undefined;
  if (message === undefined) throw error;
  process.stderr.write(`kanban-mcp: ${message}\n`);
  process.exit(1);
}
