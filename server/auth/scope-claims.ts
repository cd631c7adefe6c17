
function scopeList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item !== '' && !item.includes(' '));
  return [];
}

/**
 * Scopes as IdPs put them in access tokens: `scope` (RFC 9068, space-separated), `scp` (Okta,
 * Entra: an array or a string) and `permissions` (Auth0 RBAC: an array). Anything else is ignored.
 */
export function scopesFromClaims(claims: Record<string, unknown>): string[] {
  // RFC 9068 makes `scope` a string: an array there is not a list of grants.
  const scope = typeof claims.scope === 'string' ? scopeList(claims.scope) : [];
  const permissions = Array.isArray(claims.permissions) ? scopeList(claims.permissions) : [];
  return [...new Set([...scope, ...scopeList(claims.scp), ...permissions])];
}
