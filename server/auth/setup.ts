import type { Router } from 'express';
import { createRemoteJWKSet } from 'jose';
import type { AppConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { discoverIssuer } from './external-issuer.ts';
import { createTokenVerifier, type VerifyAccessToken } from './verify-token.ts';

/** How this server signs users in: who issues tokens, and how we check them. */
export interface ResourceAuth {
  /** The issuer string exactly as its metadata says it (listed in our resource metadata). */
  issuer: string;
  verify: VerifyAccessToken;
  /** Routes of an embedded issuer, mounted before the MCP endpoint; none for an external one. */
  router?: Router;
  close?(): void;
}

/** AUTH_ISSUER set: trust that IdP's tokens for our audience; mount no issuer of our own. */
export async function externalIssuerAuth(config: AppConfig & { authIssuer: string }, logger: Logger): Promise<ResourceAuth> {
  const metadata = await discoverIssuer(config.authIssuer);
  const audience = config.authAudience ?? config.resourceUrl;
  logger.info({ issuer: metadata.issuer, audience, jwksUri: metadata.jwks_uri }, 'trusting an external issuer');
  return {
    issuer: metadata.issuer,
    // jose caches the key set and refetches on an unknown kid at most once per cooldown (30 s).
    verify: createTokenVerifier({ issuer: metadata.issuer, audience, keys: createRemoteJWKSet(new URL(metadata.jwks_uri)), requireAccessTokenType: false }),
  };
}
