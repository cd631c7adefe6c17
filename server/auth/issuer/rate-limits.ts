import type { RequestHandler, Router } from 'express';
import type { Options } from 'express-rate-limit';
import type { AppConfig, SignInSettings } from '../../config.ts';
import type { Budget, RequestBudgets } from '../../rate-limits/budgets.ts';
import { ISSUER_ROUTES } from './routes.ts';

// Per-address request budgets for the issuer's endpoints and its sign-in and sign-up forms
// (credential guessing, registration floods), counted where RequestBudgets counts (in memory on one
// process, shared by replicas in Redis or PostgreSQL). Behind a proxy every client shares the
// proxy's address unless the proxy is trusted, so the defaults are generous.

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

function perAddress(budget: RequestBudgets['budget'], name: string, limit: number, windowMs: number, options: Partial<Options> = {}): Budget {
  return budget(name, { windowMs, limit, handler: jsonRefusal, ...options });
}

/**
 * `endpoints` (INTROSPECTIONS_PER_ADDRESS, USERINFO_REQUESTS_PER_ADDRESS): any caller with any
 * token makes these look it up, so a flood is database load.
 */
export function applyIssuerRateLimits(router: Router, endpoints: AppConfig['issuerEndpoints'], budget: RequestBudgets['budget'], limits: IssuerRateLimits = DEFAULT_RATE_LIMITS): void {
  router.use(ISSUER_ROUTES.registration, perAddress(budget, 'issuer-register', limits.register, limits.windowMs));
  router.use(ISSUER_ROUTES.token, perAddress(budget, 'issuer-token', limits.token, limits.windowMs));
  router.use(ISSUER_ROUTES.authorization, perAddress(budget, 'issuer-authorize', limits.authorize, limits.windowMs));
  router.use(ISSUER_ROUTES.revocation, perAddress(budget, 'issuer-revoke', limits.revoke, limits.windowMs));
  router.use(ISSUER_ROUTES.introspection, perAddress(budget, 'issuer-introspect', endpoints.introspectionsPerAddress, limits.windowMs));
  router.use(ISSUER_ROUTES.userinfo, perAddress(budget, 'issuer-userinfo', endpoints.userinfoRequestsPerAddress, limits.windowMs));
}

/**
 * The sign-in and sign-up forms' budgets per address. Failed sign-ins count whatever the username,
 * so one address cannot try a password against every account; a success gives its try back
 * (`signIn.giveBack`, before the answer), so people sharing an address who know their passwords
 * are not held up. `refuse` answers with a page.
 */
export function formBudgets(settings: SignInSettings, budget: RequestBudgets['budget'], refuse: Options['handler']): { signIn: Budget; signUp: RequestHandler } {
  return {
    signIn: perAddress(budget, 'signin-failures', settings.failuresPerAddress, 15 * 60 * 1000, { handler: refuse }),
    signUp: perAddress(budget, 'signups', settings.signupsPerAddress, 60 * 60 * 1000, { handler: refuse }),
  };
}
