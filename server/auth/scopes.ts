import { SCOPES } from '../scopes.ts';

// kanban.write implies kanban.read: whoever may change a board may read it.
const IMPLIED: Record<string, readonly string[]> = { [SCOPES.write]: [SCOPES.read] };

/** The granted scopes plus what they imply. Exact names only: no prefix or substring matches. */
export function effectiveScopes(granted: readonly string[]): Set<string> {
  const scopes = new Set(granted);
  for (const scope of granted) for (const implied of IMPLIED[scope] ?? []) scopes.add(implied);
  return scopes;
}

export function hasScopes(granted: readonly string[], required: readonly string[]): boolean {
  const effective = effectiveScopes(granted);
  return required.every((scope) => effective.has(scope));
}

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
