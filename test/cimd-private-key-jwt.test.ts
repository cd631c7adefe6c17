import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signInAndConsent } from './support/browser-forms.ts';
import { startKanbanWithClientOrigin, type ClientOrigin } from './support/client-origin.ts';
import { postMcp, type RunningKanban } from './support/kanban-server.ts';
import { authorizeUrl, exchangeCode, tokenRequest } from './support/oauth-steps.ts';

// ChatGPT's Client ID Metadata Document (CIMD) asks for private_key_jwt: at the token endpoint
// it proves who it is with a short-lived RS256 assertion (RFC 7523), verified against the keys at
// the document's jwks_uri. ChatGPT-shaped clients are served from a stand-in client origin: one
// whose key set may be cached for five minutes, one whose key set says no-store, and one whose
// key set comes with 70 KiB of padding.

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const REDIRECT = 'https://client.example/connector/oauth/callback';
const JWKS_CACHE_CONTROL = { cached: 'max-age=300', uncached: 'no-store', oversized: 'max-age=300' } as const;
type Name = keyof typeof JWKS_CACHE_CONTROL;
const clientId = (name: Name) => `https://client.example/${name}/client.json`;
const KID = 'chatgpt-1';

function metadataDocument(name: Name) {
  return {
    client_id: clientId(name),
    client_name: 'ChatGPT stand-in',
    client_uri: 'https://client.example/',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    // ChatGPT says it could do without; oidc-provider goes by token_endpoint_auth_method alone.
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
    jwks_uri: `https://client.example/${name}/jwks.json`,
  };
}

let origin: ClientOrigin;
let kanban: RunningKanban;
let stop: () => Promise<void>;
let clientKey: CryptoKey;
let strangerKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  clientKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] };
  const started = await startKanbanWithClientOrigin((path) => {
    const [, name, file] = path.split('/') as [string, Name, string];
    if (!Object.hasOwn(JWKS_CACHE_CONTROL, name)) return undefined;
    if (file === 'client.json') return { headers: { 'cache-control': 'max-age=300' }, body: metadataDocument(name) };
    const padding = name === 'oversized' ? 'x'.repeat(70 * 1024) : undefined;
    if (file === 'jwks.json') return { headers: { 'cache-control': JWKS_CACHE_CONTROL[name] }, body: { ...jwks, padding } };
    return undefined;
  });
  ({ origin, kanban, stop } = started);
});
afterAll(() => stop());

/** A client assertion as ChatGPT signs one; each option spoils it in one way. */
async function assertion(name: Name, spoil: { aud?: string; signedAt?: number; kid?: string; key?: CryptoKey } = {}) {
  const signedAt = spoil.signedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT()
    .setProtectedHeader({ alg: 'RS256', kid: spoil.kid ?? KID })
    .setIssuer(clientId(name))
    .setSubject(clientId(name))
    .setAudience(spoil.aud ?? `${kanban.url}/oauth/token`)
    .setJti(randomUUID())
    .setIssuedAt(signedAt)
    .setExpirationTime(signedAt + 60)
    .sign(spoil.key ?? clientKey);
}

const signedWith = (clientAssertion: string) => ({ client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion });
const refresh = (refreshToken: string, auth: Record<string, string>) => tokenRequest(kanban, { grant_type: 'refresh_token', refresh_token: refreshToken, ...auth });
const jwksFetches = (name: Name) => origin.requested.filter((path) => path === `/${name}/jwks.json`).length;

let refreshToken: string;

