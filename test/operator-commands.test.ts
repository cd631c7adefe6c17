import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';
import { freePort } from './support/child-server.ts';
import { signInActor } from './support/kanban-actors.ts';
import { LOAD_LIMITS, makeDataDir, removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';
import { exchangeCode, getCode, makeAccount, registerClient, signedInClient } from './support/oauth-steps.ts';
import { TEST_ENGINE } from './support/test-database.ts';
import { refresh, whoamiStatus } from './support/token-helpers.ts';

// The operator commands of docs/operations.md, each run as a person runs it (a separate process on
// the server's DATA_DIR), against a real server that is running at the time.

const servers: RunningKanban[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.stop();
    removeDataDir(server.dataDir);
  }
});

async function running(options: Parameters<typeof startKanban>[0] = {}): Promise<RunningKanban> {
  const server = await startKanban({ ...options, env: { LOG_LEVEL: 'silent', ...options.env } });
  servers.push(server);
  return server;
}

describe('every operator command', () => {
  it.each([
    ['user', ['--help'], 'pnpm user:add <username>'],
    ['user', ['--help'], 'pnpm user:revoke <username>'],
    ['user', ['--help'], 'pnpm user:delete <username> [--yes]'],
    ['signing-keys', ['--help'], 'pnpm keys:rotate'],
    ['clients', ['--help'], 'pnpm clients:revoke <client_id>'],
    ['backup', ['--help'], 'pnpm db:backup <file>'],
  ])('%s %s prints its usage and exits 0', async (name, args, usage) => {
    const run = await runCli(name, args, makeDataDir());
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage:\n/);
    expect(run.stdout).toContain(usage);
  });

  it.each([
    ['signing-keys', ['spin']],
    ['user', ['delete']],
    ['user', ['revoke', 'alice', '--yes']],
    ['clients', ['revoke']],
    ['backup', []],
  ])('%s %o is refused with the usage and exit code 2', async (name, args) => {
    const run = await runCli(name, args, makeDataDir());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^kanban-mcp: .*\n\nUsage:/s);
  });

  it.each([
    ['user', ['add', 'alice'], 'accounts are kept by'],
    ['user', ['delete', 'alice', '--yes'], 'accounts are kept by'],
    ['signing-keys', ['rotate'], 'tokens are signed by'],
    ['clients', ['list'], 'clients are registered with and managed by'],
  ])('%s %o refuses when AUTH_ISSUER names another identity provider', async (name, args, what) => {
    const run = await runCli(name, args, makeDataDir(), { env: { AUTH_ISSUER: 'https://tenant.example/' }, stdin: 'a long enough password\n' });
    expect(run).toMatchObject({ code: 1, stderr: `kanban-mcp: AUTH_ISSUER is set: ${what} https://tenant.example/, not by kanban-mcp.\n` });
  });

  // On PostgreSQL the database is named by DATABASE_URL, not found under DATA_DIR.
  it.skipIf(TEST_ENGINE !== 'sqlite')('refuses a DATA_DIR with no database instead of making an empty one', async () => {
    const empty = makeDataDir();
    for (const [name, args] of [['signing-keys', ['list']], ['clients', ['list']], ['backup', [join(empty, 'copy.sqlite')]]] as const) {
      const run = await runCli(name, [...args], empty);
      expect(run.code, name).toBe(1);
      expect(run.stderr, name).toMatch(/^kanban-mcp: no database at .*kanban\.sqlite: /);
    }
    expect(existsSync(join(empty, 'kanban.sqlite'))).toBe(false);
    removeDataDir(empty);
  });
});

