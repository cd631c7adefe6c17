import type { JWK } from 'jose';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { KanbanDatabase } from '../../../db/database.ts';
import type { AppConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { ALL_SCOPES } from '../../scopes.ts';
import { findAccountById } from './accounts.ts';
import { drizzleAdapterFactory } from './adapter.ts';
import { SIGNING_ALG } from './keys.ts';
import { errorPage } from './views.ts';
import { securityHeaders } from './page-headers.ts';
import { SECTOR_IDENTIFIER_BODY_LIMIT, validateClientMetadata, VALIDATED_CLIENT_METADATA } from './client-metadata.ts';
import { compareHashedClientSecrets } from './client-secrets.ts';
import { clientKeySets, KEY_SET_BODY_LIMIT } from './client-key-sets.ts';
import { hardenResponses } from './response-hardening.ts';
import { errorRedirectGuard } from './error-redirects.ts';
import { ACCESS_TOKEN_TTL_SECONDS } from './grant-revocation.ts';
import { ASYMMETRIC_ALGORITHMS } from '../verify-token.ts';
import { ISSUER_ROUTES } from './routes.ts';

// The embedded authorization server: oidc-provider configured as data. Issuer = PUBLIC_URL (no
// path), routes under /oauth, one resource (our MCP endpoint) with JWT access tokens.


const DAY = 24 * 60 * 60;

export interface ProviderOptions {
  config: AppConfig;
  database: KanbanDatabase;
  logger: Logger;
  signingKeys: JWK[];
  cookieKeys: string[];
  refreshGraceSeconds?: number;
  /**
   * How the issuer fetches client metadata documents (CIMD) and client key sets (jwks_uri).
   * oidc-provider already refuses special-use addresses (it hands this hook a dispatcher that
   * checks the connected socket) and times out; it caps the size of metadata documents, we cap
   * key sets (client-key-sets.ts).
   */
  fetch?: typeof fetch;
}

const BROWSER_ROUTES = new Set(['authorization', 'resume']);

/** Error pages only where a person's browser is; everywhere else (token, registration…) JSON. */
function wantsJson(ctx: KoaContextWithOIDC): boolean {
  return !BROWSER_ROUTES.has(ctx.oidc?.route ?? '') || ctx.accepts('html', 'json') !== 'html';
}

const ISSUER_SCOPES = ['openid', 'offline_access', 'profile', ...ALL_SCOPES];
const SUPPORTED_SCOPES = new Set(ISSUER_SCOPES);


async function revocationAllowed(_ctx: KoaContextWithOIDC, client: { clientId: string; clientAuthMethod: string }, token: { clientId?: string }): Promise<boolean> {
  if (token.clientId === client.clientId) return true;
  // RFC 7009: a public caller gets the same 200 as for an unknown token; a confidential one is told.
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
}

/**
 * A refresh token presented again inside the grace window (adapter.ts) gets the successor it got
 * the first time, never a second chain (RV-10). oidc-provider has no option for it: a rotation's
 * successor takes its value from RefreshToken#generateTokenId, so we make it a keyed hash of the
 * token it replaces. Every retry, on any replica, then rewrites the same row and answers the same
 * value; only a holder of the predecessor can compute it (the database keeps hashes of tokens,
 * and the key is the issuer's cookie key, separated by HKDF). Other refresh tokens stay random.
 */
function sameSuccessorWithinGrace(provider: Provider, secret: string): void {
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'kanban-mcp refresh token successor', 32));
  const prototype = provider.RefreshToken.prototype as unknown as { generateTokenId(): string };
  const random = prototype.generateTokenId;
  prototype.generateTokenId = function generateTokenId() {
    const rotated = Provider.ctx?.oidc?.entities.RotatedRefreshToken?.jti;
    return rotated ? createHmac('sha256', key).update(rotated).digest('base64url') : random.call(this);
  };
}

