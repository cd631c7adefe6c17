import { createServer } from 'node:http';
import { createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createTokenVerifier } from '../../server/auth/verify-token.ts';

// The bearer check every signed-in call pays: our verifier (jose, ES256) with the embedded
// issuer's local key set (warm, the token forgotten before each call), the same token again
// (remembered: what a client that keeps its token pays), and the first call against an external
// issuer's JWKS URL (cold: one fetch from a JWKS server on loopback, as a hosted IdP would serve it).

export interface TokenRow {
  case: string;
  opsPerSecond?: number;
  firstCallMs?: number;
}

export async function measureTokenVerification(seconds = 2): Promise<TokenRow[]> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const issuer = 'https://issuer.bench';
  const audience = 'https://kanban.bench/mcp';
  const token = await new SignJWT({ scope: 'kanban.read kanban.write', client_id: 'bench' })
    .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);

  const warm = createTokenVerifier({ issuer, audience, keys: createLocalJWKSet({ keys: [jwk] }), algorithms: ['ES256'], requireAccessTokenType: true });
  /** Verifications a second of the same token, made to forget it each time (a full check) or not (remembered). */
  const rate = async (forgetEachTime: boolean) => {
    for (let index = 0; index < 200; index++) await warm(token); // warm-up
    let verified = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      if (forgetEachTime) warm.forget();
      await warm(token);
      verified++;
    }
    return verified / ((performance.now() - started) / 1000);
  };
  const opsPerSecond = await rate(true);
  const rememberedPerSecond = await rate(false);

  // Connection: close, so each cold call opens its own connection, as a first call would.
  const jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const address = jwks.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const firstCalls: number[] = [];
    for (let round = 0; round < 9; round++) {
      const cold = createTokenVerifier({ issuer, audience, keys: createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/jwks`)), algorithms: ['ES256'], requireAccessTokenType: true });
      const before = performance.now();
      await cold(token);
      firstCalls.push(performance.now() - before);
    }
    firstCalls.sort((a, b) => a - b);
    return [
      { case: 'ES256, local key set (embedded issuer), warm', opsPerSecond },
      { case: 'the same token again (remembered)', opsPerSecond: rememberedPerSecond },
      { case: 'ES256, remote JWKS (external issuer), first call', firstCallMs: firstCalls[4]! },
    ];
  } finally {
    jwks.close();
  }
}

export function formatTokenVerification(rows: TokenRow[]): string {
  return [
    'Token verification (our verifier, jose)',
    ...rows.map((row) => `${row.case.padEnd(52)}${row.opsPerSecond === undefined ? `first call ${row.firstCallMs!.toFixed(1)} ms (median of 9, JWKS fetched on loopback)` : `${row.opsPerSecond.toFixed(0)} verifications/s (${(1e6 / row.opsPerSecond).toFixed(0)} µs each)`}`),
  ].join('\n');
}
