import type { RequestHandler, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ISSUER_ROUTES } from './routes.ts';

// Per-address request budgets for the issuer's endpoints (credential guessing, registration
// floods). In memory and per process. Behind a proxy every client shares the proxy's address
// unless the proxy is trusted, so the defaults are generous.

export interface IssuerRateLimits {
  /** Requests per window per address, by endpoint. */
  register: number;
  token: number;
  authorize: number;
  revoke: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMITS: IssuerRateLimits = { register: 100, token: 600, authorize: 600, revoke: 300, windowMs: 15 * 60 * 1000 };

function budget(limit: number, windowMs: number): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Its X-Forwarded-For check prints a stack to the console; app.ts warns once in our log instead.
    validate: { xForwardedForHeader: false },
    // OAuth defines no code for this; RFC 6585's 429 with a JSON body in the OAuth error shape.
    handler: (_req, res) => {
      res.status(429).set('Cache-Control', 'no-store').json({ error: 'too_many_requests', error_description: 'Too many requests from this address. Wait, then try again.' });
    },
  });
}

export function applyIssuerRateLimits(router: Router, limits: IssuerRateLimits = DEFAULT_RATE_LIMITS): void {
  router.use(ISSUER_ROUTES.registration, budget(limits.register, limits.windowMs));
  router.use(ISSUER_ROUTES.token, budget(limits.token, limits.windowMs));
  router.use(ISSUER_ROUTES.authorization, budget(limits.authorize, limits.windowMs));
  router.use(ISSUER_ROUTES.revocation, budget(limits.revoke, limits.windowMs));
}
