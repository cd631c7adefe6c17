import { and, eq } from 'drizzle-orm';
import type { Db, KanbanDatabase } from '../../../db/database.ts';
import { deleteGrantsHeldBy, type GrantsDeleted } from './grant-revocation.ts';

// Signing an account out everywhere (user:reset, user:revoke, user:delete): its sign-in sessions,
// its grants to apps, and every code and refresh token issued under them. A running server looks
// these rows up on each use, so from its next request a revoked cookie shows the sign-in page and
// a revoked refresh token is invalid_grant. Access tokens are JWTs checked without the database:
// they are not stored, and stay valid until they expire (ACCESS_TOKEN_TTL_SECONDS, grant-revocation.ts).
// A half-done interaction needs nothing more: oidc-provider refuses to resume one whose session
// is gone, and one bound to a grant goes with the grant (its grant_id).

export interface AccessEnded extends GrantsDeleted {
  sessions: number;
}

/** Inside a write: ends everything the account was granted, and its sessions. */
export async function endAccountAccessIn(database: KanbanDatabase, db: Db, accountId: string): Promise<AccessEnded> {
  const { oauthStore } = database.tables;
  const { grants, tokens } = await deleteGrantsHeldBy(database, db, 'accountId', accountId);
  const sessions = await db
    .delete(oauthStore)
    .where(and(eq(oauthStore.model, 'Session'), eq(database.dialect.jsonText(oauthStore.payload, 'accountId'), accountId)))
    .returning({ id: oauthStore.id });
  return { sessions: sessions.length, grants, tokens };
}

/** The same, as a transaction of its own. */
export function endAccountAccess(database: KanbanDatabase, accountId: string): Promise<AccessEnded> {
  return database.write((db) => endAccountAccessIn(database, db, accountId));
}
