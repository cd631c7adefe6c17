import type { KoaContextWithOIDC } from 'oidc-provider';
import { ISSUER_METHODS } from './routes.ts';

// oidc-provider middleware that runs around its own responses, for what its configuration does
// not cover: 405s instead of 404s, cache and framing headers, and a few RFC-exact error codes.

type Next = () => Promise<void>;


const NO_STORE_ROUTES = new Set(['token', 'registration', 'revocation', 'introspection']);

export async function hardenResponses(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
  const allowed = ISSUER_METHODS[ctx.path];
  if (allowed && !allowed.includes(ctx.method)) {
    ctx.status = 405;
    ctx.set('Allow', allowed.join(', '));
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    ctx.body = { error: 'invalid_request', error_description: `use ${allowed.filter((method) => method !== 'OPTIONS' && method !== 'HEAD').join(' or ')}` };
    return;
  }
  await next();
  const route = ctx.oidc?.route;
  if (ctx.status === 404 && ctx.body === undefined) {
    ctx.status = 404;
    ctx.body = { error: 'not_found', error_description: 'no such endpoint of the authorization server' };
    return;
  }

  if (route && NO_STORE_ROUTES.has(route)) {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
  }
  // RFC 6749 §5.2 names this case unauthorized_client; oidc-provider answers invalid_request.
  const body = ctx.body as Record<string, unknown> | undefined;
  if (route === 'token' && body?.error === 'invalid_request' && body.error_description === 'requested grant type is not allowed for this client') {
    ctx.body = { ...body, error: 'unauthorized_client' };
  }
  // A public client has no secret, even when it left token_endpoint_auth_method to our default.
  if (route === 'registration' && ctx.status === 201 && body?.token_endpoint_auth_method === 'none') {
    const { client_secret: _secret, client_secret_expires_at: _expires, ...rest } = body;
    ctx.body = rest;
  }
  // Discovery names what revocation and introspection accept: the same as the token endpoint.
  if (route === 'discovery' && body && Array.isArray(body.token_endpoint_auth_methods_supported)) {
    const methods = body.token_endpoint_auth_methods_supported;
    const algorithms = body.token_endpoint_auth_signing_alg_values_supported;
    ctx.body = {
      ...body,
      revocation_endpoint_auth_methods_supported: methods,
      introspection_endpoint_auth_methods_supported: methods,
      // RFC 8414 §2: required when private_key_jwt is listed.
      revocation_endpoint_auth_signing_alg_values_supported: algorithms,
      introspection_endpoint_auth_signing_alg_values_supported: algorithms,
    };
  }
  // A client id metadata document that does not describe its URL is a bad client (RFC 6749 §5.2).
  if (route && route !== 'registration' && body?.error === 'invalid_client_metadata') {
    ctx.status = 401;
    ctx.body = { ...body, error: 'invalid_client' };
  }
  // Browser-facing pages of oidc-provider itself (form_post, errors): never framed, no Referer.
  if (ctx.response.is('html')) {
    if (!ctx.response.get('Content-Security-Policy')) ctx.set('Content-Security-Policy', "frame-ancestors 'none'");
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Content-Type-Options', 'nosniff');
  }
}
