import { ACCESS_TOKEN_TTL_SECONDS } from '../auth/issuer/grant-revocation.ts';
import { listRegisteredClients, revokeRegisteredClient } from '../auth/issuer/registered-clients.ts';
import { loadConfig } from '../config.ts';
import { CommandError, openServerDatabase, printable, quoted, requireEmbeddedIssuer, runCommand } from './command.ts';

// The OAuth clients registered with the embedded issuer: `pnpm clients:list`, and
// `pnpm clients:revoke CLIENT_ID` (with all its grants and tokens).

const HELP = `Usage:
  pnpm clients:list                  the OAuth clients registered with the embedded issuer (ChatGPT,
                                     Claude, MCP Inspector…), newest first, with their grants
  pnpm clients:revoke <client_id>    delete one client with its grants and every code and refresh
                                     token issued to it (its users must connect it again)

Works on the server's database (DATA_DIR, default ./data), also while the server runs.`;

await runCommand({
  help: HELP,
  async run({ positionals }) {
    const [command, clientId] = positionals;
    const listing = command === 'list' && positionals.length === 1;
    const revoking = command === 'revoke' && clientId !== undefined && positionals.length === 2;
    if (!listing && !revoking) throw new CommandError(`Unknown or incomplete command.\n\n${HELP}`, 2);
    const config = loadConfig();
    requireEmbeddedIssuer(config, 'clients are registered with and managed by');
    const database = await openServerDatabase(config);
    try {
      if (listing) {
        const clients = await listRegisteredClients(database);
        if (clients.length === 0) return void process.stdout.write('No registered clients.\n');
        for (const client of clients) {
          if (client.kind === 'metadata document') {
            process.stdout.write(`${printable(client.clientId)}  (client metadata document)  grants ${client.grants}\n`);
            continue;
          }
          const registered = client.registeredAt ? client.registeredAt.toISOString().slice(0, 16).replace('T', ' ') : 'unknown';
          const name = client.name === null ? '(no name)' : quoted(client.name);
          process.stdout.write(`${printable(client.clientId)}  ${name}  registered ${registered}  grants ${client.grants}\n    ${client.redirectUris.map(printable).join(' ')}\n`);
        }
        return;
      }
      const revoked = await revokeRegisteredClient(database, clientId!);
      if (!revoked) throw new CommandError(`No client ${quoted(clientId!)} is known to the issuer: pnpm clients:list shows them.`);
      process.stdout.write(
        `Revoked ${clientId}: deleted it, ${revoked.grants} grant${revoked.grants === 1 ? '' : 's'} and ${revoked.tokens} code${revoked.tokens === 1 ? '' : 's'} and token${revoked.tokens === 1 ? '' : 's'}.\n` +
          `It can no longer refresh or use its grants. Access tokens it already holds stay valid until they expire (at most ${ACCESS_TOKEN_TTL_SECONDS / 60} minutes).\n`,
      );
    } finally {
      await database.close();
    }
  },
});
