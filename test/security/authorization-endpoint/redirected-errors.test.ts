import { describe, expect, it } from 'vitest';
import { kanban } from '../../support/issuer-under-test.ts';
import { registerClient } from '../../support/oauth-steps.ts';
import { expectJsonError, getJson, isConsentPage, send } from '../../support/security-helpers.ts';
import { client, errorBack, expectSignInRedirect, REDIRECT, session, url, useAuthorizationEndpoint } from './authorize-requests.ts';

// Security catalogue, group 1: the authorization endpoint (/oauth/authorize), rows of
// docs/security-cases.md, against the real app. This file: errors sent back to the registered
// redirect_uri with error, state and iss (AZ-16..AZ-25, AZ-31, AZ-32, AZ-43, AZ-44).

useAuthorizationEndpoint();

describe('errors redirected to the registered redirect_uri with error, state and iss (AZ-16..AZ-25, AZ-31, AZ-32, AZ-43, AZ-44)', () => {
  // PostgreSQL's jsonb cannot hold NUL: refused on both engines as the client's error, never a 500.
  it('our policy: a NUL in a stored parameter (state) → redirect with invalid_request, nothing stored', async () => {
    const before = await kanban.runtime.database.query('select count(*) as n from oauth_store');
    for (const state of ['a\u0000b', '\u0000']) {
      const params = errorBack(await getJson(url({ state })), 'invalid_request', state);
      expect(params.get('error_description'), JSON.stringify(state)).toBe('parameters must not contain NUL characters');
    }
    expect(await kanban.runtime.database.query('select count(*) as n from oauth_store')).toEqual(before);
  });

  it('AZ-16: response_type missing → redirect with invalid_request', async () => {
    errorBack(await getJson(url({}, ['response_type'])), 'invalid_request');
  });

  it('AZ-17: response_type=token or "code id_token" → redirect with unsupported_response_type (in the fragment, the default mode of those types)', async () => {
    for (const responseType of ['token', 'code id_token', 'id_token']) {
      errorBack(await getJson(url({ response_type: responseType })), 'unsupported_response_type');
    }
  });

  it('AZ-18: code_challenge missing → redirect with invalid_request (PKCE required)', async () => {
    const params = errorBack(await getJson(url({}, ['code_challenge', 'code_challenge_method'])), 'invalid_request');
    expect(params.get('error_description')).toMatch(/PKCE/);
    errorBack(await getJson(url({}, ['code_challenge'])), 'invalid_request');
  });

  it('AZ-19: code_challenge_method=plain → redirect with invalid_request', async () => {
    const params = errorBack(await getJson(url({ code_challenge_method: 'plain' })), 'invalid_request');
    expect(params.get('error_description')).toMatch(/code_challenge_method/);
  });

  it('AZ-20: code_challenge without code_challenge_method (would default to plain) → redirect with invalid_request', async () => {
    const params = errorBack(await getJson(url({}, ['code_challenge_method'])), 'invalid_request');
    expect(params.get('error_description')).toMatch(/code_challenge_method/);
  });

  it('AZ-21: code_challenge outside 43*128unreserved (42 chars, 129 chars, &, +, =) → redirect with invalid_request; 43 chars pass', async () => {
    for (const challenge of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}&`, `${'a'.repeat(42)}+`, `${'a'.repeat(42)}=`, `${'a'.repeat(42)}/`]) {
      const params = errorBack(await getJson(url({ code_challenge: challenge })), 'invalid_request');
      expect(params.get('error_description'), challenge).toMatch(/code_challenge/);
    }
    expectSignInRedirect(await getJson(url({ code_challenge: 'a'.repeat(43) })));
    expectSignInRedirect(await getJson(url({ code_challenge: 'a'.repeat(128) })));
  });

  it('AZ-23: a scope naming nothing we have (admin, "admin root") → straight back to the redirect_uri with invalid_scope, state and iss: no sign-in page, no consent page', async () => {
    for (const scope of ['admin', 'admin root']) {
      for (const accept of ['application/json', 'text/html']) {
        const response = await send(url({ scope }), { headers: { accept } });
        const params = errorBack(response, 'invalid_scope');
        expect(response.location, `${scope} ${accept}`).not.toContain('/oauth/interaction/');
        expect(params.get('error_description')).toMatch(/scope/);
      }
    }
    // A signed-in browser is not shown a consent page for it either.
    const fresh = await registerClient(kanban);
    const signedIn = await session.open(url({}, [], fresh));
    expect(isConsentPage(signedIn)).toBe(true);
    const page = await session.browser.open(url({ scope: 'admin' }, [], fresh));
    expect(page.html).toBe('');
    errorBack({ status: page.status, headers: page.headers, location: page.url, text: '' }, 'invalid_scope');
    // One scope we know is enough to go on (the unknown one is dropped: see the AZ-23 success case).
    expectSignInRedirect(await getJson(url({ scope: 'kanban.read admin' })));
    expectSignInRedirect(await getJson(url({ scope: 'admin kanban.write' })));
  });

  it('AZ-24: a scope outside the scope-token grammar (LF, ", \\) → redirect with invalid_scope', async () => {
    for (const scope of ['kanban.read\nadmin', 'kanban.read\nkanban.write', 'kanban.read "admin', 'kanban.read \\admin']) {
      errorBack(await getJson(url({ scope })), 'invalid_scope');
    }
  });

  it('AZ-25: a repeated parameter → redirect with invalid_request; a repeated client_id → 400 with no redirect', async () => {
    const twiceState = errorBack(await getJson(`${url({ state: 'a' })}&state=b`), 'invalid_request', null);
    expect(twiceState.get('error_description')).toMatch(/state/);
    const twiceType = errorBack(await getJson(`${url()}&response_type=code`), 'invalid_request');
    expect(twiceType.get('error_description')).toMatch(/response_type/);
    errorBack(await getJson(`${url()}&code_challenge_method=S256`), 'invalid_request');
    errorBack(await getJson(`${url()}&redirect_uri=${encodeURIComponent(REDIRECT)}`), 'invalid_request');
    const body = expectJsonError(await getJson(`${url()}&client_id=${client.client_id}`), 400, 'invalid_request');
    expect(body.error_description).toMatch(/client_id/);
  });

  it('AZ-31: resource relative (/mcp) or with a fragment → redirect with invalid_target', async () => {
    for (const resource of ['/mcp', `${kanban.mcpUrl}#x`]) {
      errorBack(await getJson(url({ resource })), 'invalid_target');
    }
  });

  it('AZ-32: a resource this server does not serve → redirect with invalid_target', async () => {
    for (const resource of ['https://other.example/mcp', kanban.url, `${kanban.mcpUrl}/`]) {
      errorBack(await getJson(url({ resource })), 'invalid_target');
    }
  });

  it('AZ-43: request= and request_uri= (JAR, not supported) → redirect with request_not_supported / request_uri_not_supported', async () => {
    errorBack(await getJson(url({ request: 'eyJhbGciOiJub25lIn0.e30.' })), 'request_not_supported');
    errorBack(await getJson(url({ request_uri: 'https://client.example/request.jwt' })), 'request_uri_not_supported');
  });

  it('AZ-44: OIDC semantics — prompt=none while signed out → login_required; max_age=-1 → invalid_request', async () => {
    errorBack(await getJson(url({ prompt: 'none' })), 'login_required');
    errorBack(await getJson(url({ prompt: 'none', scope: 'openid kanban.read' })), 'login_required');
    const params = errorBack(await getJson(url({ max_age: '-1', scope: 'openid kanban.read' })), 'invalid_request');
    expect(params.get('error_description')).toMatch(/max_age/);
  });
});
