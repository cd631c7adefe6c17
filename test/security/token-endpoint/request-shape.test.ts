import { describe, expect, it } from 'vitest';
import { browser, kanban, redeemedCode } from '../../support/issuer-under-test.ts';
import { pkcePair, registerClient, tokenRequest } from '../../support/oauth-steps.ts';
import { codeForm, expectOAuthError, refresh } from '../../support/token-helpers.ts';
import { postToken, useTokenEndpoint } from './token-requests.ts';

// Security cases of the token endpoint (docs/security-cases.md group 2), against the real app:
// oidc-provider in Express, a real database, real sign-in and consent pages. This file: the request
// itself (TK-01..TK-06, TK-29).

useTokenEndpoint();

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
    const { client, tokens } = await redeemedCode();
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
    const other = await redeemedCode();
    expectOAuthError(await refresh(kanban, client, other.tokens.refresh_token), 400, 'unauthorized_client');
    expect((await refresh(kanban, other.client, other.tokens.refresh_token)).status).toBe(200);

    const confidential = await registerClient(kanban, { grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_post' });
    expectOAuthError(await refresh(kanban, confidential, 'x', { client_secret: String(confidential.client_secret) }), 400, 'unauthorized_client');
  });
});
