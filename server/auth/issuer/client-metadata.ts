import { errors } from 'oidc-provider';
import { isLoopbackHostname } from '../../config.ts';

// What dynamic registration accepts beyond oidc-provider's own checks: bounded metadata, and
// redirect URIs that cannot be turned against users (RFC 9700 §2.6, OAuth 2.1 §2.3.1).

const LIMITS = { redirectUris: 10, uriLength: 2000, clientName: 100 };

/** Standard client metadata oidc-provider lets us validate on registration. */
export const VALIDATED_CLIENT_METADATA = ['redirect_uris', 'client_name', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'sector_identifier_uri'];

/**
 * oidc-provider downloads a sector_identifier_uri when it registers or loads a client (pairwise
 * subjects), with no size limit of its own. We have no pairwise subjects and refuse the field;
 * the limit stands in case a client ever comes with one (an operator's, say): a list of redirect
 * URIs, as small as a client's metadata document.
 */
export const SECTOR_IDENTIFIER_BODY_LIMIT = 5 * 1024;

function refuseRedirect(reason: string): never {
  // oidc-provider turns a description starting with "redirect_uris" into invalid_redirect_uri.
  throw new errors.InvalidClientMetadata(`redirect_uris ${reason}`);
}

function checkRedirectUri(value: unknown): void {
  if (typeof value !== 'string' || value.length > LIMITS.uriLength) refuseRedirect(`must be strings of at most ${LIMITS.uriLength} characters`);
  if (!URL.canParse(value)) return; // oidc-provider reports malformed URIs itself
  const url = new URL(value);
  if (url.protocol === 'http:' && !isLoopbackHostname(url.hostname)) refuseRedirect('must use https, except on loopback');
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && !url.protocol.slice(0, -1).includes('.')) {
    refuseRedirect('with a private-use scheme must use a reverse domain name (com.example.app:/cb)');
  }
  for (const parameter of ['code', 'state', 'iss']) {
    // No quotes: error_description may not contain them (RFC 6749 §5.2).
    if (url.searchParams.has(parameter)) refuseRedirect(`must not carry a ${parameter} query parameter`);
  }
}

export function validateClientMetadata(_ctx: unknown, key: string, value: unknown): void {
  if (value === undefined) return;
  // Checked before oidc-provider's fetch of it (this validator runs as the client is built).
  if (key === 'sector_identifier_uri') throw new errors.InvalidClientMetadata('sector_identifier_uri is not supported here (no pairwise subject identifiers)');
  if (key === 'redirect_uris') {
    if (!Array.isArray(value)) return;
    if (value.length > LIMITS.redirectUris) refuseRedirect(`may list at most ${LIMITS.redirectUris} URIs`);
    value.forEach(checkRedirectUri);
  } else if (key === 'client_name') {
    if (typeof value === 'string' && value.length > LIMITS.clientName) throw new errors.InvalidClientMetadata(`client_name must be at most ${LIMITS.clientName} characters`);
  } else if (typeof value === 'string' && value.length > LIMITS.uriLength) {
    throw new errors.InvalidClientMetadata(`${key} must be at most ${LIMITS.uriLength} characters`);
  }
}
