import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { account, browser, kanban, redeemedCode, registerConfidential } from '../../support/issuer-under-test.ts';
import { pkcePair, registerClient, tokenRequest } from '../../support/oauth-steps.ts';
import { codeForm, ERROR_DESCRIPTION_CHARSET, expectOAuthError, refresh, whoamiStatus, type TokenResponse } from '../../support/token-helpers.ts';
import { postToken, useTokenEndpoint } from './token-requests.ts';

// Security cases of the token endpoint (docs/security-cases.md group 2), against the real app:
// oidc-provider in Express, a real database, real sign-in and consent pages. This file: what comes
// back, successes and errors (TK-26..TK-28, TK-30, TK-31).

useTokenEndpoint();

describe('token endpoint: what comes back (TK-26, TK-27, TK-28, TK-30, TK-31)', () => {
  it('TK-26: codes, refresh tokens and access token ids are long random base64url strings (at least 160 bits), all distinct', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const { code, tokens } = await redeemedCode();
      const values = [code, tokens.refresh_token, String(decodeJwt(tokens.access_token).jti)];
      for (const value of values) {
        expect(value).toMatch(/^[A-Za-z0-9_-]{27,}$/);
        expect(seen.has(value)).toBe(false);
        seen.add(value);
      }
    }
  });

  it('TK-27: every token response carries Cache-Control: no-store and Pragma: no-cache, successes and every kind of error alike', async () => {
    const { client, code, verifier, tokens } = await redeemedCode();
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
    const { client, tokens } = await redeemedCode();
    const responses = [preflight, (await refresh(kanban, client, tokens.refresh_token, {}, { origin })) as { headers: Headers }, (await refresh(kanban, client, 'x', {}, { origin })) as { headers: Headers }];
    for (const { headers } of responses) {
      expect(['*', origin]).toContain(headers.get('access-control-allow-origin'));
      expect(headers.get('access-control-allow-credentials')).toBeNull();
      // An echoed origin must be keyed in caches by Origin.
      if (headers.get('access-control-allow-origin') === origin) expect(headers.get('vary') ?? '').toMatch(/\bOrigin\b/i);
    }
  });
});
