import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { makeAccount, pkcePair, registerClient, tokenRequest, type RegisteredClient } from '../support/oauth-steps.ts';
import {
  backdate,
  basicAuth,
  codeForm,
  databaseBytes,
  ERROR_DESCRIPTION_CHARSET,
  expectOAuthError,
  refresh,
  SignedInBrowser,
  storeKey,
  storeRow,
  whoamiStatus,
  type TokenResponse,
} from '../support/token-helpers.ts';

// Security cases of the token endpoint (docs/security-cases.md group 2, TK-01..TK-31) and the
// persistence rows DB-04 (code redemption race) and DB-12 (secrets at rest), against the real
// app: oidc-provider in Express, SQLite in a temp dir, real sign-in and consent pages.
// Every scenario registers its own client, so grants never overlap between tests.

let kanban: RunningKanban;
let account: Awaited<ReturnType<typeof makeAccount>>;
let browser: SignedInBrowser;

beforeAll(async () => {
  // TK-16's error goes back to client.example as to a trusted host (error-redirects.test.ts has the others).
  kanban = await startKanban({ env: { AUTH_TRUSTED_REDIRECT_HOSTS: 'client.example' } });
  account = await makeAccount(kanban);
  browser = new SignedInBrowser(kanban, account);
});
afterAll(async () => {
  await kanban?.stop();
  if (kanban) removeDataDir(kanban.dataDir);
});

type Confidential = RegisteredClient & { client_secret: string };

async function registerConfidential(method: 'client_secret_post' | 'client_secret_basic'): Promise<Confidential> {
  const client = await registerClient(kanban, { token_endpoint_auth_method: method });
  expect(client.token_endpoint_auth_method).toBe(method);
  expect(client.client_secret).toEqual(expect.any(String));
  return client as Confidential;
}

/** A code for a fresh public client, redeemed: the tokens and everything needed to replay. */
async function redeemed(client?: RegisteredClient) {
  const owner = client ?? (await registerClient(kanban));
  const { code, verifier } = await browser.code(owner);
  const tokens = await tokenRequest(kanban, codeForm(kanban, owner, code, verifier));
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return { client: owner, code, verifier, tokens: tokens.body as { access_token: string; refresh_token: string; [key: string]: unknown } };
}

function postToken(body: string, headers: Record<string, string>): Promise<TokenResponse> {
  return fetch(`${kanban.url}/oauth/token`, { method: 'POST', headers, body }).then(async (response) => {
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
  });
}

/** oauth_store rows that belong to a grant (the grant itself has grant_id NULL and is keyed by its id). */
async function grantRows(grantId: string): Promise<number> {
  const [{ n: members }] = (await kanban.runtime.database.query('SELECT CAST(count(*) AS INTEGER) AS n FROM oauth_store WHERE grant_id = ?', [grantId])) as [{ n: number }];
  const grant = await storeRow(kanban, 'Grant', grantId) ? 1 : 0;
  return members + grant;
}

async function grantIdOfRefreshToken(refreshToken: string): Promise<string> {
  const row = await storeRow(kanban, 'RefreshToken', refreshToken);
  if (!row) throw new Error('refresh token row not found');
  return row.grant_id!;
}

