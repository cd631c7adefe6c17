// Who is asking. The auth layer gives each request one, from a verified token (auth/verify-token.ts
// makes it, remembered per token) or its absence (auth/bearer.ts); the kanban domain and the tools
// only ever see this, never headers or tokens.
// Beside scopes.ts, at the root: both layers speak of it, and neither owns it.
export type Viewer =
  | { signedIn: false }
  | { signedIn: true; subject: string; scopes: readonly string[]; clientId?: string; name?: string };

export const ANONYMOUS: Viewer = Object.freeze({ signedIn: false });
