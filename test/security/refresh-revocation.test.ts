import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { makeAccount, registerClient, tokenRequest, type RegisteredClient } from '../support/oauth-steps.ts';
import {
  backdate,
  basicAuth,
  codeForm,
  ERROR_DESCRIPTION_CHARSET,
  expectOAuthError,
  introspect,
  refresh,
  revoke,
  SignedInBrowser,
  storeKey,
  storeRow,
  whoamiStatus,
} from '../support/token-helpers.ts';

// Security cases of refresh and revocation (docs/security-cases.md group 4, RR-01..RR-22) and the
// refresh rotation race (DB-05), against the real app.
//
// Refresh-token policy (docs/auth.md): rotation on every use, and a grace window (adapter.ts,
// refreshGraceSeconds, 10 s by default) in which a just-rotated refresh token still works, each
// use getting the same successor (RV-10), because ChatGPT refreshes twice in parallel. Reuse after the
// window revokes the whole grant. This deliberately replaces RR-09/DB-05's "at most one 200".
// "A minute later" is simulated by moving the consumed row's consumed_at into the past.

const GRACE_SECONDS = 10;

let kanban: RunningKanban;
let browser: SignedInBrowser;

beforeAll(async () => {
  kanban = await startKanban();
  browser = new SignedInBrowser(kanban, await makeAccount(kanban));
});
afterAll(async () => {
  await kanban?.stop();
  if (kanban) removeDataDir(kanban.dataDir);
});

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
  [key: string]: unknown;
}

/** A fresh client (public unless `metadata` says otherwise) with tokens from a code; its own grant. */
async function signedIn(options: { metadata?: Record<string, unknown>; params?: Record<string, string>; via?: SignedInBrowser } = {}) {
  const client = await registerClient(kanban, options.metadata ?? {});
  const { code, verifier } = await (options.via ?? browser).code(client, options.params);
  const secret: Record<string, string> = typeof client.client_secret === 'string' ? { client_secret: client.client_secret } : {};
  const response = await tokenRequest(kanban, codeForm(kanban, client, code, verifier, secret));
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return { client, tokens: response.body as Tokens, grantId: await grantIdOf(response.body.refresh_token as string) };
}

async function grantIdOf(refreshToken: string): Promise<string> {
  const row = await storeRow(kanban, 'RefreshToken', refreshToken);
  if (!row?.grant_id) throw new Error('refresh token row not found');
  return row.grant_id;
}

/** Whether anything of the grant is still stored: the grant itself or a token or code of it. */
async function grantExists(grantId: string): Promise<boolean> {
  const [members] = (await kanban.runtime.database.query('SELECT CAST(count(*) AS INTEGER) AS n FROM oauth_store WHERE grant_id = ?', [grantId])) as [{ n: number }];
  return members.n > 0 || await storeRow(kanban, 'Grant', grantId) !== undefined;
}

async function rotate(client: RegisteredClient, refreshToken: string, extra: Record<string, string> = {}): Promise<Tokens> {
  const response = await refresh(kanban, client, refreshToken, extra);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as Tokens;
}

/** Revocation errors: JSON with an error code and a clean description, never cached. */
function expectRevocationError(response: Awaited<ReturnType<typeof revoke>>, status: number, error: string): void {
  expect({ status: response.status, error: response.body.error }, response.text).toEqual({ status, error });
  expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.body.error_description).toMatch(ERROR_DESCRIPTION_CHARSET);
}

/** A revocation success: 200, an empty body (or `{}`), and Cache-Control: no-store like every answer of that endpoint. */
function expectRevoked(response: Awaited<ReturnType<typeof revoke>>): void {
  expect(response.status, response.text).toBe(200);
  expect(['', '{}']).toContain(response.text);
  expect(response.headers.get('cache-control')).toBe('no-store');
}

