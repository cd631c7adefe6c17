// The OAuth scopes this resource understands, and what each lets a viewer do: the one home of the
// scope rules. The tool catalogue declares them (mcp/catalogue.ts), the guard enforces those
// declarations (mcp/guard.ts), the domain asks them of a viewer (kanban/access.ts), and the
// resource metadata and the issuer publish them, so none can disagree.
const SCOPES = {
  read: 'kanban.read',
  write: 'kanban.write',
} as const;

export const ALL_SCOPES = [SCOPES.read, SCOPES.write] as const;

// kanban.write implies kanban.read: whoever may change a board may read it.
// A Map, not an object: a token's scope named "constructor" or "__proto__" must find nothing here.
const IMPLIED = new Map<string, readonly string[]>([[SCOPES.write, [SCOPES.read]]]);

/**
 * Whether `granted`, with what it implies, holds every `required` scope. Exact names only: no prefix
 * or substring matches. Asked per board row of a listing (ownership), so it builds nothing.
 */
export function hasScopes(granted: readonly string[], required: readonly string[]): boolean {
  return required.every((scope) => granted.some((each) => each === scope || (IMPLIED.get(each)?.includes(scope) ?? false)));
}

/** Needed to see one's private boards (public ones need nothing). */
export const READ_SCOPES: readonly string[] = [SCOPES.read];
/** Needed to change one's boards. */
export const WRITE_SCOPES: readonly string[] = [SCOPES.write];

export function grantsReading(granted: readonly string[]): boolean {
  return hasScopes(granted, READ_SCOPES);
}

export function grantsWriting(granted: readonly string[]): boolean {
  return hasScopes(granted, WRITE_SCOPES);
}
