import cors from 'cors';
import express, { type RequestHandler, type Router } from 'express';
import { createLocalJWKSet, errors, type JWK, type JWTVerifyGetKey } from 'jose';
import type { KanbanDatabase } from '../../../db/database.ts';
import type { AppConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { ALL_SCOPES } from '../../scopes.ts';
import type { ResourceAuth } from '../setup.ts';
import { createTokenVerifier } from '../verify-token.ts';
import { deleteExpiredOAuthRows } from './adapter.ts';
import { interactionRouter } from './interactions.ts';
import { loadCookieKeys, loadSigningKeys, publicJwk, SIGNING_ALG, verifyingKeys } from './keys.ts';
import { createProvider } from './provider.ts';
import { applyIssuerRateLimits, type IssuerRateLimits } from './rate-limits.ts';
import { ISSUER_ROUTES } from './routes.ts';

const CLEANUP_EVERY_MS = 10 * 60 * 1000;
/** At most one reload of the keys per this long, however many tokens name an unknown key. */
const KEY_RELOAD_COOLDOWN_MS = 5 * 1000;
const ISSUER_PATH = /^\/(oauth\/|\.well-known\/(openid-configuration|oauth-authorization-server)(\/|$))/;

export interface EmbeddedIssuerOptions {
  refreshGraceSeconds?: number;
  rateLimits?: IssuerRateLimits;
  /** How client metadata documents and client key sets are fetched (tests serve them from loopback). */
  fetch?: typeof fetch;
}

/**
 * oidc-provider builds its URLs from the request. Hand it the canonical origin, so discovery and
 * redirects always name PUBLIC_URL whatever Host or X-Forwarded-* a client sent (RFC 8414 §3.3).
 */
function canonicalOrigin(publicUrl: string): RequestHandler {
  const url = new URL(publicUrl);
  return (req, _res, next) => {
    req.headers.host = url.host;
    req.headers['x-forwarded-proto'] = url.protocol.slice(0, -1);
    delete req.headers['x-forwarded-host'];
    delete req.headers['x-forwarded-for'];
    next();
  };
}

const REGISTRATION_BODY_LIMIT = 16 * 1024;

/**
 * A registration body over the limit is refused before it is read (oidc-provider would say 400).
 * The size must be declared: a chunked body could only be measured by reading it ourselves,
 * which would take the stream from oidc-provider.
 */
const registrationSizeLimit: RequestHandler = (req, res, next) => {
  const declared = req.headers['content-length'];
  res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
  if (declared === undefined) {
    res.status(411).json({ error: 'invalid_request', error_description: 'send the registration request with a Content-Length' });
  } else if (Number(declared) > REGISTRATION_BODY_LIMIT) {
    res.status(413).json({ error: 'invalid_request', error_description: `the registration request is larger than ${REGISTRATION_BODY_LIMIT} bytes` });
  } else {
    next();
  }
};

/** A client that sends no scope (ChatGPT reconnecting, the conformance suite) gets the resource's scopes. */
const defaultScope: RequestHandler = (req, _res, next) => {
  if (!new URL(req.url, 'http://x').searchParams.has('scope')) {
    req.url += `${req.url.includes('?') ? '&' : '?'}scope=${encodeURIComponent(ALL_SCOPES.join(' '))}`;
  }
  next();
};

/**
 * Our own keys, verified locally: no HTTP round trip. A token signed with a key this process did
 * not load (another replica restarted after a rotation and signs with the new key) makes it read
 * the keys again from the shared database, at most once per cooldown.
 */
function reloadingKeySet(database: KanbanDatabase, loaded: JWK[], logger: Logger): JWTVerifyGetKey {
  let keys = createLocalJWKSet({ keys: loaded.map(publicJwk) });
  let reloadedAt = 0;
  // Requests that meet the new key together wait for the one reload.
  let reloading: Promise<void> | undefined;
  const reload = async (kid: string | undefined) => {
    const fresh = await verifyingKeys(database);
    logger.info({ kid, keys: fresh.length }, 'a token named a key this server had not loaded: keys reloaded');
    keys = createLocalJWKSet({ keys: fresh.map(publicJwk) });
  };
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (!reloading) {
        if (Date.now() - reloadedAt < KEY_RELOAD_COOLDOWN_MS) throw error;
        reloadedAt = Date.now();
        reloading = reload(header.kid).finally(() => (reloading = undefined));
      }
      await reloading;
      return keys(header, token);
    }
  };
}

/** The embedded issuer: its routes, and the resource side's trust in the tokens it signs. */
export async function embeddedIssuerAuth(config: AppConfig, database: KanbanDatabase, logger: Logger, options: EmbeddedIssuerOptions = {}): Promise<ResourceAuth> {
  const signingKeys = await loadSigningKeys(database);
  const cookieKeys = await loadCookieKeys(database);
  const provider = createProvider({ config, database, logger, signingKeys, cookieKeys, refreshGraceSeconds: options.refreshGraceSeconds, fetch: options.fetch });
  const callback = provider.callback();

  const router: Router = express.Router();
  applyIssuerRateLimits(router, options.rateLimits);
  router.use(interactionRouter({ config, database, provider, logger }));
  // oidc-provider has no CORS of its own on registration; browser-based clients register too.
  router.use(ISSUER_ROUTES.registration, cors({ methods: ['POST'], maxAge: 600 }));
  router.post(ISSUER_ROUTES.registration, registrationSizeLimit);
  router.get(ISSUER_ROUTES.authorization, defaultScope);
  const canonical = canonicalOrigin(config.publicUrl);
  router.use((req, res, next) => (ISSUER_PATH.test(req.path) ? canonical(req, res, () => callback(req, res)) : next()));

  // A busy or full database must not crash the process from a timer: log, and try next time.
  const cleanExpired = () =>
    deleteExpiredOAuthRows(database).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not delete expired authorization rows');
    });
  await cleanExpired();
  const cleanup = setInterval(cleanExpired, CLEANUP_EVERY_MS).unref();

  return {
    issuer: config.publicUrl,
    verify: createTokenVerifier({
      issuer: config.publicUrl,
      audience: config.resourceUrl,
      keys: reloadingKeySet(database, signingKeys, logger),
      algorithms: [SIGNING_ALG],
      requireAccessTokenType: true,
    }),
    router,
    close: () => clearInterval(cleanup),
  };
}