describe('refresh: the request and the token (RR-01..RR-07, RR-11..RR-14)', () => {
  it('RR-01: a refresh without refresh_token gets 400 invalid_request', async () => {
    const client = await registerClient(kanban);
    const response = await tokenRequest(kanban, { grant_type: 'refresh_token', client_id: client.client_id });
    expectOAuthError(response, 400, 'invalid_request');
    expect(response.body.error_description).toMatch(/refresh_token/);
  });

  it('RR-02: an unknown or forged refresh token gets 400 invalid_grant', async () => {
    const { client, tokens } = await signedIn();
    const forged = [`${tokens.refresh_token.slice(0, -1)}${tokens.refresh_token.endsWith('A') ? 'B' : 'A'}`, 'forged', tokens.access_token, 'A'.repeat(43)];
    for (const refreshToken of forged) expectOAuthError(await refresh(kanban, client, refreshToken), 400, 'invalid_grant');
    // None of these touched the real one.
    await rotate(client, tokens.refresh_token);
  });

  it('RR-03: an expired refresh token gets 400 invalid_grant', async () => {
    const { client, tokens } = await signedIn();
    // Refresh tokens live 30 days: age the stored row instead of waiting.
    await backdate(kanban, 'RefreshToken', tokens.refresh_token, 'expires_at', 1);
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 400, 'invalid_grant');
  });

  it("RR-04: client B presenting client A's refresh token gets 400 invalid_grant; A's token still works", async () => {
    const a = await signedIn();
    const b = await registerClient(kanban);
    expectOAuthError(await refresh(kanban, b, a.tokens.refresh_token), 400, 'invalid_grant');
    const confidential = await registerClient(kanban, { token_endpoint_auth_method: 'client_secret_post' });
    expectOAuthError(await refresh(kanban, confidential, a.tokens.refresh_token, { client_secret: String(confidential.client_secret) }), 400, 'invalid_grant');
    expect(await grantExists(a.grantId)).toBe(true);
    await rotate(a.client, a.tokens.refresh_token);
  });

  it('RR-05: a confidential client refreshing without (or with wrong) authentication gets 401 invalid_client', async () => {
    const { client, tokens } = await signedIn({ metadata: { token_endpoint_auth_method: 'client_secret_post' } });
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 401, 'invalid_client');
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token, { client_secret: 'wrong' }), 401, 'invalid_client');
    await rotate(client, tokens.refresh_token, { client_secret: String(client.client_secret) });
  });

  it('RR-06: asking on refresh for a scope that was never granted gets 400 invalid_scope', async () => {
    const { client, tokens } = await signedIn({ params: { scope: 'kanban.read' } });
    expect(tokens.scope).toBe('kanban.read');
    for (const scope of ['kanban.read kanban.write', 'kanban.write', 'admin', 'openid', 'offline_access']) {
      const response = await refresh(kanban, client, tokens.refresh_token, { scope });
      expectOAuthError(response, 400, 'invalid_scope');
    }
    // Refused before consumption: the token still refreshes, still read-only.
    const next = await rotate(client, tokens.refresh_token);
    expect(decodeJwt(next.access_token).scope).toBe('kanban.read');
  });

  it('RR-07: down-scoping on refresh gives a narrower access token; the new refresh token keeps the original scope', async () => {
    const { client, tokens } = await signedIn();
    expect(tokens.scope).toBe('kanban.read kanban.write');
    const narrow = await rotate(client, tokens.refresh_token, { scope: 'kanban.read' });
    expect(narrow.scope).toBe('kanban.read');
    expect(decodeJwt(narrow.access_token).scope).toBe('kanban.read');
    expect(JSON.parse((await storeRow(kanban, 'RefreshToken', narrow.refresh_token))!.payload).scope).toBe('kanban.read kanban.write');
    const full = await rotate(client, narrow.refresh_token);
    expect(decodeJwt(full.access_token).scope).toBe('kanban.read kanban.write');
  });

  it('RR-11: a refresh after the account was deleted, or after the grant (consent) was removed, gets 400 invalid_grant', async () => {
    const other = await makeAccount(kanban);
    const deleted = await signedIn({ via: new SignedInBrowser(kanban, other) });
    await kanban.runtime.database.query('DELETE FROM accounts WHERE id = ?', [other.id]);
    expectOAuthError(await refresh(kanban, deleted.client, deleted.tokens.refresh_token), 400, 'invalid_grant');

    const withdrawn = await signedIn();
    await kanban.runtime.database.query('DELETE FROM oauth_store WHERE model = ? AND id = ?', ['Grant', storeKey(withdrawn.grantId)]);
    expectOAuthError(await refresh(kanban, withdrawn.client, withdrawn.tokens.refresh_token), 400, 'invalid_grant');
  });

  it('RR-12: a resource on refresh outside the granted one gets 400 invalid_target; our resource gives aud = our resource', async () => {
    const { client, tokens } = await signedIn();
    for (const resource of ['https://other.example/mcp', `${kanban.url}/`, `${kanban.mcpUrl}#x`]) {
      expectOAuthError(await refresh(kanban, client, tokens.refresh_token, { resource }), 400, 'invalid_target');
    }
    const next = await rotate(client, tokens.refresh_token, { resource: kanban.mcpUrl });
    expect(decodeJwt(next.access_token).aud).toBe(kanban.mcpUrl);
  });

  it('RR-13: refresh tokens use only VSCHAR (%x20-7E), in fact base64url', async () => {
    const { client, tokens } = await signedIn();
    const next = await rotate(client, tokens.refresh_token);
    for (const value of [tokens.refresh_token, next.refresh_token]) expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('RR-14: the MCP server names no offline_access, neither in its resource metadata nor in its challenges; tokens carry none', async () => {
    const metadata = (await (await fetch(`${kanban.url}/.well-known/oauth-protected-resource/mcp`)).json()) as { scopes_supported: string[] };
    expect(metadata.scopes_supported).toEqual(['kanban.read', 'kanban.write']);

    const anonymous = await fetch(kanban.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
    await anonymous.body?.cancel();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(anonymous.headers.get('www-authenticate')).not.toContain('offline_access');

    const { tokens } = await signedIn();
    expect(tokens.scope).not.toContain('offline_access');
    expect(decodeJwt(tokens.access_token).scope).not.toContain('offline_access');
  });
});

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

describe('revocation (RR-15..RR-22)', () => {
  it('RR-15: revoking its own refresh token gives 200 with an empty body and Cache-Control: no-store; the token, and the rest of its grant, are dead', async () => {
    const { client, tokens, grantId } = await signedIn();
    const successor = await rotate(client, tokens.refresh_token);
    const response = await revoke(kanban, { token: successor.refresh_token, client_id: client.client_id });
    expectRevoked(response);
    expectOAuthError(await refresh(kanban, client, successor.refresh_token), 400, 'invalid_grant');
    // The whole grant goes, including the predecessor still inside its grace window.
    expect(await grantExists(grantId)).toBe(false);
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 400, 'invalid_grant');
    // Our design: the JWT access tokens of the grant are not revocable and live out their hour.
    expect(await whoamiStatus(kanban, successor.access_token)).toBe(200);
  });

  it('RR-16: revoking garbage or an unknown token gives 200 (no oracle), not cached', async () => {
    const { client, tokens } = await signedIn();
    for (const token of ['garbage', 'A'.repeat(43), `${tokens.refresh_token.slice(0, -1)}_`, 'a"b\\c\n']) {
      expectRevoked(await revoke(kanban, { token, client_id: client.client_id }));
    }
    // Anything shaped like a JWT is refused by its shape alone (RR-21): a forged one gets exactly
    // the answer a real access token gets, so the response tells nothing about validity.
    const forgedJwt = await revoke(kanban, { token: 'eyJhbGciOiJub25lIn0.e30.', client_id: client.client_id });
    const realJwt = await revoke(kanban, { token: tokens.access_token, client_id: client.client_id });
    expect([forgedJwt.status, forgedJwt.text]).toEqual([realJwt.status, realJwt.text]);
    for (const response of [forgedJwt, realJwt]) expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it("RR-17: another client's token is not revoked: 200 for a public caller, 400 invalid_request for a confidential one", async () => {
    const victim = await signedIn();
    const publicCaller = await registerClient(kanban);
    const silent = await revoke(kanban, { token: victim.tokens.refresh_token, client_id: publicCaller.client_id });
    expectRevoked(silent);
    expect(await grantExists(victim.grantId)).toBe(true);

    const confidential = await registerClient(kanban, { token_endpoint_auth_method: 'client_secret_post' });
    const refused = await revoke(kanban, { token: victim.tokens.refresh_token, client_id: confidential.client_id, client_secret: String(confidential.client_secret) });
    expectRevocationError(refused, 400, 'invalid_request');
    expect(refused.body.error_description).toBe('client is not authorized to revoke the presented token');

    expect(await grantExists(victim.grantId)).toBe(true);
    await rotate(victim.client, victim.tokens.refresh_token);
  });

  it('RR-18: a revocation without token gets 400 invalid_request', async () => {
    const client = await registerClient(kanban);
    const response = await revoke(kanban, { client_id: client.client_id });
    expectRevocationError(response, 400, 'invalid_request');
    expect(response.body.error_description).toMatch(/'token'/);
  });

  it('RR-19: bad client authentication at the revocation endpoint gets 401 invalid_client, and revokes nothing', async () => {
    const { client, tokens, grantId } = await signedIn({ metadata: { token_endpoint_auth_method: 'client_secret_post' } });
    expectRevocationError(await revoke(kanban, { token: tokens.refresh_token, client_id: 'no-such-client' }), 401, 'invalid_client');
    expectRevocationError(await revoke(kanban, { token: tokens.refresh_token, client_id: client.client_id }), 401, 'invalid_client');
    expectRevocationError(await revoke(kanban, { token: tokens.refresh_token, client_id: client.client_id, client_secret: 'wrong' }), 401, 'invalid_client');
    expect(await grantExists(grantId)).toBe(true);
    const ok = await revoke(kanban, { token: tokens.refresh_token, client_id: client.client_id, client_secret: String(client.client_secret) });
    expectRevoked(ok);
    expect(await grantExists(grantId)).toBe(false);
  });

  it('RR-20: a wrong or unrecognised token_type_hint still revokes (200, no-store)', async () => {
    for (const hint of ['access_token', 'foobar', 'refresh_token']) {
      const { client, tokens, grantId } = await signedIn();
      const response = await revoke(kanban, { token: tokens.refresh_token, client_id: client.client_id, token_type_hint: hint });
      expectRevoked(response);
      expect(await grantExists(grantId)).toBe(false);
      expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 400, 'invalid_grant');
    }
  });

  it('RR-21: revoking a JWT access token gets 400 unsupported_token_type (no deny-list: the token keeps working)', async () => {
    const { client, tokens, grantId } = await signedIn();
    for (const hint of [{}, { token_type_hint: 'access_token' }] as Record<string, string>[]) {
      const response = await revoke(kanban, { token: tokens.access_token, client_id: client.client_id, ...hint });
      expectRevocationError(response, 400, 'unsupported_token_type');
    }
    expect(await whoamiStatus(kanban, tokens.access_token)).toBe(200);
    expect(await grantExists(grantId)).toBe(true);
  });

  it('RR-22: discovery gives revocation and introspection the auth methods of the token endpoint, none included; what is advertised is accepted (none and client_secret_post above, client_secret_basic here)', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const metadata = (await (await fetch(`${kanban.url}${path}`)).json()) as Record<string, unknown>;
      const methods = metadata.token_endpoint_auth_methods_supported as string[];
      expect(methods, path).toEqual(expect.arrayContaining(['none', 'client_secret_basic', 'client_secret_post']));
      expect(metadata.revocation_endpoint_auth_methods_supported, path).toEqual(methods);
      expect(metadata.introspection_endpoint_auth_methods_supported, path).toEqual(methods);
      // RFC 8414 §2: private_key_jwt listed → the signing algorithms are listed too, asymmetric only.
      expect(methods).toContain('private_key_jwt');
      for (const key of ['revocation_endpoint_auth_signing_alg_values_supported', 'introspection_endpoint_auth_signing_alg_values_supported']) {
        expect(metadata[key], `${path} ${key}`).toEqual(metadata.token_endpoint_auth_signing_alg_values_supported);
        expect((metadata[key] as string[]).some((alg) => alg.startsWith('HS')), key).toBe(false);
      }
    }
    const { client, tokens, grantId } = await signedIn({ metadata: { token_endpoint_auth_method: 'client_secret_basic' } });
    expectRevocationError(await revoke(kanban, { token: tokens.refresh_token }, { authorization: basicAuth(client.client_id, 'wrong') }), 401, 'invalid_client');
    expect(await grantExists(grantId)).toBe(true);
    expectRevoked(await revoke(kanban, { token: tokens.refresh_token }, { authorization: basicAuth(client.client_id, String(client.client_secret)) }));
    expect(await grantExists(grantId)).toBe(false);
  });
});

