import { read } from 'read';
import { AccountError, createAccount, resetPassword } from '../auth/issuer/accounts.ts';
import { loadConfig } from '../config.ts';
import { CommandError, openServerDatabase, requireEmbeddedIssuer, runCommand } from './command.ts';

// Accounts of the embedded issuer: `pnpm user:add NAME`, `pnpm user:reset NAME`. The password is
// read from the terminal without echo, or from standard input when it is piped.

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

await runCommand({
  help: HELP,
  options: { name: { type: 'string' } },
  knownErrors: [AccountError],
  async run({ positionals, values }) {
    const [command, username] = positionals;
    if ((command !== 'add' && command !== 'reset') || !username || positionals.length > 2) throw new CommandError(`Unknown or incomplete command.\n\n${HELP}`, 2);
    const config = loadConfig();
    requireEmbeddedIssuer(config, 'accounts are kept by');
    const password = await readPassword();
    // user:add on a fresh machine makes the database (the server would on its first start).
    const database = await openServerDatabase(config, { create: command === 'add' });
    try {
      const displayName = typeof values.name === 'string' ? values.name : undefined;
      const account = command === 'add' ? await createAccount(database, { username, password, displayName }) : await resetPassword(database, username, password);
      process.stdout.write(`${command === 'add' ? 'Added' : 'Reset the password of'} ${account.username} (${account.id}) in ${database.location}\n`);
    } finally {
      await database.close();
    }
  },
});
