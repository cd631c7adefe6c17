import { read } from 'read';
import type { KanbanDatabase } from '../../db/database.ts';
import { endAccountAccess, type AccessEnded } from '../auth/issuer/account-access.ts';
import { deleteAccount } from '../auth/issuer/account-removal.ts';
import { AccountError, createAccount, findAccountByUsername, resetPassword } from '../auth/issuer/accounts.ts';
import { ACCESS_TOKEN_TTL_SECONDS } from '../auth/issuer/grant-revocation.ts';
import { loadConfig } from '../config.ts';
import { CommandError, openServerDatabase, requireEmbeddedIssuer, runCommand } from './command.ts';

// Accounts of the embedded issuer: `pnpm user:add NAME`, `user:reset NAME`, `user:revoke NAME`,
// `user:delete NAME`. Answers (a password, a confirmation) are read from the terminal, or from
// standard input when it is piped.

const TTL_MINUTES = ACCESS_TOKEN_TTL_SECONDS / 60;
const HELP = `Usage:
  pnpm user:add <username> [--name "Display name"]   create an account
  pnpm user:reset <username>                         set a new password and sign the account out
                                                     everywhere (it keeps its boards and cards)
  pnpm user:revoke <username>                        sign the account out everywhere
  pnpm user:delete <username> [--yes]                delete the account with its boards and cards,
                                                     and sign it out everywhere; asks first unless --yes

Signing out ends the account's sign-in sessions, and its grants to apps (ChatGPT, Claude…) with
their codes and refresh tokens: each app must be connected again. Access tokens already issued
are not stored: they stay valid until they expire (at most ${TTL_MINUTES} minutes).
The password is asked for without echo; in scripts, pipe it in:  echo "$PASSWORD" | pnpm user:add alice
The database is the one the server uses: DATA_DIR (default ./data), also while the server runs.`;

const COMMANDS = new Set(['add', 'reset', 'revoke', 'delete']);

/** The first line of piped standard input: a script's answer. */
async function pipedLine(): Promise<string> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  return input.split(/\r?\n/)[0] ?? '';
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return pipedLine();
  const password = await read({ prompt: 'Password: ', silent: true, replace: '' });
  const again = await read({ prompt: 'Again: ', silent: true, replace: '' });
  if (password !== again) throw new AccountError('The two passwords differ.');
  return password;
}

/** Nothing is deleted unless the username is typed (or piped) back, or --yes is given. */
async function confirmDeletion(username: string): Promise<void> {
  const prompt = `Delete ${username} with all its boards and cards, and sign it out everywhere? This cannot be undone.\nType the username to confirm: `;
  const answer = process.stdin.isTTY ? await read({ prompt }) : await pipedLine();
  if (answer.trim() !== username) throw new CommandError(`Nothing was deleted: the answer was not ${JSON.stringify(username)}. To delete without asking, add --yes.`);
}

async function accountNamed(database: KanbanDatabase, username: string) {
  const account = await findAccountByUsername(database, username);
  if (!account) throw new AccountError(`No account is named ${username}.`);
  return account;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const signedOut = (ended: AccessEnded) =>
  `ended ${plural(ended.sessions, 'session')}, ${plural(ended.grants, 'grant')} and ${plural(ended.tokens, 'code or token', 'codes and tokens')}`;
// Not stored, so not revoked: the resource server checks their signature and expiry only.
const ACCESS_TOKENS = `Access tokens already issued stay valid until they expire (at most ${TTL_MINUTES} minutes)`;

await runCommand({
  help: HELP,
  options: { name: { type: 'string' }, yes: { type: 'boolean' } },
  knownErrors: [AccountError],
  async run({ positionals, values }) {
    const [command, username] = positionals;
    const misused = (values.name !== undefined && command !== 'add') || (values.yes !== undefined && command !== 'delete');
    if (!COMMANDS.has(command ?? '') || !username || positionals.length > 2 || misused) throw new CommandError(`Unknown or incomplete command.\n\n${HELP}`, 2);
    const config = loadConfig();
    requireEmbeddedIssuer(config, 'accounts are kept by');
    const password = command === 'add' || command === 'reset' ? await readPassword() : undefined;
    // user:add on a fresh machine makes the database (the server would on its first start).
    const database = await openServerDatabase(config, { create: command === 'add' });
    try {
      if (command === 'add') {
        const displayName = typeof values.name === 'string' ? values.name : undefined;
        const account = await createAccount(database, { username, password: password!, displayName });
        return void process.stdout.write(`Added ${account.username} (${account.id}) in ${database.location}\n`);
      }
      if (command === 'reset') {
        // The password first: if signing out fails after it, user:revoke finishes the job.
        const account = await resetPassword(database, username, password!);
        const ended = await endAccountAccess(database, account.id);
        return void process.stdout.write(`Reset the password of ${account.username} (${account.id}) in ${database.location}, and signed it out everywhere: ${signedOut(ended)}.\n${ACCESS_TOKENS}.\n`);
      }
      const account = await accountNamed(database, username);
      if (command === 'revoke') {
        const ended = await endAccountAccess(database, account.id);
        return void process.stdout.write(`Signed ${account.username} (${account.id}) out everywhere in ${database.location}: ${signedOut(ended)}.\n${ACCESS_TOKENS}.\n`);
      }
      if (values.yes !== true) await confirmDeletion(account.username);
      const deleted = await deleteAccount(database, account.id);
      process.stdout.write(
        `Deleted ${account.username} (${account.id}) from ${database.location}: ${plural(deleted.boards, 'board')} and ${plural(deleted.cards, 'card')}; ${signedOut(deleted)}.\n` +
          `${ACCESS_TOKENS}: what is written with one until then is kept, under the deleted account's id.\n`,
      );
    } finally {
      await database.close();
    }
  },
});