describe('introspection: a client learns only about its own tokens', () => {
  it("a confidential client introspecting another client's refresh token gets { active: false } and nothing more; its own gets active: true; nothing is consumed", async () => {
    const confidential = { token_endpoint_auth_method: 'client_secret_post' };
    const owner = await signedIn({ metadata: confidential });
    const publicOwner = await signedIn();
    const stranger = await registerClient(kanban, confidential);
    const asStranger = { client_id: stranger.client_id, client_secret: String(stranger.client_secret) };

    for (const victim of [owner, publicOwner]) {
      for (const hint of [{}, { token_type_hint: 'refresh_token' }] as Record<string, string>[]) {
        const foreign = await introspect(kanban, { token: victim.tokens.refresh_token, ...asStranger, ...hint });
        expect(foreign.status, foreign.text).toBe(200);
        expect(foreign.body).toEqual({ active: false });
        expect(foreign.headers.get('cache-control')).toBe('no-store');
      }
    }

    const own = await introspect(kanban, { token: owner.tokens.refresh_token, client_id: owner.client.client_id, client_secret: String(owner.client.client_secret) });
    expect(own.status, own.text).toBe(200);
    expect(own.body).toMatchObject({ active: true, client_id: owner.client.client_id, scope: owner.tokens.scope });
    expect(own.headers.get('cache-control')).toBe('no-store');

    // Looking did not use anything up: both refresh tokens still rotate.
    await rotate(owner.client, owner.tokens.refresh_token, { client_secret: String(owner.client.client_secret) });
    await rotate(publicOwner.client, publicOwner.tokens.refresh_token);
  });
});
