import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { securityHeaders } from './page-headers.ts';
import { untrustedErrorPage, type WayBack } from './views.ts';

// RFC 9700 §4.11.2: the authorization server must not be an open redirector. oidc-provider sends
// an authorization error (invalid_scope, login_required…) to the redirect_uri as soon as it
// matches the client's registration, before anyone signs in, and anyone can register a client
// (dynamic registration, a metadata document) with any redirect URI. So an error goes back on its
// own only to a redirect URI we trust: a client the operator configured, a host of
// AUTH_TRUSTED_REDIRECT_HOSTS, or a client the signed-in person approved before. Anywhere else
// the person gets our page naming the app and the host, with the way there as a link to choose.
//
// Why by hand: no oidc-provider hook decides whether an error is redirected (renderError sees only
// the errors it keeps; the built-in response modes cannot be replaced). Its documented events say
// an error happened, our renderError says it rendered it, and a middleware around the endpoint
// (provider.use) replaces what went to the client. Errors after our sign-in or consent page
// (route "resume", e.g. access_denied) still go back: the person saw the host on that page.

type ProviderError = Error & { error?: string; error_description?: string; scope?: string; expose?: boolean };
type Next = () => Promise<void>;

export interface ErrorRedirectTrust {
  /** Hostnames whose https redirect URIs get errors unasked (config.trustedRedirectHosts). */
  hosts: readonly string[];
  /** Clients of the provider's configuration (`clients`), not self-registered. */
  operatorClientIds: ReadonlySet<string>;
}

const asString = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** The error as oidc-provider hands it to the client (its lib/helpers/err_out.js is not exported). */
function errorFields(ctx: KoaContextWithOIDC, err: ProviderError, state: string | undefined): Record<string, string> {
  const fields = err.expose
    ? { error: err.error ?? err.message, error_description: err.error_description, scope: err.scope }
    : { error: 'server_error', error_description: 'oops! something went wrong' };
  const all: Record<string, string | undefined> = { ...fields, state, iss: ctx.oidc.provider.issuer };
  return Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export function errorRedirectGuard(trust: ErrorRedirectTrust) {
  const failed = new WeakMap<object, ProviderError>();
  const rendered = new WeakSet<object>();

  /** The person signed in here approved this client before: their grant for it still exists. */
  async function approvedBefore(ctx: KoaContextWithOIDC, clientId: string): Promise<boolean> {
    const accountId = ctx.oidc.session?.accountId;
    const grantId = accountId ? ctx.oidc.session!.grantIdFor(clientId) : undefined;
    // A lookup that fails (a busy database) trusts nothing: the person still gets the link.
    const grant = grantId ? await ctx.oidc.provider.Grant.find(grantId).catch(() => undefined) : undefined;
    return grant !== undefined && grant.accountId === accountId && grant.clientId === clientId;
  }

  async function trusted(ctx: KoaContextWithOIDC, clientId: string, redirectUri: URL): Promise<boolean> {
    if (trust.operatorClientIds.has(clientId)) return true;
    if (redirectUri.protocol === 'https:' && trust.hosts.includes(redirectUri.hostname)) return true;
    return approvedBefore(ctx, clientId);
  }

  async function middleware(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
    await next();
    const err = failed.get(ctx);
    const client = ctx.oidc?.client;
    // The same parameters oidc-provider's error handler read to redirect.
    const params = (ctx.oidc?.params ?? ctx.query) as Record<string, unknown>;
    const redirectUri = asString(params.redirect_uri);
    if (!err || rendered.has(ctx) || !client || !redirectUri || !URL.canParse(redirectUri)) return;
    const target = new URL(redirectUri);
    if (await trusted(ctx, client.clientId, target)) return;

    const fields = errorFields(ctx, err, asString(params.state));
    const location = ctx.response.get('Location');
    // query and fragment modes redirected (the Location is that link); form_post wrote a form.
    const back: WayBack = location ? { href: location } : { action: redirectUri, fields };
    ctx.remove('Location');
    // Not err.statusCode: oidc-provider gives prompt=none errors 303, the status of their redirect.
    ctx.status = err.expose ? 400 : 500;
    if (ctx.accepts('html', 'json') !== 'html') {
      ctx.type = 'json';
      ctx.body = { error: fields.error, error_description: fields.error_description };
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    for (const [name, value] of Object.entries(securityHeaders(nonce))) ctx.set(name, value);
    ctx.type = 'html';
    const message = `${fields.error_description ?? fields.error}. Go back to the app and try again.`;
    ctx.body = untrustedErrorPage({ nonce, client: { name: client.clientName ?? client.clientId, redirectHost: target.host }, message, back });
  }

  return {
    /** For renderError: this error was shown here, never sent to the client. */
    rendered: (ctx: object) => void rendered.add(ctx),
    /** After hardenResponses, so that its headers apply to our page too. */
    install(provider: Provider): void {
      const note = (ctx: KoaContextWithOIDC, err: ProviderError) => {
        if (ctx?.oidc?.route === 'authorization') failed.set(ctx, err);
      };
      provider.on('authorization.error', note);
      // Non-exposed errors are announced as server_error, and redirected all the same.
      provider.on('server_error', note);
      provider.use(middleware);
    },
  };
}
