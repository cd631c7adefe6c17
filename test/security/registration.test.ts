import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserForms } from '../support/browser-forms.ts';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { authorizeUrl, pkcePair, type RegisteredClient } from '../support/oauth-steps.ts';
import { expectJsonError, getJson, isSignInPage, send, startRecordingHttpsServer, withTlsVerificationOff, type RawResponse } from '../support/security-helpers.ts';

// Security catalogue, group 3: dynamic client registration (/oauth/register, RFC 7591), rows
// RG-01..RG-21 of docs/security-cases.md, against the real app. Registration is
// open; client ID metadata documents (CIMD) are enabled, so RG-20 applies.

const REDIRECT = 'https://client.example/cb';

let kanban: RunningKanban;
beforeAll(async () => {
  kanban = await startKanban();
});
afterAll(async () => {
  await kanban.stop();
  removeDataDir(kanban.dataDir);
});

function register(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<RawResponse> {
  return send(`${kanban.url}/oauth/register`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A registration refused with this code: 400, JSON, clean description, Cache-Control: no-store. */
function expectRefused(response: RawResponse, error: string): Record<string, unknown> {
  const body = expectJsonError(response, 400, error);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(body).not.toHaveProperty('client_id');
  return body;
}

function expectRegistered(response: RawResponse): RegisteredClient & Record<string, unknown> {
  expect(response.status, response.text).toBe(201);
  return JSON.parse(response.text) as RegisteredClient & Record<string, unknown>;
}

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

describe('client ID metadata documents: no server-side request forgery (RG-20)', () => {
  const { challenge } = pkcePair();
  function authorizeAs(clientId: string): Promise<RawResponse> {
    const query = new URLSearchParams({ client_id: clientId, redirect_uri: 'https://client.example/cb', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', state: 's' });
    return getJson(`${kanban.url}/oauth/authorize?${query}`);
  }

  // Loopback is where a listener can prove that no request arrives; link-local (169.254.169.254) is
  // covered by test/cimd.test.ts, and unroutable private addresses would only time out here.
  it('RG-20: a CIMD client_id on a loopback address (by IP, by name, in decimal, IPv4-mapped) → 400 invalid_client, no redirect, and the issuer never requests it', async () => {
    const documentServer = await startRecordingHttpsServer((path) => ({ client_id: `https://127.0.0.1/${path}`, redirect_uris: ['https://client.example/cb'], token_endpoint_auth_method: 'none' }));
    try {
      await withTlsVerificationOff(async () => {
        // The loopback server is reachable and its certificate accepted here, so only a guard can keep the issuer out.
        expect((await fetch(`https://127.0.0.1:${documentServer.port}/reachable`)).status).toBe(200);
        documentServer.requests.length = 0;
        const port = documentServer.port;
        for (const clientId of [`https://127.0.0.1:${port}/client.json`, `https://localhost:${port}/client.json`, `https://2130706433:${port}/client.json`, `https://[::ffff:7f00:1]:${port}/client.json`]) {
          const body = expectJsonError(await authorizeAs(clientId), 400, 'invalid_client');
          expect(body.error_description, clientId).toMatch(/client/);
        }
        expect(documentServer.requests).toEqual([]);
      });
    } finally {
      await documentServer.close();
    }
  });

  it('RG-20: an http: (not https:) client_id is not a metadata document at all → 400 invalid_client', async () => {
    for (const clientId of ['http://169.254.169.254/latest/meta-data', 'http://127.0.0.1/client.json']) {
      expectJsonError(await authorizeAs(clientId), 400, 'invalid_client');
    }
  });

  it('RG-20: a metadata document URL that answers with a redirect (a chain into a private address) → 400 invalid_client; the redirect is not followed', async () => {
    const requested: string[] = [];
    const origin: Server = createServer((req, res) => {
      requested.push(req.url ?? '');
      if (req.url === '/client.json') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' });
      } else if (req.url === '/relative.json') {
        res.writeHead(302, { location: '/target.json' });
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ client_id: 'https://client.example/target.json', redirect_uris: ['https://client.example/cb'], token_endpoint_auth_method: 'none' }));
        return;
      }
      res.end();
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const address = origin.address();
    const local = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // The issuer's fetch hook serves https://client.example/* from this loopback server, with the
    // caller's options (redirect handling included) passed through untouched.
    const redirecting = await startKanban({
      issuer: {
        fetch: (input, init) => {
          const target = new URL(input instanceof Request ? input.url : input);
          if (target.origin !== 'https://client.example') return Promise.reject(new Error(`unexpected fetch of ${target}`));
          return fetch(`${local}${target.pathname}`, { ...init, dispatcher: undefined } as RequestInit);
        },
      },
    });
    try {
      for (const path of ['/client.json', '/relative.json']) {
        const query = new URLSearchParams({ client_id: `https://client.example${path}`, redirect_uri: 'https://client.example/cb', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', state: 's' });
        expectJsonError(await getJson(`${redirecting.url}/oauth/authorize?${query}`), 400, 'invalid_client');
      }
      expect(requested.length).toBeGreaterThan(0);
      expect(requested.every((path) => path === '/client.json' || path === '/relative.json')).toBe(true);
    } finally {
      await redirecting.stop();
      removeDataDir(redirecting.dataDir);
      await new Promise<void>((resolve) => origin.close(() => resolve()));
    }
  });

  it('RG-20: a metadata document whose client_id is not its own URL, or that asks for a shared secret → 400 invalid_client (JSON or our error page), no redirect; a document naming itself goes on to sign-in', async () => {
    const served: string[] = [];
    const documents = await startKanban({
      issuer: {
        fetch: async (input) => {
          const target = new URL(input instanceof Request ? input.url : input);
          served.push(target.pathname);
          const metadata: Record<string, unknown> = { client_id: target.href, client_name: 'Hosted', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' };
          if (target.pathname === '/someone-else.json') metadata.client_id = 'https://client.example/own.json';
          if (target.pathname === '/secret.json') metadata.token_endpoint_auth_method = 'client_secret_post';
          return new Response(JSON.stringify(metadata), { status: 200, headers: { 'content-type': 'application/json' } });
        },
      },
    });
    const authorize = (path: string) => {
      const query = new URLSearchParams({ client_id: `https://client.example${path}`, redirect_uri: REDIRECT, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', state: 's' });
      return `${documents.url}/oauth/authorize?${query}`;
    };
    try {
      for (const path of ['/someone-else.json', '/secret.json']) {
        const body = expectJsonError(await getJson(authorize(path)), 400, 'invalid_client');
        expect(body.error_description, path).toMatch(/client_id metadata document/);
        const page = await send(authorize(path), { headers: { accept: 'text/html' } });
        expect(page.status).toBe(400);
        expect(page.location).toBeNull();
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page.text).toContain('Sign-in could not continue');
      }
      expect(served).toContain('/someone-else.json');
      const own = await getJson(authorize('/own.json'));
      expect(own.status, own.text).toBe(303);
      expect(own.location).toMatch(/^\/oauth\/interaction\/[\w-]+$/);
    } finally {
      await documents.stop();
      removeDataDir(documents.dataDir);
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