describe('pnpm keys:rotate', () => {
  it('the new key signs after a restart; tokens of the old key keep verifying; keys:list tells them apart', async () => {
    const port = await freePort();
    const first = await running({ port });
    const before = await signedInClient(first);
    const oldKid = decodeProtectedHeader(before.tokens.access_token).kid!;

    const rotated = await runCli('signing-keys', ['rotate'], first.dataDir);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newKid = /^New signing key (\S+): it signs from the next start of kanban-mcp\.$/m.exec(rotated.stdout)![1]!;
    expect(newKid).not.toBe(oldKid);
    expect(rotated.stdout).toContain(`${oldKid} signs until then, and stays published for 2 hours after`);
    expect(rotated.stdout).toContain('Restart kanban-mcp (every replica, within those hours) to start signing with the new key.');
    const pending = await runCli('signing-keys', ['list'], first.dataDir);
    expect(pending.stdout).toMatch(new RegExp(`^${newKid}  ES256  made \\S+  signs from the next start$`, 'm'));
    expect(pending.stdout).toMatch(new RegExp(`^${oldKid}  ES256  made \\S+  signs until the next start, then stays published for 2 hours$`, 'm'));
    // The running server still signs with the old key: the keep period has not started.
    expect(decodeProtectedHeader((await signedInClient(first)).tokens.access_token).kid).toBe(oldKid);

    // Restart on the same data dir and port (the issuer URL stays the same).
    const dataDir = first.dataDir;
    servers.splice(servers.indexOf(first), 1);
    await first.stop();
    const second = await running({ port, dataDir });
    expect(await whoamiStatus(second, before.tokens.access_token)).toBe(200);
    const account = await makeAccount(second);
    const { code, verifier } = await getCode(second, before.client, account);
    const after = await exchangeCode(second, before.client, code, verifier);
    expect(decodeProtectedHeader(after.body.access_token as string).kid).toBe(newKid);
    const jwks = (await (await fetch(`${second.url}/oauth/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([newKid, oldKid]);

    const listed = await runCli('signing-keys', ['list'], dataDir);
    expect(listed.stdout).toMatch(new RegExp(`^${newKid}  ES256  made \\S+  signs$`, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`^${oldKid}  ES256  made \\S+  retired, published until \\S+$`, 'm'));
  });
});

describe('pnpm clients:list and clients:revoke', () => {
  it('lists registered clients with their grants; revoking one ends its refresh and its grants while the server runs', async () => {
    const kanban = await running();
    const chatgpt = await signedInClient(kanban, { client_name: 'ChatGPT', redirect_uris: ['https://chatgpt.com/connector_platform_oauth_redirect'] });
    const other = await signedInClient(kanban, { client_name: 'Claude' });

    const listed = await runCli('clients', ['list'], kanban.dataDir);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${chatgpt.client.client_id}  "ChatGPT"  registered \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  grants 1\\n    https://chatgpt.com/connector_platform_oauth_redirect$`, 'm'));
    expect(listed.stdout).toContain(`${other.client.client_id}  "Claude"`);

    const revoked = await runCli('clients', ['revoke', chatgpt.client.client_id], kanban.dataDir);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^Revoked ${chatgpt.client.client_id}: deleted it, 1 grant and [1-9]\\d* codes? and tokens?\\.`));

    // The running server no longer knows the client: no refresh, no new sign-in.
    const refreshed = await refresh(kanban, chatgpt.client, chatgpt.tokens.refresh_token);
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.error).toBe('invalid_client');
    const authorize = await fetch(`${kanban.url}/oauth/authorize?${new URLSearchParams({ client_id: chatgpt.client.client_id, redirect_uri: chatgpt.client.redirect_uris[0]!, response_type: 'code', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', scope: 'kanban.read' })}`, { redirect: 'manual' });
    expect(authorize.status).toBe(400);
    // The other client is untouched.
    expect((await refresh(kanban, other.client, other.tokens.refresh_token)).status).toBe(200);
    const after = await runCli('clients', ['list'], kanban.dataDir);
    expect(after.stdout).not.toContain(chatgpt.client.client_id);
    expect(after.stdout).toContain(other.client.client_id);

    const again = await runCli('clients', ['revoke', chatgpt.client.client_id], kanban.dataDir);
    expect(again).toMatchObject({ code: 1, stderr: `kanban-mcp: No client "${chatgpt.client.client_id}" is known to the issuer: pnpm clients:list shows them.\n` });
  });
});

describe('pnpm clients:list with hostile registrations (RV-13)', () => {
  it('prints names and redirect URIs with terminal and bidirectional controls escaped, visibly', async () => {
    const kanban = await running();
    // ESC sequences (colour, window title, cursor up and clear), a C1 CSI, DEL, and right-to-left overrides.
    const name = 'Chat\x1b[31mGPT\x1b]0;owned\x07\x1b[1A\x1b[2K\x9b31m\x7f\u202eevil\u2066x\u2069 \\x1b';
    const redirect = 'https://client.example/cb/\u202egpj.exe\x1b[0m';
    const client = await registerClient(kanban, { client_name: name, redirect_uris: [redirect] });
    expect(client.redirect_uris).toEqual([redirect]); // stored as sent: the listing must cope

    const listed = await runCli('clients', ['list'], kanban.dataDir);
    expect(listed.code, listed.stderr).toBe(0);
    // Control characters (Unicode Cc: C0, DEL, C1) and bidirectional controls: only the line breaks of the listing itself.
    expect(listed.stdout.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\p{Bidi_Control}]/u);
    expect(listed.stdout).toContain(`${client.client_id}  "Chat\\x1b[31mGPT\\x1b]0;owned\\x07\\x1b[1A\\x1b[2K\\x9b31m\\x7f\\u202eevil\\u2066x\\u2069 \\\\x1b"  registered `);
    expect(listed.stdout).toContain('\n    https://client.example/cb/\\u202egpj.exe\\x1b[0m\n');
  });
});

describe('pnpm db:backup', () => {
  it.skipIf(TEST_ENGINE !== 'postgres')('with DATABASE_URL set, refuses and points to PostgreSQL\'s own tools', async () => {
    const kanban = await running();
    const copy = join(makeDataDir(), 'kanban-backup.sqlite');
    const refused = await runCli('backup', [copy], kanban.dataDir);
    expect(refused).toMatchObject({ code: 1 });
    expect(refused.stderr).toMatch(/^kanban-mcp: DATABASE_URL is set: back up PostgreSQL with its own tools \(pg_dump/);
    expect(existsSync(copy)).toBe(false);
  });

  it.skipIf(TEST_ENGINE !== 'sqlite')('copies the database while the server writes: integrity ok, and every write acknowledged before it started is in the copy', async () => {
    // Writes as fast as it can until the copy is done: past the default per-user budget on a quick machine.
    const kanban = await running({ env: LOAD_LIMITS });
    const writer = await signInActor(kanban, 'backup-writer');
    let acknowledged = 0;
    let writing = true;
    const writes = (async () => {
      while (writing) {
        const result = await writer.call('create_card', { title: `Card ${acknowledged + 1}` });
        if (result.isError) throw new Error(`write failed: ${JSON.stringify(result.content)}`);
        acknowledged++;
      }
    })();
    // Wait for 50 writes, or for the writer's failure, whichever comes first.
    while (acknowledged < 50) await Promise.race([writes, new Promise((resolve) => setTimeout(resolve, 10))]);

    const copy = join(makeDataDir(), 'kanban-backup.sqlite');
    const acknowledgedBefore = acknowledged;
    const backup = await runCli('backup', [copy], kanban.dataDir);
    const acknowledgedAfter = acknowledged;
    writing = false;
    await writes;
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^Backed up .*kanban\.sqlite to .*kanban-backup\.sqlite in \d+ ms: integrity ok, \d+ boards, \d+ cards, 1 accounts\.\n$/);
    expect(acknowledgedAfter).toBeGreaterThan(acknowledgedBefore); // the writes really ran during the backup

    // One self-contained file.
    expect(existsSync(`${copy}-wal`) || existsSync(`${copy}-shm`)).toBe(false);
    const database = new Database(copy, { readonly: true });
    try {
      expect(database.pragma('integrity_check', { simple: true })).toBe('ok');
      const titles = new Set((database.prepare("select title from cards where title like 'Card %'").all() as { title: string }[]).map((row) => row.title));
      for (let n = 1; n <= acknowledgedBefore; n++) expect(titles.has(`Card ${n}`), `Card ${n}`).toBe(true);
      expect(titles.size).toBeLessThanOrEqual(acknowledged + 1);
    } finally {
      database.close();
    }
    const refused = await runCli('backup', [copy], kanban.dataDir);
    expect(refused).toMatchObject({ code: 1 });
    expect(refused.stderr).toMatch(/exists already: name a new file/);
    await writer.client.close();
  });
});
