import cors from 'cors';
import express, { type RequestHandler, type Router } from 'express';
import type { KanbanDatabase } from '../../../db/database.ts';
import type { AppConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { RequestBudgets } from '../../rate-limits/budgets.ts';
import { ALL_SCOPES } from '../../scopes.ts';
import type { ResourceAuth } from '../setup.ts';
import { createTokenVerifier } from '../verify-token.ts';
import { deleteExpiredOAuthRows } from './adapter.ts';
import { interactionRouter } from './interactions.ts';
import { loadCookieKeys, SIGNING_ALG } from './keys.ts';
import { watchSigningKeys, type LiveSigningKeys } from './live-signing-keys.ts';
import { createProvider } from './provider.ts';
import { applyIssuerRateLimits, type IssuerRateLimits } from './rate-limits.ts';
import { ISSUER_ROUTES } from './routes.ts';

const CLEANUP_EVERY_MS = 10 * 60 * 1000;
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

/** The embedded issuer: its routes, and the resource side's trust in the tokens it signs. */
export async function embeddedIssuerAuth(config: AppConfig, database: KanbanDatabase, logger: Logger, requestBudgets: RequestBudgets, options: EmbeddedIssuerOptions = {}): Promise<ResourceAuth> {
  const signingKeys = await watchSigningKeys(database, logger);
  try {
    return await issuerWith(signingKeys, config, database, logger, requestBudgets, options);
  } catch (error) {
    signingKeys.close(); // its timer would go on reading a database that boot is about to close
    throw error;
  }
}

async function issuerWith(signingKeys: LiveSigningKeys, config: AppConfig, database: KanbanDatabase, logger: Logger, requestBudgets: RequestBudgets, options: EmbeddedIssuerOptions): Promise<ResourceAuth> {
  const cookieKeys = await loadCookieKeys(database);
  const build = () => createProvider({ config, database, logger, signingKeys: signingKeys.jwks, cookieKeys, refreshGraceSeconds: options.refreshGraceSeconds, fetch: options.fetch });
  const provider = build();
  let callback = provider.callback();
  // oidc-provider reads `jwks` once, when it is built, into a keystore it offers no way to change
  // (lib/helpers/initialize_keystore.js), and serves /oauth/jwks from it. It keeps its state in
  // the database (adapter.ts), so when the key table changes a provider built from the new keys
  // takes the next requests. The interaction pages keep the first: they sign nothing.
  signingKeys.onChange(() => (callback = build().callback()));

  const router: Router = express.Router();
  applyIssuerRateLimits(router, config.issuerEndpoints, requestBudgets.budget, options.rateLimits);
  router.use(interactionRouter({ config, database, provider, logger, requestBudgets }));
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

  const verify = createTokenVerifier({
    issuer: config.publicUrl,
    audience: config.resourceUrl,
    keys: signingKeys.verificationKey,
    algorithms: [SIGNING_ALG],
    requireAccessTokenType: true,
  });
  // A revoked or retired key: the tokens it signed are checked again, and refused.
  signingKeys.onChange(() => verify.forget());

  return {
    issuer: config.publicUrl,
    verify,
    router,
    close: () => {
      clearInterval(cleanup);
      signingKeys.close();
    },
  };
}
