import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db, KanbanDatabase } from '../../../db/database.ts';

// Deleting grants with everything issued under them, for operators' revocations (a client:
// registered-clients.ts; an account: account-access.ts). Rows are oidc-provider's (adapter.ts).
// A grant's own row keeps no usable id (the adapter stores only its hash), so its codes and
// tokens are found through theirs: each names the grant in grant_id, and the holder in its payload.

/**
 * How long an access token lives (provider.ts issues them so). What no revocation here can shorten:
 * access tokens are JWTs checked without the database. Kept here, not in provider.ts, so the
 * operator commands that say it do not load oidc-provider (a third of their start).
 */
export const ACCESS_TOKEN_TTL_SECONDS = 60 * 60;

/** The payload member that names who holds a grant: the client it was given to, or the account that gave it. */
export type GrantHolder = 'clientId' | 'accountId';

export interface GrantsDeleted {
  grants: number;
  /** Codes, refresh tokens and anything else stored under those grants. */
  tokens: number;
}

/** Inside a write: deletes the grants held by `value`, and every code and token issued under them. */
export async function deleteGrantsHeldBy(database: KanbanDatabase, db: Db, holder: GrantHolder, value: string): Promise<GrantsDeleted> {
  const { oauthStore } = database.tables;
  const heldBy = eq(database.dialect.jsonText(oauthStore.payload, holder), value);
  const grantIds = (await db.selectDistinct({ grantId: oauthStore.grantId }).from(oauthStore).where(and(heldBy, isNotNull(oauthStore.grantId)))).map((row) => row.grantId!);
  const tokens = grantIds.length === 0 ? 0 : (await db.delete(oauthStore).where(inArray(oauthStore.grantId, grantIds)).returning({ id: oauthStore.id })).length;
  const grants = (await db.delete(oauthStore).where(and(eq(oauthStore.model, 'Grant'), heldBy)).returning({ id: oauthStore.id })).length;
  return { grants, tokens };
}
