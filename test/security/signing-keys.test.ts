import { decodeProtectedHeader } from 'jose';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_CHECK_SECONDS } from '../../server/auth/issuer/live-signing-keys.ts';
import { runCli } from '../support/cli.ts';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { exchangeCode, getCode, makeAccount, registerClient } from '../support/oauth-steps.ts';
import { whoamiStatus } from '../support/token-helpers.ts';

// RV-09: signing keys change while servers run. Two servers on one database stand for replicas
// (the second has the first's PUBLIC_URL, so the same tokens are good on both); the operator
// commands run as separate processes on that database. Nobody restarts: the servers learn of a
// rotation, a revocation or an ended keep period by re-reading the key table.

const servers: RunningKanban[] = [];
afterEach(async () => {
  const started = servers.splice(0);
  for (const server of started) await server.stop();
  for (const dataDir of new Set(started.map((server) => server.dataDir))) removeDataDir(dataDir);
});

/** A server on the data of the first one this test started (or a fresh one): a replica of it. */
async function startReplica(): Promise<RunningKanban> {
  const first = servers[0];
  const server = await startKanban(first ? { dataDir: first.dataDir, env: { LOG_LEVEL: 'silent', PUBLIC_URL: first.url } } : { env: { LOG_LEVEL: 'silent' } });
  servers.push(server);
  return server;
}

/** Within a few of the servers' re-reads of the key table. */
const SOON = { timeout: 3 * KEY_CHECK_SECONDS * 1000, interval: 200 };

const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
const publishedKids = async (server: RunningKanban) => ((await (await fetch(`${server.url}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);

/** An access token that `server` signs: a browser signs in at PUBLIC_URL (the first server), `server` redeems the code. */
async function tokenFrom(server: RunningKanban): Promise<string> {
  const published = servers[0]!;
  const client = await registerClient(published);
  const { code, verifier } = await getCode(published, client, await makeAccount(published));
  const tokens = await exchangeCode({ ...server, mcpUrl: published.mcpUrl }, client, code, verifier);
  expect(tokens.status, tokens.text).toBe(200);
  return tokens.body.access_token as string;
}
const signingKid = async (server: RunningKanban) => kidOf(await tokenFrom(server));

describe('RV-09: signing keys change without a restart', () => {
  it('after keys:rotate the running server publishes the new key at /oauth/jwks, and signs with its own until a restart', { timeout: 60_000 }, async () => {
    const server = await startReplica();
    const oldKid = await signingKid(server);
    const rotated = await runCli('signing-keys', ['rotate'], server.dataDir);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newKid = /^New signing key (\S+):/m.exec(rotated.stdout)![1]!;

    await expect.poll(() => publishedKids(server), SOON).toEqual([oldKid, newKid]);
    expect(await signingKid(server)).toBe(oldKid);
  });

  it('a token whose key is past its keep period is refused by servers that never restarted', { timeout: 60_000 }, async () => {
    const first = await startReplica();
    const before = await tokenFrom(first);
    const oldKid = kidOf(before);
    const rotated = await runCli('signing-keys', ['rotate'], first.dataDir);
    const newKid = /^New signing key (\S+):/m.exec(rotated.stdout)![1]!;
    // A replica starts: it signs with the new key and retires the old one, whose keep period begins.
    const replica = await startReplica();
    expect(await signingKid(replica)).toBe(newKid);
    // The first server, not restarted, stops signing with the retired key; its tokens still verify.
    await expect.poll(() => signingKid(first), SOON).toBe(newKid);
    for (const server of [first, replica]) expect(await whoamiStatus(server, before)).toBe(200);

    // Hours later (the retirement moved back past the keep period): refused everywhere, unpublished.
    const { database } = first.runtime;
    const { signingKeys } = database.tables;
    await database.write((db) => db.update(signingKeys).set({ retiredAt: new Date(Date.now() - 3 * 60 * 60 * 1000) }).where(eq(signingKeys.kid, oldKid)));
    for (const server of [first, replica]) {
      await expect.poll(() => whoamiStatus(server, before), SOON).toBe(401);
      expect(await publishedKids(server)).toEqual([newKid]);
    }
  });

  it('keys:revoke KID: both replicas refuse its tokens at once, stop publishing it, and sign with a new key', { timeout: 60_000 }, async () => {
    const first = await startReplica();
    const second = await startReplica();
    const victim = await tokenFrom(first);
    const kid = kidOf(victim);
    for (const server of [first, second]) expect(await whoamiStatus(server, victim)).toBe(200);

    const revoked = await runCli('signing-keys', ['revoke', kid], first.dataDir);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${kid}: within ${KEY_CHECK_SECONDS} seconds every running kanban-mcp refuses the tokens it signed`);
    const replacement = /^New signing key (\S+) signs in its place\.$/m.exec(revoked.stdout)![1]!;

    for (const server of [first, second]) {
      await expect.poll(() => whoamiStatus(server, victim), SOON).toBe(401);
      expect(await publishedKids(server)).toEqual([replacement]);
      // Whichever replica signs a new token, the other accepts it.
      const fresh = await tokenFrom(server);
      expect(kidOf(fresh)).toBe(replacement);
      for (const other of [first, second]) expect(await whoamiStatus(other, fresh)).toBe(200);
    }
    const listed = await runCli('signing-keys', ['list'], first.dataDir);
    expect(listed.stdout).toMatch(new RegExp(`^${kid}  ES256  made \\S+  retired, no longer published$`, 'm'));
  });

  it('keys:revoke of an unknown or already ended key says so and changes nothing', async () => {
    const server = await startReplica();
    const kid = await signingKid(server);
    const unknown = await runCli('signing-keys', ['revoke', 'no-such-kid'], server.dataDir);
    expect(unknown).toMatchObject({ code: 1, stderr: 'kanban-mcp: No signing key "no-such-kid": pnpm keys:list shows them.\n' });
    expect((await runCli('signing-keys', ['revoke', kid], server.dataDir)).code).toBe(0);
    const again = await runCli('signing-keys', ['revoke', kid], server.dataDir);
    expect(again).toMatchObject({ code: 0, stdout: `${kid} already verifies nothing: nothing to do.\n` });
    expect((await runCli('signing-keys', ['revoke'], server.dataDir)).code).toBe(2);
  });
});
