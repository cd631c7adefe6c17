import { describe, expect, it } from 'vitest';
import { kanban } from '../../support/issuer-under-test.ts';
import { authorizeUrl, exchangeCode, registerClient } from '../../support/oauth-steps.ts';
import { expectJsonError, getJson, send } from '../../support/security-helpers.ts';
import { expectCode, expectSignInRedirect, LOOPBACK_REDIRECT, REDIRECT, session, url, useAuthorizationEndpoint } from './authorize-requests.ts';

// Security catalogue, group 1: the authorization endpoint (/oauth/authorize), rows of
// docs/security-cases.md, against the real app. This file: errors about the client or its
// redirect_uri, which must never redirect (AZ-01..AZ-15).

useAuthorizationEndpoint();

describe('errors that must not redirect: client_id and redirect_uri (AZ-01..AZ-15)', () => {
  it('AZ-01: no client_id → 400 invalid_request, no Location (JSON for APIs, our error page for browsers)', async () => {
    expectJsonError(await getJson(url({}, ['client_id'])), 400, 'invalid_request');
    const page = await send(url({}, ['client_id']), { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('Sign-in could not continue');
  });

  it('AZ-02: an unknown client_id → 400 invalid_client, no Location', async () => {
    expectJsonError(await getJson(url({ client_id: 'nope' })), 400, 'invalid_client');
  });

  it('AZ-03/AZ-04/AZ-05/AZ-06/AZ-09: an unregistered redirect_uri, or one that differs in any character (host case, :443, added query, trailing slash) → 400, no Location', async () => {
    for (const redirectUri of ['https://attacker.example/cb', 'https://CLIENT.example/cb', 'https://client.example:443/cb', 'https://client.example/cb?x=1', 'https://client.example/cb/', 'http://client.example/cb']) {
      const body = expectJsonError(await getJson(url({ redirect_uri: redirectUri })), 400, 'invalid_redirect_uri');
      expect(body.error_description, redirectUri).toMatch(/redirect_uri/);
    }
  });

  it('AZ-07: registered …/cb?a=1, sent …/cb?a=2 → 400, no Location', async () => {
    const withQuery = await registerClient(kanban, { redirect_uris: ['https://client.example/cb?a=1'] });
    expectJsonError(await getJson(url({ redirect_uri: 'https://client.example/cb?a=2' }, [], withQuery)), 400, 'invalid_redirect_uri');
    expectSignInRedirect(await getJson(url({}, [], withQuery)));
  });

  it('AZ-10: loopback tricks (scheme case, 127.000.000.001, 0x7f.1, 2130706433, dot segments) on a native client → 400, no Location; only the port may differ', async () => {
    const native = await registerClient(kanban, { application_type: 'native', redirect_uris: [LOOPBACK_REDIRECT] });
    for (const redirectUri of ['HTTP://127.0.0.1:9999/cb', 'http://127.000.000.001:9999/cb', 'http://0x7f.1:9999/cb', 'http://2130706433:9999/cb', 'http://127.0.0.1:9999/x/../cb', 'http://127.0.0.1:9999/CB', 'http://127.0.0.1:9999/cb?x=1']) {
      expectJsonError(await getJson(url({ redirect_uri: redirectUri }, [], native)), 400, 'invalid_redirect_uri');
    }
  });

  it('AZ-11: a native client on loopback may use any port: the flow succeeds and the code is bound to the redirect_uri used', async () => {
    const native = await registerClient(kanban, { application_type: 'native', redirect_uris: [LOOPBACK_REDIRECT] });
    const ephemeral = 'http://127.0.0.1:9999/cb';
    const { url: authorize, verifier } = authorizeUrl(kanban, native, { redirect_uri: ephemeral });
    const { redirect } = await session.authorize(authorize);
    const code = expectCode(redirect, ephemeral);
    expect(redirect!.port).toBe('9999');
    const tokens = await exchangeCode(kanban, native, code, verifier, { redirect_uri: ephemeral });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  });

  it('AZ-12: localhost and 127.0.0.1 never stand in for each other → 400, no Location', async () => {
    const ipClient = await registerClient(kanban, { application_type: 'native', redirect_uris: [LOOPBACK_REDIRECT] });
    expectJsonError(await getJson(url({ redirect_uri: 'http://localhost:2355/cb' }, [], ipClient)), 400, 'invalid_redirect_uri');
    const nameClient = await registerClient(kanban, { application_type: 'native', redirect_uris: ['http://localhost:2355/cb'] });
    expectJsonError(await getJson(url({ redirect_uri: LOOPBACK_REDIRECT }, [], nameClient)), 400, 'invalid_redirect_uri');
  });

  it('AZ-13: a redirect_uri with a fragment, on the web or on loopback (any port) → 400, no Location', async () => {
    expectJsonError(await getJson(url({ redirect_uri: `${REDIRECT}#f` })), 400, 'invalid_redirect_uri');
    const native = await registerClient(kanban, { application_type: 'native', redirect_uris: [LOOPBACK_REDIRECT] });
    for (const redirectUri of [`${LOOPBACK_REDIRECT}#f`, 'http://127.0.0.1:9999/cb#f', `${LOOPBACK_REDIRECT}#`]) {
      expectJsonError(await getJson(url({ redirect_uri: redirectUri }, [], native)), 400, 'invalid_redirect_uri');
    }
  });

  it('AZ-14: redirect_uri omitted by a client with two registered → 400 invalid_request, no Location', async () => {
    const two = await registerClient(kanban, { redirect_uris: [REDIRECT, 'https://client.example/cb2'] });
    const body = expectJsonError(await getJson(url({}, ['redirect_uri'], two)), 400, 'invalid_request');
    expect(body.error_description).toMatch(/redirect_uri/);
  });

  it('AZ-15: our policy — redirect_uri omitted by a client with exactly one registered is allowed (OAuth 2.1 §2.3.2); the code goes to that URI', async () => {
    const single = await registerClient(kanban);
    const { redirect } = await session.authorize(url({}, ['redirect_uri'], single));
    expectCode(redirect, REDIRECT);
  });
});
