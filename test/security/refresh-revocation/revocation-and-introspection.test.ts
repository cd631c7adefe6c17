import { describe, expect, it } from 'vitest';
import { grantExists, kanban, registerConfidential, useSignedInIssuer } from '../../support/issuer-under-test.ts';
import { registerClient } from '../../support/oauth-steps.ts';
import { basicAuth, expectOAuthError, introspect, refresh, revoke, whoamiStatus } from '../../support/token-helpers.ts';
import { expectRevocationError, expectRevoked, rotate, signedIn } from './refresh-steps.ts';

// Security cases of the revocation endpoint (docs/security-cases.md RR-15..RR-22), and what the
// introspection endpoint tells a client about other clients' tokens, against the real app.

useSignedInIssuer();

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

    const confidential = await registerConfidential('client_secret_post');
    const refused = await revoke(kanban, { token: victim.tokens.refresh_token, client_id: confidential.client_id, client_secret: confidential.client_secret });
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
    const stranger = await registerConfidential('client_secret_post');
    const asStranger = { client_id: stranger.client_id, client_secret: stranger.client_secret };

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
