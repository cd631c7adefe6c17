import { describe, expect, it } from 'vitest';
import { grantExists, kanban, useSignedInIssuer } from '../../support/issuer-under-test.ts';
import { backdate, expectOAuthError, refresh, storeRow, whoamiStatus } from '../../support/token-helpers.ts';
import { GRACE_SECONDS, rotate, signedIn } from './refresh-steps.ts';

// Refresh-token rotation, reuse detection and the grace window (docs/security-cases.md RR-08..RR-10)
// and the refresh rotation race (DB-05), against the real app. The policy: refresh-steps.ts.

useSignedInIssuer();

describe('refresh: rotation, reuse detection and the grace window (RR-08, RR-09, RR-10, DB-05)', () => {
  it('RR-08: each refresh rotates the refresh token; reusing the old one after the grace window gets 400 invalid_grant and revokes the whole grant', async () => {
    const { client, tokens, grantId } = await signedIn();
    const second = await rotate(client, tokens.refresh_token);
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    expect(second.access_token).not.toBe(tokens.access_token);
    expect((await storeRow(kanban, 'RefreshToken', tokens.refresh_token))!.consumed_at).toEqual(expect.any(Number));
    const third = await rotate(client, second.refresh_token);

    // A minute later, the first token comes back: reuse, so the family goes.
    await backdate(kanban, 'RefreshToken', tokens.refresh_token, 'consumed_at', 60);
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 400, 'invalid_grant');
    expect(await grantExists(grantId)).toBe(false);
    expectOAuthError(await refresh(kanban, client, third.refresh_token), 400, 'invalid_grant');
    expectOAuthError(await refresh(kanban, client, second.refresh_token), 400, 'invalid_grant');
    // Our design: JWT access tokens are not checked against grant state by the resource server;
    // the last one keeps working until it expires (at most 1 h).
    expect(await whoamiStatus(kanban, third.access_token)).toBe(200);
  });

  it('RR-09, DB-05: two parallel refreshes with the same refresh token both succeed (grace window), with the same working successor (RV-10), and nothing is revoked', async () => {
    for (let round = 0; round < 3; round++) {
      const { client, tokens, grantId } = await signedIn();
      const [first, second] = await Promise.all([refresh(kanban, client, tokens.refresh_token), refresh(kanban, client, tokens.refresh_token)]);
      expect([first.status, second.status], JSON.stringify([first.body, second.body])).toEqual([200, 200]);
      expect(first.body.refresh_token).toBe(second.body.refresh_token);
      expect(await grantExists(grantId)).toBe(true);
      // Whichever response the client kept, it can go on refreshing.
      await rotate(client, first.body.refresh_token);
      await rotate(client, second.body.refresh_token);
      expect(await whoamiStatus(kanban, first.body.access_token)).toBe(200);
      expect(await whoamiStatus(kanban, second.body.access_token)).toBe(200);
    }
  });

  it('RR-10: inside the grace window a rotated refresh token still works and revokes nothing; after it, its reuse revokes the grant (both sides)', async () => {
    const { client, tokens, grantId } = await signedIn();
    const successor = await rotate(client, tokens.refresh_token);
    const consumedAt = (await storeRow(kanban, 'RefreshToken', tokens.refresh_token))!.consumed_at!;

    // Inside: 5 s after the rotation (of a 10 s window).
    await backdate(kanban, 'RefreshToken', tokens.refresh_token, 'consumed_at', GRACE_SECONDS / 2);
    const retried = await rotate(client, tokens.refresh_token);
    expect(retried.refresh_token).toBe(successor.refresh_token);
    expect(await grantExists(grantId)).toBe(true);
    // The window runs from the first rotation; a retry does not restart it.
    expect((await storeRow(kanban, 'RefreshToken', tokens.refresh_token))!.consumed_at!).toBeLessThan(consumedAt);
    const fromSuccessor = await rotate(client, successor.refresh_token);

    // After: a minute past the rotation.
    await backdate(kanban, 'RefreshToken', tokens.refresh_token, 'consumed_at', 60);
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 400, 'invalid_grant');
    expect(await grantExists(grantId)).toBe(false);
    for (const refreshToken of [successor.refresh_token, retried.refresh_token, fromSuccessor.refresh_token]) {
      expectOAuthError(await refresh(kanban, client, refreshToken), 400, 'invalid_grant');
    }
  });

  it('RR-10: the window ends: reuse just past it (grace + 1 s) already revokes', async () => {
    const { client, tokens, grantId } = await signedIn();
    const successor = await rotate(client, tokens.refresh_token);
    await backdate(kanban, 'RefreshToken', tokens.refresh_token, 'consumed_at', GRACE_SECONDS + 1);
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 400, 'invalid_grant');
    expect(await grantExists(grantId)).toBe(false);
    expectOAuthError(await refresh(kanban, client, successor.refresh_token), 400, 'invalid_grant');
  });
});
