import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { browser, grantIdOf, grantRows, kanban, redeemedCode, registerConfidential } from '../../support/issuer-under-test.ts';
import { pkcePair, registerClient, tokenRequest } from '../../support/oauth-steps.ts';
import { backdate, codeForm, expectOAuthError, refresh, storeKey, storeRow, whoamiStatus } from '../../support/token-helpers.ts';
import { useTokenEndpoint } from './token-requests.ts';

// Security cases of the token endpoint (docs/security-cases.md group 2), against the real app:
// oidc-provider in Express, a real database, real sign-in and consent pages. This file: redeeming
// the authorization code (TK-07..TK-18).

useTokenEndpoint();

describe('token endpoint: the authorization code (TK-07..TK-18)', () => {
  it('TK-07: a forged or unknown code gets 400 invalid_grant, not a 500', async () => {
    const client = await registerClient(kanban);
    for (const code of ['forged', 'A'.repeat(43), '../../etc/passwd', "' OR 1=1 --"]) {
      expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, pkcePair().verifier)), 400, 'invalid_grant');
    }
  });

  it('TK-08: a replayed code gets 400 invalid_grant and revokes the grant (its refresh token dies); the JWT access token, self-contained, still works until it expires', async () => {
    const { client, code, verifier, tokens } = await redeemedCode();
    const grantId = await grantIdOf(tokens.refresh_token);
    expect(await grantRows(grantId)).toBeGreaterThan(0);

    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, verifier)), 400, 'invalid_grant');

    expect(await grantRows(grantId)).toBe(0);
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 400, 'invalid_grant');
    // Our design: RFC 9068 JWT access tokens are verified locally and never checked against grant
    // state, so the first access token keeps working for its remaining lifetime (1 h at most).
    expect(decodeJwt(tokens.access_token).exp! - decodeJwt(tokens.access_token).iat!).toBeLessThanOrEqual(3600);
    expect(await whoamiStatus(kanban, tokens.access_token)).toBe(200);
  });

  it('TK-09: a replay carrying invalid parameters (wrong verifier, another client, an unknown client) is refused and revokes nothing', async () => {
    const { client, code, verifier, tokens } = await redeemedCode();
    const other = await registerClient(kanban);

    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, pkcePair().verifier)), 400, 'invalid_grant');
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, other, code, verifier)), 400, 'invalid_grant');
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, verifier, { client_id: 'no-such-client' })), 401, 'invalid_client');

    // The legitimate holder's refresh token is untouched.
    expect((await refresh(kanban, client, tokens.refresh_token)).status).toBe(200);
  });

  it('TK-10: codes live 60 s; an expired code gets 400 invalid_grant', async () => {
    const client = await registerClient(kanban);
    const { code, verifier } = await browser.code(client);
    const row = (await storeRow(kanban, 'AuthorizationCode', code))!;
    expect(row.expires_at! - Date.now()).toBeLessThanOrEqual(60_000);
    expect(JSON.parse(row.payload).exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60);
    // Rather than wait a minute: the row's expires_at moved into the past (the adapter drops it)...
    await backdate(kanban, 'AuthorizationCode', code, 'expires_at', 1);
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, verifier)), 400, 'invalid_grant');

    // ...or only the payload's exp (oidc-provider's own expiry check).
    const other = await registerClient(kanban);
    const second = await browser.code(other);
    const payload = JSON.parse((await storeRow(kanban, 'AuthorizationCode', second.code))!.payload) as Record<string, number>;
    payload.exp = Math.floor(Date.now() / 1000) - 1;
    await kanban.runtime.database.query('UPDATE oauth_store SET payload = ? WHERE model = ? AND id = ?', [JSON.stringify(payload), 'AuthorizationCode', storeKey(second.code)]);
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, other, second.code, second.verifier)), 400, 'invalid_grant');
  });

  it("TK-11: client B cannot redeem client A's code (400 invalid_grant), and A still can", async () => {
    const a = await registerClient(kanban);
    const b = await registerClient(kanban);
    const { code, verifier } = await browser.code(a);
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, b, code, verifier)), 400, 'invalid_grant');

    // B with valid confidential credentials fares no better.
    const confidential = await registerConfidential('client_secret_post');
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, confidential, code, verifier, { client_secret: confidential.client_secret })), 400, 'invalid_grant');

    expect((await tokenRequest(kanban, codeForm(kanban, a, code, verifier))).status).toBe(200);
  });

  it('TK-12: a missing code_verifier gets 400 invalid_grant', async () => {
    const client = await registerClient(kanban);
    const { code, verifier } = await browser.code(client);
    const form = codeForm(kanban, client, code, verifier);
    delete form.code_verifier;
    expectOAuthError(await tokenRequest(kanban, form), 400, 'invalid_grant');
  });

  it('TK-13: a wrong code_verifier gets 400 invalid_grant', async () => {
    const client = await registerClient(kanban);
    const { code } = await browser.code(client);
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, pkcePair().verifier)), 400, 'invalid_grant');
  });

  it('TK-14: a code_verifier outside the RFC 7636 ABNF gets 400 invalid_request, even when its SHA-256 matches the challenge', async () => {
    const cases = [
      { verifier: 'a', description: 'code_verifier must be a string with a minimum length of 43 characters' },
      { verifier: 'x'.repeat(129), description: 'code_verifier must be a string with a maximum length of 128 characters' },
      { verifier: `abc&def+ghi=${'z'.repeat(40)}`, description: 'code_verifier contains invalid characters' },
    ];
    for (const { verifier, description } of cases) {
      const client = await registerClient(kanban);
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const { code } = await browser.code(client, { code_challenge: challenge });
      const response = await tokenRequest(kanban, codeForm(kanban, client, code, verifier));
      expectOAuthError(response, 400, 'invalid_request');
      expect(response.body.error_description).toBe(description);
    }
  });

  it('TK-15: with the verifier ABNF enforced (TK-14), a wrong verifier does not burn the code: the right one then succeeds', async () => {
    const client = await registerClient(kanban);
    const { code, verifier } = await browser.code(client);
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, pkcePair().verifier)), 400, 'invalid_grant');
    expect((await tokenRequest(kanban, codeForm(kanban, client, code, verifier))).status).toBe(200);
  });

  it('TK-16: no code is issued without a code_challenge; a stored code stripped of its challenge, redeemed with a verifier, gets 400 invalid_grant', async () => {
    const client = await registerClient(kanban);
    // /authorize requires PKCE, so a challenge-less code cannot be had the honest way...
    const url = new URL(`${kanban.url}/oauth/authorize`);
    for (const [name, value] of Object.entries({ client_id: client.client_id, redirect_uri: client.redirect_uris[0]!, response_type: 'code', scope: 'kanban.read', resource: kanban.mcpUrl, state: 's1' })) url.searchParams.set(name, value);
    const { redirect } = await browser.authorize(url.href);
    expect(redirect?.origin + redirect!.pathname).toBe('https://client.example/cb');
    expect(redirect!.searchParams.get('code')).toBeNull();
    expect(redirect!.searchParams.get('error')).toBe('invalid_request');
    expect(redirect!.searchParams.get('state')).toBe('s1');

    // ...so make one: take a real code and remove the challenge from its stored payload.
    const { code, verifier } = await browser.code(client);
    const row = (await storeRow(kanban, 'AuthorizationCode', code))!;
    const payload = JSON.parse(row.payload) as Record<string, unknown>;
    expect(payload.codeChallenge).toEqual(expect.any(String));
    delete payload.codeChallenge;
    delete payload.codeChallengeMethod;
    await kanban.runtime.database.query('UPDATE oauth_store SET payload = ? WHERE model = ? AND id = ?', [JSON.stringify(payload), 'AuthorizationCode', storeKey(code)]);
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, verifier)), 400, 'invalid_grant');
  });

  it('TK-17: a redirect_uri at the token request that differs from the authorized one gets 400 invalid_grant', async () => {
    const client = await registerClient(kanban, { redirect_uris: ['https://client.example/cb', 'https://client.example/cb2'] });
    const { code, verifier } = await browser.code(client);
    for (const redirectUri of ['https://client.example/cb2', 'https://attacker.example/cb', 'https://client.example/cb/', 'https://CLIENT.example/cb']) {
      expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, verifier, { redirect_uri: redirectUri })), 400, 'invalid_grant');
    }
    expect((await tokenRequest(kanban, codeForm(kanban, client, code, verifier))).status).toBe(200);
  });

  it('TK-18: a resource we do not serve gets 400 invalid_target; otherwise the access token aud is our resource', async () => {
    for (const resource of ['https://other.example/mcp', `${kanban.mcpUrl}/other`, `${kanban.url}/`]) {
      const client = await registerClient(kanban);
      const { code, verifier } = await browser.code(client);
      expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, verifier, { resource })), 400, 'invalid_target');
    }

    // The same resource as authorized, or none (our default resource): aud = PUBLIC_URL/mcp.
    for (const extra of [{ resource: kanban.mcpUrl }, {}] as Record<string, string>[]) {
      const owner = await registerClient(kanban);
      const { code, verifier } = await browser.code(owner);
      const form = codeForm(kanban, owner, code, verifier, extra);
      if (!('resource' in extra)) delete form.resource;
      const ok = await tokenRequest(kanban, form);
      expect(ok.status).toBe(200);
      expect(decodeJwt(ok.body.access_token).aud).toBe(kanban.mcpUrl);
    }
  });
});
