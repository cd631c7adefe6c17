import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload, type CryptoKey } from 'jose';

// A faithful local stand-in for a hosted IdP such as Auth0: its own issuer on another loopback
// port (with Auth0's trailing slash), OIDC discovery, a JWKS, RS256 access tokens carrying the
// API's own audience and RBAC `permissions`. Tests use it to mint good and bad tokens.

export interface StandInIdp {
  issuer: string;
  /** A valid access token for `audience`, with the given extra claims. */
  token(claims?: JWTPayload, options?: TokenOptions): Promise<string>;
  /** A token signed with a key the IdP never published (its kid is unknown). */
  tokenFromUnknownKey(claims?: JWTPayload): Promise<string>;
  /** `alg: none`: no signature at all. */
  unsignedToken(claims?: JWTPayload): string;
  /** HS256 "signed" with the IdP's public key as the HMAC secret (algorithm confusion). */
  hmacWithPublicKey(claims?: JWTPayload): Promise<string>;
  /** What its JWKS endpoint does from now on: serve the keys (at first), fail with 500, send a page that is not JSON, or never answer. */
  answerJwksWith(answer: JwksAnswer): void;
  stop(): Promise<void>;
}

export type JwksAnswer = 'keys' | 'HTTP 500' | 'not JSON' | 'nothing';

/** `null` leaves the claim out, to mint tokens that lack it but are properly signed. */
export interface TokenOptions {
  audience?: string | null;
  expiresIn?: string | number | null;
  issuer?: string;
  kid?: string;
  typ?: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `misnamedIssuer`: the discovery document names this issuer instead (a misconfigured or hostile IdP). */
export async function startStandInIdp(options: { audience: string; misnamedIssuer?: string }): Promise<StandInIdp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256');
  const kid = 'stand-in-key-1';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let jwksAnswer: JwksAnswer = 'keys';

  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') {
      send(200, {
        issuer: options.misnamedIssuer ?? issuer,
        authorization_endpoint: `${issuer}authorize`,
        token_endpoint: `${issuer}oauth/token`,
        registration_endpoint: `${issuer}oidc/register`,
        jwks_uri: `${issuer}.well-known/jwks.json`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['openid', 'profile', 'offline_access'],
      });
    } else if (req.url === '/.well-known/jwks.json') {
      if (jwksAnswer === 'keys') send(200, { keys: [jwk] });
      else if (jwksAnswer === 'HTTP 500') send(500, { error: 'server_error' });
      else if (jwksAnswer === 'not JSON') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Down for maintenance</html>');
      // 'nothing': the request hangs until the caller gives up.
    } else {
      send(404, { error: 'not_found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;

  const base = (claims: JWTPayload) => ({ sub: 'auth0|user-123', azp: 'chatgpt-client', permissions: ['kanban.read'], ...claims });

  async function sign(key: CryptoKey, keyId: string, claims: JWTPayload, opts: TokenOptions = {}) {
    const jwt = new SignJWT(base(claims)).setProtectedHeader({ alg: 'RS256', kid: keyId, typ: opts.typ ?? 'JWT' }).setIssuer(opts.issuer ?? issuer).setIssuedAt();
    if (opts.audience !== null) jwt.setAudience(opts.audience ?? options.audience);
    if (opts.expiresIn !== null) jwt.setExpirationTime(opts.expiresIn ?? '1h');
    return jwt.sign(key);
  }

  return {
    issuer,
    token: (claims = {}, opts = {}) => sign(privateKey, opts.kid ?? kid, claims, opts),
    tokenFromUnknownKey: (claims = {}) => sign(stranger.privateKey, 'nobody-knows-this-kid', claims),
    unsignedToken(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...base(claims), iss: issuer, aud: options.audience, iat: now, exp: now + 3600 })}.`;
    },
    async hmacWithPublicKey(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64({ ...base(claims), iss: issuer, aud: options.audience, iat: now, exp: now + 3600 })}`;
      const secret = await exportSPKI(publicKey);
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    },
    answerJwksWith: (answer) => void (jwksAnswer = answer),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}