describe('token endpoint: request shape (TK-01..TK-06, TK-29)', () => {
  it('TK-02: a JSON body is refused with 400 invalid_request', async () => {
    const client = await registerClient(kanban);
    const response = await postToken(JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'x', client_id: client.client_id }), { 'content-type': 'application/json' });
    expectOAuthError(response, 400, 'invalid_request');
    expect(response.body.error_description).toMatch(/x-www-form-urlencoded/);
  });

  it('TK-03: a request without grant_type gets 400 invalid_request', async () => {
    const client = await registerClient(kanban);
    const response = await tokenRequest(kanban, { client_id: client.client_id, code: 'x' });
    expectOAuthError(response, 400, 'invalid_request');
    expect(response.body.error_description).toMatch(/grant_type/);
  });

  it('TK-04: grant_type password, client_credentials or foobar gets 400 unsupported_grant_type', async () => {
    const client = await registerClient(kanban);
    for (const grantType of ['password', 'client_credentials', 'foobar', 'implicit']) {
      const response = await tokenRequest(kanban, { grant_type: grantType, client_id: client.client_id, username: 'a', password: 'b' });
      expectOAuthError(response, 400, 'unsupported_grant_type');
    }
  });

  it('TK-06: an authorization_code request without code gets 400 invalid_request', async () => {
    const client = await registerClient(kanban);
    const form = codeForm(kanban, client, 'unused', pkcePair().verifier);
    delete form.code;
    const response = await tokenRequest(kanban, form);
    expectOAuthError(response, 400, 'invalid_request');
    expect(response.body.error_description).toMatch(/'code'/);
  });

  it('TK-29: a repeated code, grant_type or code_verifier gets 400 invalid_request, and does not burn the code', async () => {
    const client = await registerClient(kanban);
    const { code, verifier } = await browser.code(client);
    const form = Object.entries(codeForm(kanban, client, code, verifier));
    for (const [name, value] of [['code', code], ['grant_type', 'authorization_code'], ['code_verifier', verifier], ['code', 'another-code']] as const) {
      const response = await postToken(new URLSearchParams([...form, [name, value]]).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
      expectOAuthError(response, 400, 'invalid_request');
      expect(response.body.error_description).toContain(`'${name}' parameter must not be provided twice`);
    }
    // Refused before the code was looked at: the well-formed request still works.
    expect((await tokenRequest(kanban, codeForm(kanban, client, code, verifier))).status).toBe(200);
  });

  it('TK-01: GET, PUT or DELETE /oauth/token, and GET /oauth/revoke or /oauth/introspect → 405 with Allow: POST, OPTIONS and a JSON invalid_request; a refresh token sent that way is not used', async () => {
    const { client, tokens } = await redeemed();
    const grant = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: client.client_id });
    const ownToken = new URLSearchParams({ token: tokens.refresh_token, client_id: client.client_id });
    const attempts: [string, string, string | undefined][] = [
      ['GET', `/oauth/token?${grant}`, undefined],
      ['PUT', '/oauth/token', grant.toString()],
      ['DELETE', '/oauth/token', grant.toString()],
      ['GET', `/oauth/revoke?${ownToken}`, undefined],
      ['GET', `/oauth/introspect?${ownToken}`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const response = await fetch(`${kanban.url}${path}`, { method, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body });
      const parsed = { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
      expectOAuthError(parsed, 405, 'invalid_request');
      expect(response.headers.get('allow'), `${method} ${path}`).toBe('POST, OPTIONS');
    }
    // Neither rotated nor revoked: the refresh token is still the live one.
    expect((await refresh(kanban, client, tokens.refresh_token)).status).toBe(200);
  });

  it('TK-05: a client registered for authorization_code only gets no refresh token, and a refresh_token grant from it gets 400 unauthorized_client (public or authenticated, whatever token it presents)', async () => {
    const client = await registerClient(kanban, { grant_types: ['authorization_code'] });
    expect(client.grant_types).toEqual(['authorization_code']);
    const { code, verifier } = await browser.code(client);
    const tokens = await tokenRequest(kanban, codeForm(kanban, client, code, verifier));
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(tokens.body.refresh_token).toBeUndefined();
    expectOAuthError(await refresh(kanban, client, 'x'), 400, 'unauthorized_client');

    // Another client's live refresh token changes nothing, and is left alone.
    const other = await redeemed();
    expectOAuthError(await refresh(kanban, client, other.tokens.refresh_token), 400, 'unauthorized_client');
    expect((await refresh(kanban, other.client, other.tokens.refresh_token)).status).toBe(200);

    const confidential = await registerClient(kanban, { grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_post' });
    expectOAuthError(await refresh(kanban, confidential, 'x', { client_secret: String(confidential.client_secret) }), 400, 'unauthorized_client');
  });
});

describe('token endpoint: the authorization code (TK-07..TK-18)', () => {
  it('TK-07: a forged or unknown code gets 400 invalid_grant, not a 500', async () => {
    const client = await registerClient(kanban);
    for (const code of ['forged', 'A'.repeat(43), '../../etc/passwd', "' OR 1=1 --"]) {
      expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, pkcePair().verifier)), 400, 'invalid_grant');
    }
  });

  it('TK-08: a replayed code gets 400 invalid_grant and revokes the grant (its refresh token dies); the JWT access token, self-contained, still works until it expires', async () => {
    const { client, code, verifier, tokens } = await redeemed();
    const grantId = await grantIdOfRefreshToken(tokens.refresh_token);
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
    const { client, code, verifier, tokens } = await redeemed();
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

describe('token endpoint: client authentication (TK-19..TK-25)', () => {
  it('TK-19: an unknown client_id gets 401 invalid_client; through the Authorization header, with WWW-Authenticate: Basic realm', async () => {
    const inBody = await tokenRequest(kanban, { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'no-such-client' });
    expectOAuthError(inBody, 401, 'invalid_client');

    const inHeader = await tokenRequest(kanban, { grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: basicAuth('no-such-client', 'secret') });
    expectOAuthError(inHeader, 401, 'invalid_client');
    expect(inHeader.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
  });

  it('TK-20: a confidential client with a wrong secret or no secret gets 401 invalid_client; the right secret works', async () => {
    const client = await registerConfidential('client_secret_post');
    const { code, verifier } = await browser.code(client);
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, verifier)), 401, 'invalid_client');
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, verifier, { client_secret: 'wrong' })), 401, 'invalid_client');
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, verifier, { client_secret: `${client.client_secret}x` })), 401, 'invalid_client');

    const basic = await registerConfidential('client_secret_basic');
    const wrongBasic = await tokenRequest(kanban, { grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: basicAuth(basic.client_id, 'wrong') });
    expectOAuthError(wrongBasic, 401, 'invalid_client');
    expect(wrongBasic.headers.get('www-authenticate')).toMatch(/^Basic realm=/);

    // Failed authentication did not touch the code.
    expect((await tokenRequest(kanban, codeForm(kanban, client, code, verifier, { client_secret: client.client_secret }))).status).toBe(200);
  });

  it('TK-21: client_secret_basic is advertised and works', async () => {
    const metadata = (await (await fetch(`${kanban.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, any>;
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']));

    const client = await registerConfidential('client_secret_basic');
    const { code, verifier } = await browser.code(client);
    const form = codeForm(kanban, client, code, verifier);
    delete form.client_id;
    const response = await tokenRequest(kanban, form, { authorization: basicAuth(client.client_id, client.client_secret) });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(decodeJwt(response.body.access_token).client_id).toBe(client.client_id);
  });

  it('TK-22: Basic plus a body secret, a body client_id that differs from the Basic user, or a badly encoded header gets 400 invalid_request', async () => {
    const client = await registerConfidential('client_secret_basic');
    const { code, verifier } = await browser.code(client);
    const header = { authorization: basicAuth(client.client_id, client.client_secret) };
    const form = codeForm(kanban, client, code, verifier);

    const double = await tokenRequest(kanban, { ...form, client_secret: client.client_secret }, header);
    expectOAuthError(double, 400, 'invalid_request');
    expect(double.body.error_description).toBe('client authentication must only be provided using one mechanism');

    const mismatch = await tokenRequest(kanban, { ...form, client_id: 'someone-else' }, header);
    expectOAuthError(mismatch, 400, 'invalid_request');
    expect(mismatch.body.error_description).toBe('client_id mismatch');

    const { client_id: _clientId, ...withoutClientId } = form;
    for (const authorization of ['Basic !!!not-base64', `Basic ${Buffer.from('no-colon-here').toString('base64')}`, 'Basic']) {
      const malformed = await tokenRequest(kanban, withoutClientId, { authorization });
      expectOAuthError(malformed, 400, 'invalid_request');
      expect(malformed.body.error_description).toBe('invalid authorization header value format');
    }
    expect((await tokenRequest(kanban, form, header)).status).toBe(200);
  });

  it('TK-23: a public client (auth method none) that also sends a client_secret gets 401 invalid_client', async () => {
    const client = await registerClient(kanban);
    const { code, verifier } = await browser.code(client);
    expectOAuthError(await tokenRequest(kanban, codeForm(kanban, client, code, verifier, { client_secret: 'anything' })), 401, 'invalid_client');
    expect((await tokenRequest(kanban, codeForm(kanban, client, code, verifier))).status).toBe(200);
  });

  it('TK-24: an expired client secret gets 400 invalid_client', async () => {
    const client = await registerConfidential('client_secret_post');
    expect(client.client_secret_expires_at).toBe(0);
    const { code, verifier } = await browser.code(client);
    // DCR secrets never expire here (client_secret_expires_at 0): age this one in the stored metadata.
    const row = (await storeRow(kanban, 'Client', client.client_id))!;
    const metadata = JSON.parse(row.payload) as Record<string, unknown>;
    metadata.client_secret_expires_at = Math.floor(Date.now() / 1000) - 60;
    await kanban.runtime.database.query('UPDATE oauth_store SET payload = ? WHERE model = ? AND id = ?', [JSON.stringify(metadata), 'Client', storeKey(client.client_id)]);

    const response = await tokenRequest(kanban, codeForm(kanban, client, code, verifier, { client_secret: client.client_secret }));
    expectOAuthError(response, 400, 'invalid_client');
    expect(response.body.error_description).toMatch(/expired/);
  });

  it('TK-25: secrets are only compared, never used as HMAC keys: discovery names no client_secret_jwt and no HS* algorithm, and registration refuses both', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const metadata = (await (await fetch(`${kanban.url}${path}`)).json()) as Record<string, unknown>;
      expect(metadata.token_endpoint_auth_methods_supported, path).not.toContain('client_secret_jwt');
      expect(metadata.token_endpoint_auth_signing_alg_values_supported, path).toEqual(expect.arrayContaining(['ES256']));
      for (const [key, value] of Object.entries(metadata)) {
        if (!key.endsWith('_alg_values_supported')) continue;
        for (const alg of value as string[]) expect(alg, `${path} ${key}`).not.toMatch(/^HS/);
      }
    }
    for (const metadata of [{ token_endpoint_auth_method: 'client_secret_jwt' }, { token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'HS256' }]) {
      const response = await fetch(`${kanban.url}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: ['https://client.example/cb'], ...metadata }),
      });
      expectOAuthError({ status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> }, 400, 'invalid_client_metadata');
    }
  });
});

