import { randomBytes } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { errors, type default as Provider } from 'oidc-provider';
import { z } from 'zod';
import type { KanbanDatabase } from '../../../db/database.ts';
import type { AppConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { RequestBudgets } from '../../rate-limits/budgets.ts';
import { subjectHash } from '../../http/request-log.ts';
import { AccountThrottle } from './account-throttle.ts';
import { AccountError, authenticate, createAccount, findAccountById } from './accounts.ts';
import { isLoopbackHostname } from '../../config.ts';
import { securityHeaders } from './page-headers.ts';
import { configurePasswordHashing, PasswordHashingBusy } from './passwords.ts';
import { formBudgets } from './rate-limits.ts';
import { consentPage, errorPage, signInPage, signUpPage, type ClientFacts, type NameSource } from './views.ts';

// The pages oidc-provider hands the browser to: sign in (or create an account), then consent.
// CSRF: oidc-provider binds each interaction to a signed SameSite=Lax cookie, so a cross-site
// POST arrives without it and fails; we also refuse a POST that the browser says came from
// another site (Sec-Fetch-Site, or Origin where that header is missing).


const loginForm = z.object({ username: z.string().max(200).default(''), password: z.string().max(1000).default('') });
const signupForm = z.object({ username: z.string().max(200).default(''), password: z.string().max(1000).default(''), displayName: z.string().max(200).default('') });

/**
 * oidc-provider marks the clients of its `clients` configuration (noManage) and those it read from
 * a metadata document (clientIdMetadataDocument); its types do not declare either flag.
 */
function nameSource(client: InstanceType<Provider['Client']> | undefined): NameSource {
  const flags = (client ?? {}) as { noManage?: boolean; clientIdMetadataDocument?: boolean };
  if (flags.noManage) return { by: 'operator' };
  const documentUrl = client && flags.clientIdMetadataDocument ? URL.parse(client.clientId) : null;
  return documentUrl ? { by: 'metadata document', host: documentUrl.host } : { by: 'registration' };
}

export interface InteractionOptions {
  config: AppConfig;
  database: KanbanDatabase;
  provider: Provider;
  logger: Logger;
  requestBudgets: RequestBudgets;
}

function send(res: Response, status: number, render: (nonce: string) => string): void {
  const nonce = randomBytes(16).toString('base64');
  res.status(status).set(securityHeaders(nonce)).type('html').send(render(nonce));
}

/** A wait, as the page says it: "30 seconds", "4 minutes". */
function inWords(seconds: number): string {
  return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}

export function interactionRouter({ config, database, provider, logger, requestBudgets }: InteractionOptions): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const signupOpen = config.signup === 'open';
  // Password guessing (docs/auth.md): failed sign-ins per address whatever the username, and
  // per username whatever the address; sign-ups per address; hashes at once (passwords.ts, which
  // is per process: this is where the server's settings reach it).
  configurePasswordHashing(config.signIn);
  const budgets = formBudgets(config.signIn, requestBudgets.budget, (_req, res) => {
    const wait = inWords(Number(res.getHeader('retry-after')));
    send(res, 429, (nonce) => errorPage({ nonce, title: 'Too many attempts', message: `Too many attempts from this address. Wait ${wait}, then try again.` }));
  });
  const throttle = new AccountThrottle(config.signIn.failuresPerAccount);

  const sameOrigin: RequestHandler = (req, res, next) => {
    // Browsers send Origin: null under our no-referrer policy, so Sec-Fetch-Site decides where they send it.
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    const ours = site !== undefined ? site === 'same-origin' || site === 'none' : origin === undefined || origin === 'null' || origin === config.publicUrl;
    if (ours) return next();
    send(res, 403, (nonce) => errorPage({ nonce, title: 'Request refused', message: 'This form was sent from another site.' }));
  };

  /** A request we cannot read (a bad URL, repeated fields, too large, odd charset) is the person's 4xx, not our 500. */
  const formErrors: ErrorRequestHandler = (error: { status?: number; statusCode?: number }, _req, res, next) => {
    const status = error.status ?? error.statusCode;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(error);
    send(res, status, (nonce) => errorPage({ nonce, title: 'This request could not be read', message: 'Go back to the app and start signing in again; fill in each form once.' }));
  };

  async function clientFacts(clientId: string, redirectUri: unknown): Promise<ClientFacts> {
    const client = await provider.Client.find(clientId);
    const redirect = typeof redirectUri === 'string' && URL.canParse(redirectUri) ? new URL(redirectUri) : undefined;
    return {
      name: client?.clientName ?? clientId,
      source: nameSource(client),
      redirectHost: redirect?.host ?? 'unknown',
      localhostOnly: redirect !== undefined && isLoopbackHostname(redirect.hostname),
    };
  }

  /** The interaction this browser is in, or an error page when it expired or belongs elsewhere. */
  async function loadInteraction(req: Request, res: Response) {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== req.params.uid) throw new Error('interaction uid mismatch');
      return { details, client: await clientFacts(String(details.params.client_id), details.params.redirect_uri) };
    } catch (error) {
      if (!(error instanceof errors.SessionNotFound) && !(error instanceof Error && error.message === 'interaction uid mismatch')) throw error;
      // A form posted without this browser's interaction cookie is refused outright (CSRF).
      send(res, req.method === 'POST' ? 403 : 400, (nonce) =>
        errorPage({ nonce, title: 'This sign-in has expired', message: 'This sign-in link has expired or was opened in another browser. Go back to the app and start signing in again.' }),
      );
      return undefined;
    }
  }

  router.get('/oauth/interaction/:uid', async (req, res) => {
    const loaded = await loadInteraction(req, res);
    if (!loaded) return;
    const { details, client } = loaded;
    const uid = details.uid;
    if (details.prompt.name === 'login') {
      send(res, 200, (nonce) => signInPage({ nonce, uid, client, signupOpen }));
      return;
    }
    const promptDetails = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    const scopes = [...new Set([...(promptDetails.missingOIDCScope ?? []), ...Object.values(promptDetails.missingResourceScopes ?? {}).flat()])];
    const account = await findAccountById(database, String(details.session?.accountId));
    send(res, 200, (nonce) => consentPage({ nonce, uid, client, scopes, accountName: account?.displayName ?? 'unknown account' }));
  });

  router.post('/oauth/interaction/:uid/login', sameOrigin, form, budgets.signIn, async (req, res) => {
    const loaded = await loadInteraction(req, res);
    if (!loaded) return;
    const parsed = loginForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      send(res, 400, (nonce) => signInPage({ nonce, uid: loaded.details.uid, client: loaded.client, signupOpen, error: 'Enter a username and a password.' }));
      return;
    }
    const { username, password } = parsed.data;
    const address = ipKeyGenerator(req.ip ?? '');
    const wait = throttle.admit(username, address);
    if (wait > 0) {
      const error = `Too many failed sign-ins for this username. Wait ${inWords(wait)}, then try again.`;
      res.set('Retry-After', String(wait));
      send(res, 429, (nonce) => signInPage({ nonce, uid: loaded.details.uid, client: loaded.client, signupOpen, error, username }));
      return;
    }
    const account = await authenticate(database, username, password);
    if (!account) {
      const error = 'Wrong username or password.';
      send(res, 401, (nonce) => signInPage({ nonce, uid: loaded.details.uid, client: loaded.client, signupOpen, error, username }));
      return;
    }
    throttle.succeeded(username, address);
    await budgets.signIn.giveBack(req);
    await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
  });

  const signupClosed = (res: Response) => send(res, 403, (nonce) => errorPage({ nonce, title: 'Sign-up is closed', message: 'New accounts are created by the administrator of this server.' }));

  router.get('/oauth/interaction/:uid/signup', async (req, res) => {
    const loaded = await loadInteraction(req, res);
    if (!loaded) return;
    if (!signupOpen) return signupClosed(res);
    send(res, 200, (nonce) => signUpPage({ nonce, uid: loaded.details.uid, client: loaded.client }));
  });

  router.post('/oauth/interaction/:uid/signup', sameOrigin, form, budgets.signUp, async (req, res) => {
    const loaded = await loadInteraction(req, res);
    if (!loaded) return;
    if (!signupOpen) return signupClosed(res);
    const parsedForm = signupForm.safeParse(req.body ?? {});
    if (!parsedForm.success) {
      send(res, 400, (nonce) => signUpPage({ nonce, uid: loaded.details.uid, client: loaded.client, error: 'Fill in a username and a password.' }));
      return;
    }
    const input = parsedForm.data;
    try {
      const account = await createAccount(database, input);
      logger.info({ user: subjectHash(account.id) }, 'account created');
      await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
    } catch (error) {
      const message = error instanceof z.ZodError ? error.issues[0]!.message : error instanceof AccountError ? error.message : undefined;
      if (message === undefined) throw error;
      send(res, 400, (nonce) => signUpPage({ nonce, uid: loaded.details.uid, client: loaded.client, error: message, username: input.username, displayName: input.displayName }));
    }
  });

  router.post('/oauth/interaction/:uid/confirm', sameOrigin, async (req, res) => {
    const loaded = await loadInteraction(req, res);
    if (!loaded) return;
    const { details } = loaded;
    if (details.prompt.name !== 'consent' || !details.session?.accountId) {
      send(res, 400, (nonce) => errorPage({ nonce, title: 'Nothing to confirm', message: 'Sign in first, then allow access.' }));
      return;
    }
    const promptDetails = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new Error('grant of the interaction is gone');
    if (promptDetails.missingOIDCScope) grant.addOIDCScope(promptDetails.missingOIDCScope.join(' '));
    if (promptDetails.missingOIDCClaims) grant.addOIDCClaims(promptDetails.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(promptDetails.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
  });

  router.post('/oauth/interaction/:uid/abort', sameOrigin, async (req, res) => {
    const loaded = await loadInteraction(req, res);
    if (!loaded) return;
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user did not allow access' }, { mergeWithLastSubmission: false });
  });

  /** More password hashes at once than the server takes (passwords.ts): "try again" and when, not a 500. */
  const hashingBusy: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (!(error instanceof PasswordHashingBusy)) return next(error);
    res.set('Retry-After', String(error.retryAfterSeconds));
    send(res, 503, (nonce) => errorPage({ nonce, title: 'Too busy right now', message: 'Too many sign-ins are being checked at this moment. Wait a few seconds, then try again.' }));
  };

  router.use('/oauth/interaction', formErrors, hashingBusy);
  return router;
}
