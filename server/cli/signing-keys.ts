import { desc } from 'drizzle-orm';
import { signingKeys } from '../../db/schema.ts';
import { RETIRED_KEY_KEEP_MS, rotateSigningKey } from '../auth/issuer/keys.ts';
import { CommandError, openServerDatabase, runCommand, serverConfig } from './command.ts';

// The embedded issuer's token signing keys: `pnpm keys:list`, `pnpm keys:rotate`.

const KEEP_HOURS = RETIRED_KEY_KEEP_MS / 3_600_000;
const HELP = `Usage:
  pnpm keys:list     the signing keys: the one that signs, and retired ones still published
  pnpm keys:rotate   make a new signing key; the current one is retired but stays published
                     for ${KEEP_HOURS} hours, so the tokens it signed keep verifying until they expire

The server loads its keys when it starts: restart it after rotating to sign with the new key.
Works on the server's database (DATA_DIR, default ./data).`;

await runCommand({
  help: HELP,
  async run({ positionals }) {
    const [command] = positionals;
    if ((command !== 'list' && command !== 'rotate') || positionals.length !== 1) throw new CommandError(`Unknown or incomplete command.\n\n${HELP}`, 2);
    const config = serverConfig();
    if (config.authIssuer !== undefined) throw new CommandError(`AUTH_ISSUER is set: tokens are signed by ${config.authIssuer}, not by kanban-mcp.`);
    const database = openServerDatabase(config);
    try {
      if (command === 'rotate') {
        const { newKid, retired } = await rotateSigningKey(database.db);
        process.stdout.write(
          `New signing key ${newKid}.\n` +
            (retired.length > 0 ? `Retired ${retired.join(', ')}: still published for ${KEEP_HOURS} hours, so tokens it signed keep verifying until they expire.\n` : '') +
            'Restart kanban-mcp to start signing with the new key.\n',
        );
        return;
      }
      const now = Date.now();
      for (const key of database.db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt)).all()) {
        const until = key.retiredAt ? key.retiredAt.getTime() + RETIRED_KEY_KEEP_MS : undefined;
        const status = until === undefined ? 'signs' : until > now ? `retired, published until ${new Date(until).toISOString()}` : 'retired, no longer published';
        process.stdout.write(`${key.kid}  ${key.alg}  made ${key.createdAt.toISOString()}  ${status}\n`);
      }
    } finally {
      database.close();
    }
  },
});
