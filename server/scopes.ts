// The OAuth scopes this resource understands: shared by the tool catalogue, the resource
// metadata and the issuer, so the three can never disagree.
export const SCOPES = {
  read: 'kanban.read',
  write: 'kanban.write',
} as const;

export const ALL_SCOPES = [SCOPES.read, SCOPES.write] as const;
