// Who is asking. The auth layer builds it from a verified token (or its absence); the kanban
// service and the tools only ever see this, never headers or tokens.
export type Viewer =
  | { signedIn: false }
  | { signedIn: true; subject: string; scopes: readonly string[]; clientId?: string; name?: string };

export const ANONYMOUS: Viewer = Object.freeze({ signedIn: false });