describe('token endpoint: what comes back (TK-26, TK-27, TK-28, TK-30, TK-31)', () => {
  it('TK-26: codes, refresh tokens and access token ids are long random base64url strings (at least 160 bits), all distinct', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const { code, tokens } = await redeemed();
      const values = [code, tokens.refresh_token, String(decodeJwt(tokens.access_token).jti)];
      for (const value of values) {
        expect(value).toMatch(/^[A-Za-z0-9_-]{27,}$/);
        expect(seen.has(value)).toBe(false);
        seen.add(value);
      }
    }
  });

  it('TK-27: every token response carries Cache-Control: no-store and Pragma: no-cache, successes and every kind of error alike', async () => {
    const { client, code, verifier, tokens } = await redeemed();
    const confidential = await registerConfidential('client_secret_post');
    const responses: TokenResponse[] = [
      await refresh(kanban, client, tokens.refresh_token), // 200
      await postToken('{}', { 'content-type': 'application/json' }), // body parsing
      await tokenRequest(kanban, { client_id: client.client_id }), // grant_type missing
      await tokenRequest(kanban, { grant_type: 'password', client_id: client.client_id }), // unsupported grant
      await tokenRequest(kanban, { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'no-such-client' }), // client auth, 401
      await tokenRequest(kanban, { grant_type: 'refresh_token', refresh_token: 'x', client_id: confidential.client_id, client_secret: 'wrong' }),
      await tokenRequest(kanban, codeForm(kanban, client, code, verifier)), // invalid_grant (and a replay)
      await refresh(kanban, client, 'x', { resource: 'https://other.example/mcp' }),
    ];
    expect(responses[0]!.status).toBe(200);
    for (const response of responses) {
      expect(response.headers.get('cache-control'), JSON.stringify(response.body)).toBe('no-store');
      expect(response.headers.get('pragma'), JSON.stringify(response.body)).toBe('no-cache');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('TK-28: error_description stays within %x20-21 / %x23-5B / %x5D-7E, whatever the request carried', async () => {
    const client = await registerClient(kanban);
    const hostile = 'a"b\\c\nd\re\tf\u00e9<script>';
    // Each with the status and RFC 6749 code it gets: the hostile value lands in a different check each time.
    const requests: [Record<string, string>, Record<string, string> | undefined, number, string][] = [
      [{ grant_type: hostile, client_id: client.client_id }, undefined, 400, 'unsupported_grant_type'],
      [{ grant_type: 'refresh_token', refresh_token: hostile, client_id: client.client_id }, undefined, 400, 'invalid_grant'],
      [{ grant_type: 'refresh_token', refresh_token: 'x', client_id: hostile }, undefined, 401, 'invalid_client'],
      [{ grant_type: 'refresh_token', refresh_token: 'x', client_id: client.client_id, scope: hostile }, undefined, 400, 'invalid_scope'],
      [{ grant_type: 'refresh_token', refresh_token: 'x', client_id: client.client_id, resource: hostile }, undefined, 400, 'invalid_grant'],
      [codeForm(kanban, client, hostile, hostile), undefined, 400, 'invalid_grant'],
      [codeForm(kanban, client, 'x', pkcePair().verifier, { redirect_uri: hostile }), undefined, 400, 'invalid_grant'],
      [{ grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: `Basic ${Buffer.from(`${hostile}:${hostile}`).toString('base64')}` }, 400, 'invalid_request'],
      [{ grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: hostile.replace(/[\r\n]/g, ' ') }, 400, 'invalid_request'],
    ];
    for (const [form, headers, status, error] of requests) {
      const response = await tokenRequest(kanban, form, headers);
      expect([response.status, response.body.error], JSON.stringify(form)).toEqual([status, error]);
      expect(response.body.error_description).toMatch(ERROR_DESCRIPTION_CHARSET);
    }
  });

  it('errors of the token, revocation and introspection endpoints are JSON even when the caller asks for HTML (Accept: text/html): error pages are for the browser routes only', async () => {
    const client = await registerClient(kanban);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const requests: [string, string, Record<string, string>, number, string][] = [
      ['/oauth/token', new URLSearchParams({ grant_type: 'foobar', client_id: client.client_id }).toString(), form, 400, 'unsupported_grant_type'],
      ['/oauth/token', new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'no-such-client' }).toString(), form, 401, 'invalid_client'],
      ['/oauth/token', new URLSearchParams(codeForm(kanban, client, 'x', pkcePair().verifier)).toString(), form, 400, 'invalid_grant'],
      ['/oauth/token', '{', { 'content-type': 'application/json' }, 400, 'invalid_request'],
      ['/oauth/revoke', new URLSearchParams({ client_id: client.client_id }).toString(), form, 400, 'invalid_request'],
      ['/oauth/introspect', new URLSearchParams({ token: 'x' }).toString(), form, 400, 'invalid_request'],
    ];
    for (const [path, body, headers, status, error] of requests) {
      const response = await fetch(`${kanban.url}${path}`, { method: 'POST', headers: { accept: 'text/html', ...headers }, body });
      const text = await response.text();
      expect(response.headers.get('content-type'), `${path} ${text.slice(0, 200)}`).toMatch(/^application\/json/);
      expect(text).not.toMatch(/<html/i);
      expectOAuthError({ status: response.status, headers: response.headers, body: JSON.parse(text) as Record<string, any> }, status, error);
    }
  });

  it('TK-30: a success is 200 Bearer with expires_in and scope; the access token is an ES256 at+jwt for our resource with iss, aud, sub, client_id, exp, iat, jti and scope', async () => {
    const client = await registerClient(kanban);
    const { code, verifier } = await browser.code(client);
    const response = await tokenRequest(kanban, codeForm(kanban, client, code, verifier));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'kanban.read kanban.write', refresh_token: expect.any(String) });
    expect(response.body.id_token).toBeUndefined();

    const header = decodeProtectedHeader(response.body.access_token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    const jwks = createRemoteJWKSet(new URL(`${kanban.url}/oauth/jwks`));
    const { payload } = await jwtVerify(response.body.access_token, jwks, { issuer: kanban.url, audience: kanban.mcpUrl, typ: 'at+jwt', algorithms: ['ES256'] });
    expect(payload).toMatchObject({ iss: kanban.url, aud: kanban.mcpUrl, sub: account.id, client_id: client.client_id, scope: 'kanban.read kanban.write', jti: expect.any(String) });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(60);

    // Never alg none: the same token with its signature stripped and alg none is refused by the resource server.
    const [, body] = response.body.access_token.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${body}.`;
    expect(await whoamiStatus(kanban, unsigned)).toBe(401);
    expect(await whoamiStatus(kanban, response.body.access_token)).toBe(200);
  });

  it('TK-31: CORS at the token endpoint answers any origin but never with Access-Control-Allow-Credentials', async () => {
    const origin = 'https://evil.example';
    const preflight = await fetch(`${kanban.url}/oauth/token`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    const { client, tokens } = await redeemed();
    const responses = [preflight, (await refresh(kanban, client, tokens.refresh_token, {}, { origin })) as { headers: Headers }, (await refresh(kanban, client, 'x', {}, { origin })) as { headers: Headers }];
    for (const { headers } of responses) {
      expect(['*', origin]).toContain(headers.get('access-control-allow-origin'));
      expect(headers.get('access-control-allow-credentials')).toBeNull();
      // An echoed origin must be keyed in caches by Origin.
      if (headers.get('access-control-allow-origin') === origin) expect(headers.get('vary') ?? '').toMatch(/\bOrigin\b/i);
    }
  });
});

describe('persistence (DB-04, DB-12)', () => {
  it('DB-04: 10 concurrent redemptions of one code give exactly one 200; the others get 400 invalid_grant', async () => {
    for (let round = 0; round < 3; round++) {
      const client = await registerClient(kanban);
      const { code, verifier } = await browser.code(client);
      const responses = await Promise.all(Array.from({ length: 10 }, () => tokenRequest(kanban, codeForm(kanban, client, code, verifier))));
      expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
      for (const response of responses.filter((candidate) => candidate.status !== 200)) expectOAuthError(response, 400, 'invalid_grant');
      // The losers count as replays (TK-08): the grant is gone, the winner's refresh token with it.
      const winner = responses.find((response) => response.status === 200)!;
      expectOAuthError(await refresh(kanban, client, winner.body.refresh_token), 400, 'invalid_grant');
    }
  });

  it('DB-12: the database files hold no issued code or refresh token, only their SHA-256 hashes as keys', async () => {
    const { client, code, tokens } = await redeemed();
    const rotated = await refresh(kanban, client, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const secrets = { code, refreshToken: tokens.refresh_token, rotatedRefreshToken: rotated.body.refresh_token as string };

    // Lookups are by hash: the rows exist under sha256(value).
    expect(await storeRow(kanban, 'AuthorizationCode', code)).toBeDefined();
    expect(await storeRow(kanban, 'RefreshToken', secrets.refreshToken)).toBeDefined();
    expect(await storeRow(kanban, 'RefreshToken', secrets.rotatedRefreshToken)).toBeDefined();

    const bytes = await databaseBytes(kanban);
    expect(bytes.includes(storeKey(secrets.rotatedRefreshToken))).toBe(true);
    for (const [name, value] of Object.entries(secrets)) {
      expect(bytes.includes(value), `${name} found in the database files`).toBe(false);
    }
  });

  it('TK-25, DB-12: client secrets (client_secret_post and client_secret_basic) are stored only as sha256$ hashes, never in the database files; the secret authenticates, a wrong one or the stored hash itself gets 401 invalid_client', async () => {
    const post = await registerConfidential('client_secret_post');
    const basic = await registerConfidential('client_secret_basic');
    const storedSecret = async (client: Confidential): Promise<string> => {
      const payload = JSON.parse((await storeRow(kanban, 'Client', client.client_id))!.payload) as { client_secret?: unknown };
      expect(payload.client_secret).toMatch(/^sha256\$[\w-]{43}$/);
      return payload.client_secret as string;
    };
    const hashes = { post: await storedSecret(post), basic: await storedSecret(basic) };

    const bytes = await databaseBytes(kanban);
    for (const client of [post, basic]) {
      expect(bytes.includes(client.client_id), 'the client row is on disk').toBe(true);
      expect(bytes.includes(client.client_secret), `${String(client.token_endpoint_auth_method)} secret found in the database files`).toBe(false);
    }
    // Everything a thief of the database could try instead of the secret.
    const impostors = (hash: string, other: string) => ['wrong', hash, hash.slice('sha256$'.length), `${hash}x`, other];

    // client_secret_post, through a whole code exchange and a refresh.
    const postCode = await browser.code(post);
    for (const secret of impostors(hashes.post, hashes.basic)) {
      expectOAuthError(await tokenRequest(kanban, codeForm(kanban, post, postCode.code, postCode.verifier, { client_secret: secret })), 401, 'invalid_client');
    }
    const postTokens = await tokenRequest(kanban, codeForm(kanban, post, postCode.code, postCode.verifier, { client_secret: post.client_secret }));
    expect(postTokens.status, JSON.stringify(postTokens.body)).toBe(200);
    expectOAuthError(await refresh(kanban, post, postTokens.body.refresh_token, { client_secret: hashes.post }), 401, 'invalid_client');
    expect((await refresh(kanban, post, postTokens.body.refresh_token, { client_secret: post.client_secret })).status).toBe(200);

    // client_secret_basic, likewise.
    const basicCode = await browser.code(basic);
    const form = codeForm(kanban, basic, basicCode.code, basicCode.verifier);
    delete form.client_id;
    for (const secret of impostors(hashes.basic, hashes.post)) {
      expectOAuthError(await tokenRequest(kanban, form, { authorization: basicAuth(basic.client_id, secret) }), 401, 'invalid_client');
    }
    const basicTokens = await tokenRequest(kanban, form, { authorization: basicAuth(basic.client_id, basic.client_secret) });
    expect(basicTokens.status, JSON.stringify(basicTokens.body)).toBe(200);
  });
});
