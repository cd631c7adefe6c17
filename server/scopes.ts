// The OAuth scopes this resource understands: shared by the tool catalogue, the resource
// metadata and the issuer, so the three can never disagree.
export const SCOPES = {
  read: 'kanban.read',
  write: 'kanban.write',
} as const;

export const ALL_SCOPES = [SCOPES.read, SCOPES.write] as const;

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
