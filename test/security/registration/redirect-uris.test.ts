import { describe, expect, it } from 'vitest';
import { useIssuer } from '../../support/issuer-under-test.ts';
import { expectRefused, expectRegistered, REDIRECT, register } from './register.ts';

// Security catalogue, group 3: dynamic client registration (/oauth/register, RFC 7591), rows of
// docs/security-cases.md, against the real app. This file: the redirect URIs a client may register
// (RG-01..RG-06).

useIssuer();

describe('redirect URIs (RG-01..RG-06)', () => {
  it('RG-01: redirect_uris missing or empty → 400 invalid_redirect_uri', async () => {
    const missing = expectRefused(await register({ client_name: 'No redirect', token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');
    expect(missing.error_description).toMatch(/redirect_uris/);
    expectRefused(await register({ redirect_uris: [], token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');
  });

  it('RG-02: javascript:, data:, vbscript:, blob:, file: and about: redirect URIs → 400 invalid_redirect_uri, for web and native clients', async () => {
    for (const uri of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'blob:https://client.example/0b1c', 'file:///etc/passwd', 'about:blank']) {
      for (const applicationType of ['web', 'native']) {
        const body = expectRefused(await register({ redirect_uris: [uri], application_type: applicationType, token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');
        expect(body.error_description, `${applicationType} ${uri}`).toMatch(/redirect_uris/);
      }
    }
  });

  it('RG-03: a redirect URI with a fragment (even an empty one, even on loopback) → 400 invalid_redirect_uri', async () => {
    for (const [uri, applicationType] of [['https://c.example/cb#frag', 'web'], ['https://c.example/cb#', 'web'], ['http://127.0.0.1:2355/cb#f', 'native']] as const) {
      const body = expectRefused(await register({ redirect_uris: [uri], application_type: applicationType, token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');
      expect(body.error_description, uri).toMatch(/fragment/);
    }
  });

  it('RG-04: a plain-http redirect URI off loopback → 400 invalid_redirect_uri, for web and native clients, alone or next to a good one; http on 127.0.0.1 or [::1] is accepted', async () => {
    for (const applicationType of ['web', 'native']) {
      const body = expectRefused(await register({ redirect_uris: ['http://evil.example/cb'], application_type: applicationType, token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');
      expect(body.error_description, applicationType).toMatch(/https/);
    }
    expectRefused(await register({ redirect_uris: [REDIRECT, 'http://evil.example/cb'], token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');
    // Names that merely start like loopback are not loopback.
    for (const uri of ['http://127.0.0.1.evil.example/cb', 'http://localhost.evil.example/cb']) {
      expectRefused(await register({ redirect_uris: [uri], application_type: 'native', token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');
    }
    for (const [uri, applicationType] of [['http://127.0.0.1:8765/cb', 'web'], ['http://[::1]:8765/cb', 'native']] as const) {
      const client = expectRegistered(await register({ redirect_uris: [uri], application_type: applicationType, token_endpoint_auth_method: 'none' }));
      expect(client.redirect_uris).toEqual([uri]);
    }
  });

  it('RG-05: a private-use scheme without a dot (myapp:/cb) → 400 invalid_redirect_uri, web or native; a reverse-domain scheme (com.example.app:/cb) is accepted for a native client', async () => {
    for (const applicationType of ['native', 'web']) {
      const body = expectRefused(await register({ redirect_uris: ['myapp:/cb'], application_type: applicationType, token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');
      expect(body.error_description, applicationType).toMatch(/redirect_uris/);
    }
    const native = expectRegistered(await register({ redirect_uris: ['com.example.app:/cb'], application_type: 'native', token_endpoint_auth_method: 'none' }));
    expect(native.redirect_uris).toEqual(['com.example.app:/cb']);
  });

  const RESERVED_QUERY = [`${REDIRECT}?code=abc`, `${REDIRECT}?state=1`, `${REDIRECT}?x=1&iss=https%3A%2F%2Fevil.example`, `${REDIRECT}?a=1&code`];

  it('RG-06: a redirect URI that already carries code, state or iss in its query (even empty) → 400 invalid_redirect_uri', async () => {
    for (const uri of RESERVED_QUERY) {
      const response = await register({ redirect_uris: [uri], token_endpoint_auth_method: 'none' });
      // expectRefused minus the description charset, which the next test holds to account.
      expect(response.status, response.text).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = JSON.parse(response.text) as Record<string, unknown>;
      expect(body.error, uri).toBe('invalid_redirect_uri');
      expect(body.error_description, uri).toMatch(/redirect_uris/);
      expect(body).not.toHaveProperty('client_id');
    }
    // Any other query is fine (AZ-08 uses one end to end).
    expectRegistered(await register({ redirect_uris: [`${REDIRECT}?foo=bar`], token_endpoint_auth_method: 'none' }));
  });

  it('RG-06: the refusal\'s error_description stays within the RFC 6749 §5.2 charset (no quotes around the parameter name)', async () => {
    expectRefused(await register({ redirect_uris: [RESERVED_QUERY[0]!], token_endpoint_auth_method: 'none' }), 'invalid_redirect_uri');
  });
});
