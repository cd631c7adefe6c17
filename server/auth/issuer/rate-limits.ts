import type { RequestHandler, Router } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import type { SignInSettings } from '../../config.ts';
import { ISSUER_ROUTES } from './routes.ts';

// Per-address request budgets for the issuer's endpoints and its sign-in and sign-up forms
// (credential guessing, registration floods). In memory and per process. Behind a proxy every client shares the proxy's address
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

// OAuth defines no code for this; RFC 6585's 429 with a JSON body in the OAuth error shape.
const jsonRefusal: Options['handler'] = (_req, res) => {
  res.status(429).set('Cache-Control', 'no-store').json({ error: 'too_many_requests', error_description: 'Too many requests from this address. Wait, then try again.' });
};

function budget(limit: number, windowMs: number, options: Partial<Options> = {}): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Its X-Forwarded-For check prints a stack to the console; app.ts warns once in our log instead.
    validate: { xForwardedForHeader: false },
    handler: jsonRefusal,
    ...options,
  });
}

export function applyIssuerRateLimits(router: Router, limits: IssuerRateLimits = DEFAULT_RATE_LIMITS): void {
  router.use(ISSUER_ROUTES.registration, budget(limits.register, limits.windowMs));
  router.use(ISSUER_ROUTES.token, budget(limits.token, limits.windowMs));
  router.use(ISSUER_ROUTES.authorization, budget(limits.authorize, limits.windowMs));
  router.use(ISSUER_ROUTES.revocation, budget(limits.revoke, limits.windowMs));
}

/**
 * The sign-in and sign-up forms' budgets per address. Failed sign-ins count whatever the username,
 * so one address cannot try a password against every account; a success gives its try back, so
 * people sharing an address who know their passwords are not held up. `refuse` answers with a page.
 */
export function formBudgets(settings: SignInSettings, refuse: Options['handler']): { signIn: RequestHandler; signUp: RequestHandler } {
  return {
    signIn: budget(settings.failuresPerAddress, 15 * 60 * 1000, { handler: refuse, skipSuccessfulRequests: true }),
    signUp: budget(settings.signupsPerAddress, 60 * 60 * 1000, { handler: refuse }),
  };
}
