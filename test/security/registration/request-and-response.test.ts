import { describe, expect, it } from 'vitest';
import { kanban, useIssuer } from '../../support/issuer-under-test.ts';
import { expectJsonError, send } from '../../support/security-helpers.ts';
import { expectRefused, expectRegistered, REDIRECT, register } from './register.ts';

// Security catalogue, group 3: dynamic client registration (/oauth/register, RFC 7591), rows of
// docs/security-cases.md, against the real app. This file: the request format, the success
// response and the HTTP methods (RG-11..RG-13, RG-17, RG-21).

useIssuer();

describe('request format (RG-11..RG-13)', () => {
  it('RG-11: a body that is null, malformed JSON, an array or a string → 400 with a JSON invalid_request', async () => {
    for (const body of ['null', '{"redirect_uris": [', '[]', '"https://client.example/cb"', '']) {
      const refused = expectRefused(await register(body), 'invalid_request');
      expect(refused.error_description, JSON.stringify(body)).toEqual(expect.any(String));
    }
  });

  it('RG-12: a form-encoded (or text/plain) body → 400 invalid_request naming application/json', async () => {
    const form = expectRefused(await register(new URLSearchParams({ redirect_uris: REDIRECT }).toString(), { 'content-type': 'application/x-www-form-urlencoded' }), 'invalid_request');
    expect(form.error_description).toMatch(/application\/json/);
    expectRefused(await register(JSON.stringify({ redirect_uris: [REDIRECT] }), { 'content-type': 'text/plain' }), 'invalid_request');
  });

  it('RG-13: a body over 16 KiB (declared Content-Length) → 413 with a JSON invalid_request and Cache-Control: no-store; exactly 16 KiB still registers', async () => {
    /** A valid registration of exactly `size` bytes: ten long redirect URIs (each under the 2000-character cap). */
    const bodyOfSize = (size: number): string => {
      const make = (last: number) => JSON.stringify({ token_endpoint_auth_method: 'none', redirect_uris: Array.from({ length: 10 }, (_, i) => `https://client.example/${i}/${'p'.repeat(i === 9 ? last : 1600)}`) });
      const body = make(1600 + size - make(1600).length);
      expect(Buffer.byteLength(body)).toBe(size);
      return body;
    };
    for (const body of [bodyOfSize(16 * 1024 + 1), JSON.stringify({ redirect_uris: [REDIRECT], client_name: 'x'.repeat(200 * 1024) })]) {
      const response = await register(body);
      const refused = expectJsonError(response, 413, 'invalid_request');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(refused).not.toHaveProperty('client_id');
    }
    const atLimit = expectRegistered(await register(bodyOfSize(16 * 1024)));
    expect(atLimit.redirect_uris).toHaveLength(10);
  });
  it('RG-13: a body of undeclared size (chunked) → 411: the limit cannot be checked without reading it', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${kanban.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_name: 'x'.repeat(17 * 1024) }));
      req.end();
    });
    expect(status).toBe(411);
  });
});

describe('the success response (RG-17)', () => {
  it('RG-17: 201 with Cache-Control: no-store, a client_id and the metadata echoed; a public client gets no secret, a confidential one gets a secret that does not expire (0)', async () => {
    const response = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_name: 'Echo me', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] });
    const client = expectRegistered(response);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(client).toMatchObject({ redirect_uris: [REDIRECT], client_name: 'Echo me', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] });
    expect(client.client_id).toEqual(expect.any(String));
    expect(client).not.toHaveProperty('client_secret');
    expect(client).not.toHaveProperty('client_secret_expires_at');
    // No RFC 7592 management: no registration access token or client URI handed out.
    expect(client).not.toHaveProperty('registration_access_token');
    expect(client).not.toHaveProperty('registration_client_uri');

    const confidentialResponse = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic' });
    const confidential = expectRegistered(confidentialResponse);
    expect(confidentialResponse.headers.get('cache-control')).toBe('no-store');
    expect(confidential.client_secret).toMatch(/^[\w-]{43,}$/);
    expect(confidential.client_secret_expires_at).toBe(0);
  });

  it('RG-17: every 201 also sends Pragma: no-cache; a client that leaves token_endpoint_auth_method out is public (none) and gets no secret; client_secret_post gets one', async () => {
    const omittedResponse = await register({ redirect_uris: [REDIRECT], client_name: 'No method given' });
    const omitted = expectRegistered(omittedResponse);
    expect(omitted.token_endpoint_auth_method).toBe('none');
    expect(omitted).not.toHaveProperty('client_secret');
    expect(omitted).not.toHaveProperty('client_secret_expires_at');

    const postResponse = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' });
    const post = expectRegistered(postResponse);
    expect(post.token_endpoint_auth_method).toBe('client_secret_post');
    expect(post.client_secret).toMatch(/^[\w-]{43,}$/);
    expect(post.client_secret_expires_at).toBe(0);

    for (const response of [omittedResponse, postResponse]) {
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
    }
  });
});

describe('HTTP methods (RG-21)', () => {
  it('RG-21: GET, PUT or DELETE /oauth/register → 405 with Allow: POST, OPTIONS and a JSON invalid_request; the CORS preflight still answers', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await send(`${kanban.url}/oauth/register`, { method, headers: { accept: 'application/json', 'content-type': 'application/json' }, body: method === 'GET' ? undefined : JSON.stringify({ redirect_uris: [REDIRECT] }) });
      expectJsonError(response, 405, 'invalid_request');
      expect(response.headers.get('allow'), method).toBe('POST, OPTIONS');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    const preflight = await send(`${kanban.url}/oauth/register`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });
});
