import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { browser, kanban, registerConfidential } from '../../support/issuer-under-test.ts';
import { registerClient, tokenRequest } from '../../support/oauth-steps.ts';
import { basicAuth, codeForm, expectOAuthError, storeKey, storeRow } from '../../support/token-helpers.ts';
import { useTokenEndpoint } from './token-requests.ts';

// Security cases of the token endpoint (docs/security-cases.md group 2), against the real app:
// oidc-provider in Express, a real database, real sign-in and consent pages. This file: client
// authentication (TK-19..TK-25).

useTokenEndpoint();

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
      const algLists = Object.entries(metadata).filter(([key]) => key.endsWith('_alg_values_supported'));
      expect(algLists.length, path).toBeGreaterThan(0);
      for (const [key, value] of algLists) {
        expect((value as string[]).length, `${path} ${key}`).toBeGreaterThan(0);
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
