import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTVerifyGetKey } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier, InvalidTokenError } from '../server/auth/verify-token.ts';

// The verifier remembers the tokens it accepted (performance issue: a signed-in client sends the
// same token for an hour), with real ES256 tokens and jose's real key set; every signature check
// asks the key set for its key, so the asks counted here are the checks made.

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'https://kanban.test/mcp';

let privateKey: CryptoKey;
let keySet: JWTVerifyGetKey;
beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  keySet = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] });
});
afterEach(() => {
  vi.useRealTimers();
});

function token(subject: string, options: { expiresIn?: string; audience?: string } = {}): Promise<string> {
  return new SignJWT({ scope: 'kanban.read kanban.write', client_id: 'test' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(privateKey);
}

/** A verifier, and how many signature checks it has made. */
function countingVerifier() {
  let checks = 0;
  const verify = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: (header, input) => (checks++, keySet(header, input)), algorithms: ['ES256'], requireAccessTokenType: true });
  return { verify, checks: () => checks };
}

describe('a verifier remembers the tokens it accepted', () => {
  it('checks a token once, then answers from memory with the same viewer; another token is checked', async () => {
    const { verify, checks } = countingVerifier();
    const alice = await token('alice');
    const first = await verify(alice);
    expect(await verify(alice)).toEqual(first);
    expect(first).toMatchObject({ signedIn: true, subject: 'alice', clientId: 'test', scopes: ['kanban.read', 'kanban.write'] });
    expect(checks()).toBe(1);
    expect((await verify(await token('bob'))).subject).toBe('bob');
    expect(checks()).toBe(2);
  });

  it('forgets everything when told (the key set changed): the next use is checked again', async () => {
    const { verify, checks } = countingVerifier();
    const alice = await token('alice');
    await verify(alice);
    verify.forget();
    await verify(alice);
    expect(checks()).toBe(2);
  });

  it('does not remember a refused token, and a remembered one stops at its exp', async () => {
    const { verify, checks } = countingVerifier();
    const elsewhere = await token('alice', { audience: 'https://other.test/mcp' });
    for (let attempt = 0; attempt < 2; attempt++) await expect(verify(elsewhere)).rejects.toThrow('The access token was not issued for this server');
    expect(checks()).toBe(2);

    const brief = await token('alice', { expiresIn: '2m' });
    await verify(brief);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3 * 60_000);
    await expect(verify(brief)).rejects.toThrow(InvalidTokenError);
    await expect(verify(brief)).rejects.toThrow('The access token has expired');
  });

  it('holds at most 10 000 tokens: past that, the least recently used is checked again', async () => {
    const { verify, checks } = countingVerifier();
    const oldest = await token('user-0');
    const kept = await token('user-1');
    await verify(oldest);
    await verify(kept);
    for (let index = 2; index < 10_000; index++) await verify(await token(`user-${index}`));
    await verify(kept); // used again: now the most recent
    await verify(await token('user-10000')); // the 10 001st: the least recently used goes
    const before = checks();
    await verify(kept);
    expect(checks()).toBe(before);
    await verify(oldest);
    expect(checks()).toBe(before + 1);
  }, 60_000);
});
