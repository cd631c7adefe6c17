import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_SET_BODY_LIMIT } from '../../server/auth/issuer/client-key-sets.ts';
import { startKanbanWithClientOrigin, type ClientOrigin } from '../support/client-origin.ts';
import { removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { authorizeUrl, registerClient, tokenRequest } from '../support/oauth-steps.ts';
import { expectJsonError, getJson, send, startRecordingHttpsServer, withTlsVerificationOff } from '../support/security-helpers.ts';

// What the issuer downloads because a client said so (RV-04): a private_key_jwt client's jwks_uri
// is read up to 64 KiB, however much its server sends; a sector_identifier_uri (which oidc-provider
// would download at registration, without limit) is refused before any fetch. Every such fetch
// keeps oidc-provider's guard against special-use addresses.

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const CHUNK = 16 * 1024;
/** Far below what an unlimited read takes from the endless stream before oidc-provider's timeout. */
const MEMORY_MARGIN = 24 * 1024 * 1024;

/** What the endless stream wrote, whether it ever finished (never), and what it had written when its socket closed. */
interface Endless {
  written: number;
  finished: boolean;
  closed: Promise<number>;
}
let endless: Endless | undefined;

/** A JSON body that never ends: one chunk per turn of the event loop, as fast as the reader takes them. */
function streamForever(res: ServerResponse): void {
  let closed!: (written: number) => void;
  const stream: Endless = { written: 0, finished: false, closed: new Promise((resolve) => (closed = resolve)) };
  endless = stream;
  res.on('close', () => closed(stream.written));
  res.on('finish', () => (stream.finished = true));
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(CHUNK, ' ');
  const pump = () => {
    if (res.destroyed) return;
    stream.written += CHUNK;
    if (res.write(chunk)) setImmediate(pump);
    else res.once('drain', pump);
  };
  res.write('{"keys":[');
  pump();
}

let origin: ClientOrigin;
let kanban: RunningKanban;
let stop: () => Promise<void>;
beforeAll(async () => {
  const started = await startKanbanWithClientOrigin((path) => {
    if (path === '/endless/jwks.json') return streamForever;
    if (path === '/sector.json') return { body: ['https://client.example/cb'] };
    if (path === '/sectored/client.json') {
      return { body: { client_id: 'https://client.example/sectored/client.json', redirect_uris: ['https://client.example/cb'], token_endpoint_auth_method: 'none', sector_identifier_uri: 'https://client.example/sector.json' } };
    }
    return undefined;
  });
  ({ origin, kanban, stop } = started);
});
afterAll(() => stop());

/**
 * A token request from a private_key_jwt client registered with this jwks_uri. Client
 * authentication comes first, so it fetches the key set; the made-up refresh token is never reached.
 */
async function tokenRequestSigned(server: RunningKanban, jwksUri: string) {
  const { client_id: clientId } = await registerClient(server, { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'RS256', jwks_uri: jwksUri });
  const { privateKey } = await generateKeyPair('RS256');
  const now = Math.floor(Date.now() / 1000);
  const signed = await new SignJWT().setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(clientId).setSubject(clientId).setAudience(`${server.url}/oauth/token`).setJti(randomUUID()).setIssuedAt(now).setExpirationTime(now + 60).sign(privateKey);
  return () => tokenRequest(server, { grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token', client_assertion_type: ASSERTION_TYPE, client_assertion: signed });
}

describe('a jwks_uri that never ends (RV-04)', () => {
  it('a registered private_key_jwt client whose key set streams forever: invalid_client once 64 KiB are read, the stream still open, memory flat', async () => {
    const request = await tokenRequestSigned(kanban, 'https://client.example/endless/jwks.json');
    const before = process.memoryUsage();
    const peak = { rss: before.rss, arrayBuffers: before.arrayBuffers };
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
    }, 5);
    try {
      const refused = await request();
      expect(refused.status, refused.text).toBe(401);
      expect(refused.body.error).toBe('invalid_client');
      // The answer did not wait for the body to end: it never does.
      expect(endless?.finished).toBe(false);
    } finally {
      clearInterval(sampler);
    }
    // The issuer hung up after the limit: what the stream wrote until then is the limit, plus
    // what the sockets on the way hold (a few chunks), nowhere near an unlimited read.
    const written = await endless!.closed;
    expect(written).toBeGreaterThan(KEY_SET_BODY_LIMIT);
    expect(written).toBeLessThan(4 * KEY_SET_BODY_LIMIT);
    expect(peak.arrayBuffers - before.arrayBuffers).toBeLessThan(MEMORY_MARGIN);
    expect(peak.rss - before.rss).toBeLessThan(MEMORY_MARGIN);
  });

  it("oidc-provider's guard against special-use addresses stays on the jwks_uri fetch: a key set on 127.0.0.1 is never requested", async () => {
    // No fetch stand-in: the issuer's own fetch, with the dispatcher oidc-provider hands it.
    const plain = await startKanban();
    const keySetServer = await startRecordingHttpsServer(() => ({ keys: [] }));
    try {
      await withTlsVerificationOff(async () => {
        // The loopback server is reachable and its certificate accepted here, so only the guard keeps the issuer out.
        expect((await fetch(`https://127.0.0.1:${keySetServer.port}/reachable`)).status).toBe(200);
        keySetServer.requests.length = 0;
        const refused = await (await tokenRequestSigned(plain, `https://127.0.0.1:${keySetServer.port}/jwks.json`))();
        expect(refused.status, refused.text).toBe(401);
        expect(refused.body.error).toBe('invalid_client');
        expect(keySetServer.requests).toEqual([]);
      });
    } finally {
      await keySetServer.close();
      await plain.stop();
      removeDataDir(plain.dataDir);
    }
  });
});

describe('sector_identifier_uri (RV-04)', () => {
  it('registration with a sector_identifier_uri → 400 invalid_client_metadata, and nothing is fetched', async () => {
    const response = await send(`${kanban.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://client.example/cb'], token_endpoint_auth_method: 'none', sector_identifier_uri: 'https://client.example/sector.json' }),
    });
    const body = expectJsonError(response, 400, 'invalid_client_metadata');
    expect(body.error_description).toMatch(/sector_identifier_uri/);
    expect(origin.requested).not.toContain('/sector.json');
  });

  it('a client ID metadata document with a sector_identifier_uri → 400 invalid_client at the authorization endpoint; only the document is fetched', async () => {
    const client = { client_id: 'https://client.example/sectored/client.json', redirect_uris: ['https://client.example/cb'] };
    expectJsonError(await getJson(authorizeUrl(kanban, client).url), 400, 'invalid_client');
    expect(origin.requested).toContain('/sectored/client.json');
    expect(origin.requested).not.toContain('/sector.json');
  });
});