export function createProvider(options: ProviderOptions): Provider {
  const { config, database } = options;
  const resource = config.resourceUrl;
  // CIMD clients' jwks_uri responses, kept as long as their headers allow (client-key-sets.ts).
  const keySets = clientKeySets(options.fetch ?? ((url, init) => globalThis.fetch(url, init)));
  // Clients the operator configures (none yet), unlike self-registered ones, get errors unasked.
  const operatorClients: NonNullable<Configuration['clients']> = [];
  // Authorization errors go back on their own only to redirect URIs we trust (error-redirects.ts).
  const errorRedirects = errorRedirectGuard({ hosts: config.trustedRedirectHosts, operatorClientIds: new Set(operatorClients.map((client) => client.client_id)) });

  const configuration: Configuration = {
    adapter: drizzleAdapterFactory(database, { refreshGraceSeconds: options.refreshGraceSeconds }),
    clients: operatorClients,
    async findAccount(_ctx, sub) {
      const account = await findAccountById(database, sub);
      if (!account) return undefined;
      return { accountId: account.id, claims: async () => ({ sub: account.id, name: account.displayName, preferred_username: account.username }) };
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    scopes: ISSUER_SCOPES,
    responseTypes: ['code'],
    pkce: { required: () => true },
    // Secrets are compared, never used as keys: no client_secret_jwt, no HS* (see client-secrets.ts).
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: ASYMMETRIC_ALGORITHMS,
      idTokenSigningAlgValues: [SIGNING_ALG],
      userinfoSigningAlgValues: [SIGNING_ALG],
      introspectionSigningAlgValues: [SIGNING_ALG],
      requestObjectSigningAlgValues: ASYMMETRIC_ALGORITHMS,
    } as Configuration['enabledJWA'],
    // A request that asks only for scopes we do not have fails at once, before anyone signs in.
    extraParams: {
      scope(_ctx: unknown, value: unknown) {
        if (typeof value === 'string' && value.trim() && !value.split(' ').some((scope) => SUPPORTED_SCOPES.has(scope))) {
          throw new errors.InvalidScope('none of the requested scopes is supported here', value);
        }
      },
    } as unknown as Configuration['extraParams'],
    extraClientMetadata: { properties: VALIDATED_CLIENT_METADATA, validator: validateClientMetadata },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: SIGNING_ALG,
    },
    cookies: {
      keys: options.cookieKeys,
      // __Host- binds the session cookie to this exact origin (https only: it requires Secure).
      names: { session: config.publicUrl.startsWith('https:') ? '__Host-kanban.session' : 'kanban.session', interaction: 'kanban.interaction', resume: 'kanban.resume' },
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    jwks: { keys: options.signingKeys },
    features: {
      devInteractions: { enabled: false },
      // Open dynamic registration for public clients: ChatGPT and MCP clients register themselves.
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: false },
      // A client may revoke or introspect only its own tokens (public callers learn nothing).
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        // Without this, `openid` plus no resource would yield an opaque userinfo-only token.
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, indicator) {
          if (indicator !== resource) throw new errors.InvalidTarget(`the only resource here is ${resource}`);
          return { scope: ALL_SCOPES.join(' '), audience: resource, accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS, accessTokenFormat: 'jwt', jwt: { sign: { alg: SIGNING_ALG } } };
        },
      },
      clientIdMetadataDocument: { enabled: true, ack: 'draft-02', allowClient: keySets.allowClient },
      // Not part of this design: fewer doors (PAR stores whatever it is sent; logout needs its own page).
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    } as Configuration['features'],
    fetch: keySets.fetch,
    // oidc-provider reads these responses whole, however large, unless told a limit.
    fetchResponseBodyLimits: { jwks_uri: KEY_SET_BODY_LIMIT, sector_identifier_uri: SECTOR_IDENTIFIER_BODY_LIMIT },
    // Every client allowed the grant gets a refresh token; no offline_access or prompt=consent dance.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 60 * 60,
      RefreshToken: 30 * DAY,
      Session: 14 * DAY,
      Grant: 365 * DAY,
    },
    async extraTokenClaims(_ctx, token) {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const account = await findAccountById(database, token.accountId);
      return account ? { name: account.displayName } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/oauth/interaction/${interaction.uid}` },
    routes: ISSUER_ROUTES,
    // Browsers may call the token endpoint from any origin (public clients, PKCE).
    clientBasedCORS: () => true,
    async renderError(ctx, out) {
      errorRedirects.rendered(ctx);
      // oidc-provider already replaces internal errors with a generic description.
      // A CIMD document that names another client is a bad client, as RFC 6749 words it.
      const error = out.error === 'invalid_client_metadata' && ctx.oidc?.route === 'authorization' ? 'invalid_client' : out.error;
      if (wantsJson(ctx)) {
        ctx.type = 'json';
        ctx.body = { error, error_description: out.error_description };
        return;
      }
      const nonce = randomBytes(16).toString('base64');
      for (const [name, value] of Object.entries(securityHeaders(nonce))) ctx.set(name, value);
      ctx.type = 'html';
      ctx.body = errorPage({ nonce, title: 'Sign-in could not continue', message: `${out.error_description ?? out.error}. Go back to the app and try again.` });
    },
  };

  const provider = new Provider(config.publicUrl, configuration);
  compareHashedClientSecrets(provider);
  sameSuccessorWithinGrace(provider, options.cookieKeys[0]!);
  provider.use(hardenResponses);
  errorRedirects.install(provider);
  // Koa then believes X-Forwarded-Host/Proto, so every request routed to oidc-provider first gets
  // them set to PUBLIC_URL's, whoever sent them (canonicalOrigin in index.ts): that is how it sets
  // Secure cookies behind a TLS proxy, and no header can rename the issuer. Our interaction pages
  // hand it requests only to read its cookies.
  provider.proxy = true;
  provider.on('server_error', (_ctx, error) => options.logger.error({ err: error }, 'authorization server error'));
  return provider;
}
