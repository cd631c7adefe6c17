import { allSigningKeys, RETIRED_KEY_KEEP_MS, revokeSigningKey, rotateSigningKey } from '../auth/issuer/keys.ts';
import { KEY_CHECK_SECONDS } from '../auth/issuer/live-signing-keys.ts';
import { loadConfig } from '../config.ts';
import { CommandError, openServerDatabase, requireEmbeddedIssuer, runCommand } from './command.ts';

// The embedded issuer's token signing keys: `pnpm keys:list`, `pnpm keys:rotate`, `pnpm keys:revoke KID`.

const KEEP_HOURS = RETIRED_KEY_KEEP_MS / 3_600_000;
const HELP = `Usage:
  pnpm keys:list     the signing keys: the one that signs, and retired ones still published
  pnpm keys:rotate   make a new signing key. Running servers publish it within 5 s; it signs from the next
                     start of kanban-mcp; the current key signs until then and stays published
                     for ${KEEP_HOURS} hours after, so the tokens it signed keep verifying until they expire
  pnpm keys:revoke <kid>
                     end a key now (it leaked): tokens it signed are refused, and a server that
                     signed with it signs with the newest other key (made if there is none)

Running servers read the keys every ${KEY_CHECK_SECONDS} seconds: a new key is published, a revoked one
refused, without a restart. Works on the server's database (DATA_DIR, default ./data).`;

await runCommand({
  help: HELP,
  async run({ positionals }) {
    const [command, kid] = positionals;
    const wellFormed = command === 'revoke' ? positionals.length === 2 : (command === 'list' || command === 'rotate') && positionals.length === 1;
    if (!wellFormed) throw new CommandError(`Unknown or incomplete command.\n\n${HELP}`, 2);
    const config = loadConfig();
    requireEmbeddedIssuer(config, 'tokens are signed by');
    const database = await openServerDatabase(config);
    try {
      if (command === 'rotate') {
        const { newKid, replaces } = await rotateSigningKey(database);
        process.stdout.write(
          `New signing key ${newKid}: it signs from the next start of kanban-mcp.\n` +
            (replaces.length > 0 ? `${replaces.join(', ')} signs until then, and stays published for ${KEEP_HOURS} hours after, so tokens it signed keep verifying until they expire.\n` : '') +
            'Restart kanban-mcp (every replica, within those hours) to start signing with the new key.\n',
        );
        return;
      }
      if (command === 'revoke') {
        const revocation = await revokeSigningKey(database, kid!);
        if (revocation.outcome === 'unknown') throw new CommandError(`No signing key ${JSON.stringify(kid)}: pnpm keys:list shows them.`);
        if (revocation.outcome === 'already ended') return void process.stdout.write(`${kid} already verifies nothing: nothing to do.\n`);
        process.stdout.write(
          `Revoked ${kid}: within ${KEY_CHECK_SECONDS} seconds every running kanban-mcp refuses the tokens it signed and stops publishing it.\n` +
            (revocation.replacement ? `New signing key ${revocation.replacement} signs in its place.\n` : '') +
            'Clients holding those access tokens must refresh them (their refresh tokens still work).\n',
        );
        return;
      }
      const now = Date.now();
      const keys = await database.read((db) => allSigningKeys(database, db));
      const unretired = keys.filter((key) => key.retiredAt === null);
      for (const key of keys) {
        const until = key.retiredAt ? key.retiredAt.getTime() + RETIRED_KEY_KEEP_MS : undefined;
        const status =
          until !== undefined ? (until > now ? `retired, published until ${new Date(until).toISOString()}` : 'retired, no longer published')
          : unretired.length === 1 ? 'signs'
          : key === unretired[0] ? 'signs from the next start'
          : `signs until the next start, then stays published for ${KEEP_HOURS} hours`;
        process.stdout.write(`${key.kid}  ${key.alg}  made ${key.createdAt.toISOString()}  ${status}\n`);
      }
    } finally {
      await database.close();
    }
  },
});
