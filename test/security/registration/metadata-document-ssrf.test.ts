import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { kanban, useIssuer } from '../../support/issuer-under-test.ts';
import { removeDataDir, startKanban } from '../../support/kanban-server.ts';
import { pkcePair } from '../../support/oauth-steps.ts';
import { expectJsonError, getJson, send, startRecordingHttpsServer, withTlsVerificationOff, type RawResponse } from '../../support/security-helpers.ts';
import { REDIRECT } from './register.ts';

// Security catalogue, group 3: dynamic client registration (/oauth/register, RFC 7591), rows of
// docs/security-cases.md, against the real app. Client ID metadata documents (CIMD) are enabled,
// so RG-20 applies: this file shows that no metadata document URL makes the issuer fetch a private address.

useIssuer();

describe('client ID metadata documents: no server-side request forgery (RG-20)', () => {
  const { challenge } = pkcePair();
  function authorizeAs(clientId: string): Promise<RawResponse> {
    const query = new URLSearchParams({ client_id: clientId, redirect_uri: 'https://client.example/cb', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', state: 's' });
    return getJson(`${kanban.url}/oauth/authorize?${query}`);
  }

  // Loopback is where a listener can prove that no request arrives; link-local (the cloud metadata
  // address) cannot be reached here, so it gets the same answer only; unroutable private addresses
  // would only time out here.
  it('RG-20: a CIMD client_id on a loopback address (by IP, by name, in decimal, IPv4-mapped) or link-local → 400 invalid_client, no redirect, and the issuer never requests it', async () => {
    const documentServer = await startRecordingHttpsServer((path) => ({ client_id: `https://127.0.0.1/${path}`, redirect_uris: ['https://client.example/cb'], token_endpoint_auth_method: 'none' }));
    try {
      await withTlsVerificationOff(async () => {
        // The loopback server is reachable and its certificate accepted here, so only a guard can keep the issuer out.
        expect((await fetch(`https://127.0.0.1:${documentServer.port}/reachable`)).status).toBe(200);
        documentServer.requests.length = 0;
        const port = documentServer.port;
        for (const clientId of [`https://127.0.0.1:${port}/client.json`, `https://localhost:${port}/client.json`, `https://2130706433:${port}/client.json`, `https://[::ffff:7f00:1]:${port}/client.json`, 'https://169.254.169.254/latest/client.json']) {
          const body = expectJsonError(await authorizeAs(clientId), 400, 'invalid_client');
          expect(body.error_description, clientId).toBe('client_id metadata document fetch failed');
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