describe('ChatGPT as a CIMD client with private_key_jwt', () => {
  it('signs in, redeems the code and refreshes with client assertions, and its access token calls a tool', async () => {
    const client = { client_id: clientId('cached'), redirect_uris: [REDIRECT] };
    const { url, verifier } = authorizeUrl(kanban, client);
    const { redirect, pages } = await signInAndConsent(url, kanban.url, { username: 'chatgpt-user', password: 'correct horse battery', signUp: true });
    expect(pages.some((page) => page.html.includes('ChatGPT stand-in'))).toBe(true);

    const exchanged = await exchangeCode(kanban, client, redirect.searchParams.get('code')!, verifier, signedWith(await assertion('cached')));
    expect(exchanged.status, exchanged.text).toBe(200);
    // The issuer identifier is an audience oidc-provider accepts too (RFC 7523 §3).
    const refreshed = await refresh(exchanged.body.refresh_token, signedWith(await assertion('cached', { aud: kanban.url })));
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(exchanged.body.refresh_token);
    refreshToken = refreshed.body.refresh_token;

    const call = await postMcp(kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }, { authorization: `Bearer ${refreshed.body.access_token}` });
    expect(call.status).toBe(200);
    expect(((await call.json()) as { result: { structuredContent: unknown } }).result.structuredContent).toMatchObject({ clientId: clientId('cached'), viewer: { signedIn: true } });
  });

  it('refuses a replayed, misdirected, expired, unknown-key or forged assertion, and a request without one, issuing nothing', async () => {
    const once = await assertion('cached');
    const first = await refresh(refreshToken, signedWith(once));
    expect(first.status, first.text).toBe(200);
    refreshToken = first.body.refresh_token;

    const now = Math.floor(Date.now() / 1000);
    const refusals: Record<string, Record<string, string>> = {
      'the same assertion (jti) again': signedWith(once),
      'an audience other than this issuer (the MCP endpoint)': signedWith(await assertion('cached', { aud: kanban.mcpUrl })),
      'an assertion that expired four minutes ago': signedWith(await assertion('cached', { signedAt: now - 300 })),
      'a kid the JWKS does not list, signed by another key': signedWith(await assertion('cached', { kid: 'stranger', key: strangerKey })),
      'the known kid, signed by another key': signedWith(await assertion('cached', { key: strangerKey })),
      // The document's "none" is not taken up: it asked for private_key_jwt.
      'no assertion, only client_id': { client_id: clientId('cached') },
    };
    for (const [why, auth] of Object.entries(refusals)) {
      const refused = await refresh(refreshToken, auth);
      expect({ why, status: refused.status, body: refused.body }).toEqual({ why, status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } });
    }
    // None of them used up the refresh token.
    const after = await refresh(refreshToken, signedWith(await assertion('cached')));
    expect(after.status, after.text).toBe(200);
  });

  // An assertion that passes meets the grant next: invalid_grant for a made-up refresh token
  // shows the client was authenticated, without a sign-in for each request.
  const authenticatedOnly = async (name: Name, spoil: Parameters<typeof assertion>[1] = {}) => (await refresh('not-a-refresh-token', signedWith(await assertion(name, spoil)))).body.error;

  /** Runs `work` with the clock moved on, the issuer's included (Date only: no timer fires early). */
  async function later<T>(seconds: number, work: () => Promise<T>): Promise<T> {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + seconds * 1000 });
    try {
      return await work();
    } finally {
      vi.useRealTimers();
    }
  }

  // oidc-provider keeps a key set fresh for max(60 s, max-age, Expires), but on the Client object,
  // which it builds anew for a CIMD client on every request: the issuer keeps CIMD clients' key
  // sets itself, by the same rule (server/auth/issuer/client-key-sets.ts).
  it('fetches a key set served with max-age=300 once, however many token requests (an unknown kid included), and again once it is stale', async () => {
    for (let request = 0; request < 3; request++) expect(await authenticatedOnly('cached')).toBe('invalid_grant');
    expect(await authenticatedOnly('cached', { kid: 'rotated-in', key: strangerKey })).toBe('invalid_client');
    expect(jwksFetches('cached')).toBe(1);
    await later(301, async () => expect(await authenticatedOnly('cached')).toBe('invalid_grant'));
    expect(jwksFetches('cached')).toBe(2);
  });

  it('fetches a key set served with no-store at most once a minute (oidc-provider\'s floor), not on every token request', async () => {
    for (let request = 0; request < 3; request++) expect(await authenticatedOnly('uncached')).toBe('invalid_grant');
    expect(jwksFetches('uncached')).toBe(1);
    await later(61, async () => expect(await authenticatedOnly('uncached')).toBe('invalid_grant'));
    expect(jwksFetches('uncached')).toBe(2);
  });

  it('refuses a client whose key set is larger than 64 KiB (oidc-provider alone would read any size)', async () => {
    expect(await authenticatedOnly('oversized')).toBe('invalid_client');
    expect(jwksFetches('oversized')).toBe(1);
  });
});
