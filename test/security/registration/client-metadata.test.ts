import { describe, expect, it } from 'vitest';
import { BrowserForms } from '../../support/browser-forms.ts';
import { kanban, useIssuer } from '../../support/issuer-under-test.ts';
import { authorizeUrl, pkcePair } from '../../support/oauth-steps.ts';
import { expectJsonError, getJson, isSignInPage } from '../../support/security-helpers.ts';
import { expectRefused, expectRegistered, REDIRECT, register } from './register.ts';

// Security catalogue, group 3: dynamic client registration (/oauth/register, RFC 7591), rows of
// docs/security-cases.md, against the real app. This file: the rest of the client metadata: text
// the database cannot hold, grant and response types, client authentication, what users are shown,
// scope (RG-07..RG-10, RG-14..RG-16).

useIssuer();

describe('text the database cannot hold', () => {
  // PostgreSQL's jsonb cannot hold NUL: refused on both engines, never a 500.
  it('our policy: a NUL in client metadata → 400 invalid_client_metadata, and no client is stored', async () => {
    const before = (await kanban.runtime.database.query("select count(*) as n from oauth_store where model = 'Client'"))[0];
    for (const metadata of [{ client_name: 'a\u0000b' }, { client_name: '\u0000' }]) {
      const body = expectRefused(await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', ...metadata }), 'invalid_client_metadata');
      expect(body.error_description).toBe('client metadata must not contain NUL characters');
    }
    expect((await kanban.runtime.database.query("select count(*) as n from oauth_store where model = 'Client'"))[0]).toEqual(before);
  });
});

describe('grant types, response types, client authentication (RG-07..RG-10)', () => {
  it('RG-07: grant_types password, client_credentials or implicit → 400 invalid_client_metadata', async () => {
    for (const grantTypes of [['password', 'client_credentials'], ['authorization_code', 'client_credentials'], ['implicit'], ['urn:ietf:params:oauth:grant-type:device_code']]) {
      const body = expectRefused(await register({ redirect_uris: [REDIRECT], grant_types: grantTypes, token_endpoint_auth_method: 'none' }), 'invalid_client_metadata');
      expect(body.error_description, grantTypes.join()).toMatch(/grant_types/);
    }
  });

  it('RG-08: response_types that the grant types cannot serve (authorization_code with token) → 400 invalid_client_metadata', async () => {
    for (const responseTypes of [['token'], ['code', 'token'], ['code id_token']]) {
      const body = expectRefused(await register({ redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: responseTypes, token_endpoint_auth_method: 'none' }), 'invalid_client_metadata');
      expect(body.error_description, responseTypes.join()).toMatch(/response_types/);
    }
  });

  it('RG-09: a token_endpoint_auth_method outside token_endpoint_auth_methods_supported → 400 invalid_client_metadata', async () => {
    const metadata = JSON.parse((await getJson(`${kanban.url}/.well-known/oauth-authorization-server`)).text) as { token_endpoint_auth_methods_supported: string[] };
    for (const method of ['tls_client_auth', 'self_signed_tls_client_auth', 'attest_jwt_client_auth', 'client_secret_whatever']) {
      expect(metadata.token_endpoint_auth_methods_supported).not.toContain(method);
      // jwks_uri given, so that only the method itself can be what is refused.
      const body = expectRefused(await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: method, jwks_uri: 'https://client.example/jwks', tls_client_auth_subject_dn: 'CN=client' }), 'invalid_client_metadata');
      expect(body.error_description).toMatch(/token_endpoint_auth_method/);
    }
  });

  it('RG-10: a client-chosen client_id, client_secret and client_id_issued_at are ignored; the server generates the id', async () => {
    const before = Math.floor(Date.now() / 1000) - 5;
    const client = expectRegistered(await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_id: 'my-own-id', client_secret: 'my-own-secret-my-own-secret-my-own-secret', client_id_issued_at: 1, client_secret_expires_at: 1 }));
    expect(client.client_id).not.toBe('my-own-id');
    expect(client.client_id).toMatch(/^[\w-]{32,}$/);
    expect(client.client_id_issued_at as number).toBeGreaterThanOrEqual(before);
    expect(client).not.toHaveProperty('client_secret');
    expect(client).not.toHaveProperty('client_secret_expires_at');
    // The chosen id names no client.
    const { challenge } = pkcePair();
    const query = new URLSearchParams({ client_id: 'my-own-id', redirect_uri: REDIRECT, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' });
    expectJsonError(await getJson(`${kanban.url}/oauth/authorize?${query}`), 400, 'invalid_client');
  });
});

describe('metadata shown to users and scope (RG-14..RG-16)', () => {
  it('RG-14: javascript: in policy_uri, tos_uri, logo_uri or client_uri → 400 invalid_client_metadata', async () => {
    for (const field of ['policy_uri', 'tos_uri', 'logo_uri', 'client_uri']) {
      const body = expectRefused(await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', [field]: 'javascript:alert(1)' }), 'invalid_client_metadata');
      expect(body.error_description).toContain(field);
    }
  });

  it('RG-14: an HTML client_name is stored but shown escaped on the sign-in page, which allows no script at all', async () => {
    const name = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const client = expectRegistered(await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_name: name }));
    expect(client.client_name).toBe(name);
    const page = await new BrowserForms(kanban.url).open(authorizeUrl(kanban, client).url);
    expect(isSignInPage(page)).toBe(true);
    expect(page.html).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(page.html).not.toContain('<img');
    expect(page.html).not.toContain('<script');
    expect(page.headers.get('content-security-policy')).toMatch(/(^|;)\s*default-src 'none'\s*(;|$)/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/script-src/);
  });

  it('RG-16: a scope beyond scopes_supported → 400 invalid_client_metadata', async () => {
    for (const scope of ['admin', 'kanban.read admin', 'kanban.read kanban.delete']) {
      const body = expectRefused(await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', scope }), 'invalid_client_metadata');
      expect(body.error_description).toMatch(/scope/);
    }
    const allowed = expectRegistered(await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', scope: 'kanban.read' }));
    expect(allowed.scope).toBe('kanban.read');
  });

  it('RG-15: bounded metadata — 11 redirect_uris or a redirect URI over 2000 characters → 400 invalid_redirect_uri; a 101-character client_name or a client_uri over 2000 → 400 invalid_client_metadata; 10 URIs and a 100-character name register', async () => {
    const uris = (count: number) => Array.from({ length: count }, (_, i) => `https://client.example/cb${i}`);
    const tooMany = expectRefused(await register({ redirect_uris: uris(11), token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');
    expect(tooMany.error_description).toMatch(/10/);
    expectRefused(await register({ redirect_uris: [`https://client.example/${'a'.repeat(2000)}`], token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');

    const longName = expectRefused(await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_name: 'n'.repeat(101) }), 'invalid_client_metadata');
    expect(longName.error_description).toMatch(/client_name/);
    const longUri = expectRefused(await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_uri: `https://client.example/${'a'.repeat(2000)}` }), 'invalid_client_metadata');
    expect(longUri.error_description).toMatch(/client_uri/);

    const atLimits = expectRegistered(await register({ redirect_uris: uris(10), token_endpoint_auth_method: 'none', client_name: 'n'.repeat(100) }));
    expect(atLimits.redirect_uris).toEqual(uris(10));
    expect(atLimits.client_name).toBe('n'.repeat(100));
  });
});
