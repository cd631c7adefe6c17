import { createHash } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Viewer } from '../viewer.ts';
import { scopesFromClaims } from './scope-claims.ts';

// Bearer JWT verification with jose: signature against the issuer's keys, an asymmetric
// algorithm allow-list, exact issuer, our audience, exp/nbf with a small clock tolerance, and
// the RFC 9068 `typ` where the issuer sets it. A bad token is an InvalidTokenError (→ 401); keys
// that cannot be had right now are a TokenCheckUnavailableError (→ 503: the token may be good).

/** The token is not acceptable: the client must refresh it or sign in again. */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** The token could not be checked right now (the issuer's keys are unreachable): try later. */
export class TokenCheckUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TokenCheckUnavailableError';
  }
}

// Never HS*: with asymmetric keys, an HMAC "signed" with the public key must not verify.
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  keys: JWTVerifyGetKey;
  algorithms?: string[];
  /** Require `typ: at+jwt` (RFC 9068). On for our own issuer; many hosted IdPs send `JWT`. */
  requireAccessTokenType: boolean;
}

export type SignedInViewer = Extract<Viewer, { signedIn: true }>;
export type VerifyAccessToken = (token: string) => Promise<SignedInViewer>;

/** A verifier that remembers the tokens it accepted; `forget` drops them all (the keys changed). */
export interface RememberingVerifier extends VerifyAccessToken {
  forget(): void;
}

/** Tokens remembered at most (the least recently used go first): a bound on memory. */
const REMEMBERED_TOKENS = 10_000;
/**
 * How long an accepted token is remembered at most, within its own `exp`: an external issuer's key
 * set is itself kept 10 minutes by jose, so a key it withdraws is refused within that time, as before.
 */
const REMEMBER_AT_MOST_MS = 10 * 60_000;

const CLOCK_TOLERANCE_SECONDS = 30;

function describe(error: unknown): Error {
  if (error instanceof TokenCheckUnavailableError) return error;
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('The access token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return new InvalidTokenError('The access token was not issued for this server');
    if (error.claim === 'iss') return new InvalidTokenError('The access token was not issued by the trusted issuer');
    return new InvalidTokenError(`The access token has an unacceptable "${error.claim}" claim`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return new InvalidTokenError('The access token was signed with an unknown key');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError('The access token signature is invalid');
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError('The access token uses a signing algorithm this server does not accept');
  if (error instanceof errors.JOSEError) return new InvalidTokenError('The access token is malformed or invalid');
  return new TokenCheckUnavailableError('The access token could not be checked', { cause: error });
}

/** What a key set throws when the token is at fault: it names no key the issuer publishes. */
const TOKEN_FAULTS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys];

/**
 * Anything else a key set throws is about the keys, not the token: jose's remote set fails with
 * JWKSTimeout, a fetch error, or a plain JOSEError for an answer that is not 200 or not a key set
 * (it has no class of its own); our own set fails when the database does.
 */
function keysOrUnavailable(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      if (TOKEN_FAULTS.some((fault) => error instanceof fault)) throw error;
      throw new TokenCheckUnavailableError("The issuer's signing keys are unavailable", { cause: error });
    }
  };
}

function nameFrom(payload: JWTPayload): string | undefined {
  for (const claim of ['name', 'preferred_username', 'nickname']) {
    const value = payload[claim];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 100);
  }
  return undefined;
}

function clientIdFrom(payload: JWTPayload): string | undefined {
  for (const claim of ['client_id', 'azp', 'cid']) {
    const value = payload[claim];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/**
 * Every signed-in request brings its token, and ChatGPT brings the same one for an hour: a token
 * accepted once is remembered, by its SHA-256 (memory holds no usable token), until its `exp`
 * (REMEMBER_AT_MOST_MS at most), instead of checking its signature again (~170 µs for ES256).
 * Refused tokens are not remembered. Access tokens are not revocable (JWTs); a revoked or retired
 * signing key reaches this through `forget`, which the embedded issuer calls when its key set
 * changes (live-signing-keys.ts).
 */
export function createTokenVerifier(options: TokenVerifierOptions): RememberingVerifier {
  const check = checkTokens(options);
  const remembered = new Map<string, { viewer: SignedInViewer; until: number }>();
  const verify = async (token: string): Promise<SignedInViewer> => {
    const key = createHash('sha256').update(token).digest('base64url');
    const known = remembered.get(key);
    if (known) {
      remembered.delete(key);
      if (known.until > Date.now()) {
        remembered.set(key, known); // most recently used: last in the Map's order
        return known.viewer;
      }
    }
    const { viewer, expiresAt } = await check(token);
    if (remembered.size >= REMEMBERED_TOKENS) remembered.delete(remembered.keys().next().value!);
    remembered.set(key, { viewer, until: Math.min(expiresAt, Date.now() + REMEMBER_AT_MOST_MS) });
    return viewer;
  };
  return Object.assign(verify, { forget: () => remembered.clear() });
}

function checkTokens(options: TokenVerifierOptions): (token: string) => Promise<{ viewer: SignedInViewer; expiresAt: number }> {
  const algorithms = options.algorithms ?? ASYMMETRIC_ALGORITHMS;
  const keys = keysOrUnavailable(options.keys);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
        ...(options.requireAccessTokenType ? { typ: 'at+jwt' } : {}),
      }));
    } catch (error) {
      throw describe(error);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidTokenError('The access token names no subject');
    const name = nameFrom(payload);
    const clientId = clientIdFrom(payload);
    const viewer: SignedInViewer = {
      signedIn: true,
      subject: payload.sub,
      scopes: scopesFromClaims(payload),
      ...(clientId === undefined ? {} : { clientId }),
      ...(name === undefined ? {} : { name }),
    };
    return { viewer, expiresAt: payload.exp! * 1000 };
  };
}
