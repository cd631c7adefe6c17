import { expect } from 'vitest';
import { grantIdOf, kanban, redeemedCode, type Tokens } from '../../support/issuer-under-test.ts';
import type { RegisteredClient } from '../../support/oauth-steps.ts';
import { expectOAuthError, refresh, revoke, type SignedInBrowser } from '../../support/token-helpers.ts';

// What the refresh and revocation tests (this folder) share: a fresh client with its own grant,
// a rotation that must succeed, and the shape of the revocation endpoint's answers.
//
// Refresh-token policy (docs/auth.md): rotation on every use, and a grace window (adapter.ts,
// refreshGraceSeconds, 10 s by default) in which a just-rotated refresh token still works, each
// use getting the same successor (RV-10), because ChatGPT refreshes twice in parallel. Reuse after the
// window revokes the whole grant. This deliberately replaces RR-09/DB-05's "at most one 200".
// "A minute later" is simulated by moving the consumed row's consumed_at into the past.

export const GRACE_SECONDS = 10;

/** A fresh client (public unless `metadata` says otherwise) with tokens from a code; its own grant. */
export async function signedIn(options: { metadata?: Record<string, unknown>; params?: Record<string, string>; via?: SignedInBrowser } = {}) {
  const { client, tokens } = await redeemedCode(options);
  return { client, tokens, grantId: await grantIdOf(tokens.refresh_token) };
}

export async function rotate(client: RegisteredClient, refreshToken: string, extra: Record<string, string> = {}): Promise<Tokens> {
  const response = await refresh(kanban, client, refreshToken, extra);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as Tokens;
}

/** Revocation errors: an OAuth JSON error (expectOAuthError) that always has its description. */
export function expectRevocationError(response: Awaited<ReturnType<typeof revoke>>, status: number, error: string): void {
  expectOAuthError(response, status, error);
  expect(response.body.error_description).toEqual(expect.any(String));
}

/** A revocation success: 200, an empty body (or `{}`), and Cache-Control: no-store like every answer of that endpoint. */
export function expectRevoked(response: Awaited<ReturnType<typeof revoke>>): void {
  expect(response.status, response.text).toBe(200);
  expect(['', '{}']).toContain(response.text);
  expect(response.headers.get('cache-control')).toBe('no-store');
}
