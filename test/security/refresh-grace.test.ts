import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbRow, removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { signedInClient, type RegisteredClient } from '../support/oauth-steps.ts';
import { backdate, expectOAuthError, refresh, storeRow, whoamiStatus } from '../support/token-helpers.ts';

// RV-10: a refresh token presented again inside the grace window (10 s) gets the same successor
// it got the first time, whether the two requests come one after the other, together, or to two
// replicas: never a second live chain. Each answer has its own access token (JWTs are not stored,
// so an earlier one cannot be handed out again; each lives at most an hour and refreshes nothing).
// After the window, reuse revokes the grant as before (test/security/refresh-revocation/).

let kanban: RunningKanban;
let replica: RunningKanban;

beforeAll(async () => {
  kanban = await startKanban({ env: { LOG_LEVEL: 'silent' } });
  // Another server on the same database and public URL, as behind a load balancer.
  replica = await startKanban({ dataDir: kanban.dataDir, env: { LOG_LEVEL: 'silent', PUBLIC_URL: kanban.url } });
});
afterAll(async () => {
  await replica?.stop();
  await kanban?.stop();
  if (kanban) removeDataDir(kanban.dataDir);
});

/** Refresh tokens not used up in the grant `refreshToken` belongs to: its live chains. */
async function liveRefreshTokens(refreshToken: string): Promise<number> {
  const grantId = (await storeRow(kanban, 'RefreshToken', refreshToken))!.grant_id;
  const row = await dbRow<{ n: number }>(kanban, 'SELECT CAST(count(*) AS INTEGER) AS n FROM oauth_store WHERE model = ? AND grant_id = ? AND consumed_at IS NULL', ['RefreshToken', grantId]);
  return row!.n;
}

async function successor(server: RunningKanban, client: RegisteredClient, refreshToken: string) {
  const response = await refresh(server, client, refreshToken);
  expect(response.status, response.text).toBe(200);
  return response.body as { access_token: string; refresh_token: string };
}

describe('RV-10: inside the grace window, one successor', () => {
  it('a refresh token presented again gets the same successor, with a new access token; one chain stays live', async () => {
    const { client, tokens } = await signedInClient(kanban);
    const first = await successor(kanban, client, tokens.refresh_token);
    const again = await successor(kanban, client, tokens.refresh_token);
    expect(again.refresh_token).toBe(first.refresh_token);
    expect(again.access_token).not.toBe(first.access_token);
    for (const answer of [first, again]) expect(await whoamiStatus(kanban, answer.access_token)).toBe(200);
    expect(await liveRefreshTokens(tokens.refresh_token)).toBe(1);

    // The chain goes on from that one successor.
    const next = await successor(kanban, client, first.refresh_token);
    expect(next.refresh_token).not.toBe(first.refresh_token);
    expect(await liveRefreshTokens(tokens.refresh_token)).toBe(1);

    // After the window, reuse detection as before: the grant goes, with the chain.
    await backdate(kanban, 'RefreshToken', tokens.refresh_token, 'consumed_at', 60);
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 400, 'invalid_grant');
    expectOAuthError(await refresh(kanban, client, next.refresh_token), 400, 'invalid_grant');
  });

  it('presented several times at once, every answer carries the same successor', async () => {
    const { client, tokens } = await signedInClient(kanban);
    const answers = await Promise.all(Array.from({ length: 4 }, () => successor(kanban, client, tokens.refresh_token)));
    expect(new Set(answers.map((answer) => answer.refresh_token)).size).toBe(1);
    expect(await liveRefreshTokens(tokens.refresh_token)).toBe(1);
  });

  it('presented to two replicas, both answer the same successor', async () => {
    const { client, tokens } = await signedInClient(kanban);
    const [here, there] = await Promise.all([successor(kanban, client, tokens.refresh_token), successor(replica, client, tokens.refresh_token)]);
    expect(there.refresh_token).toBe(here.refresh_token);
    expect(await successor(replica, client, tokens.refresh_token)).toMatchObject({ refresh_token: here.refresh_token });
    expect(await liveRefreshTokens(tokens.refresh_token)).toBe(1);
  });
});
