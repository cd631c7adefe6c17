import { and, eq, sql } from 'drizzle-orm';
import type { KanbanDatabase } from '../../../db/database.ts';
import { deleteGrantsHeldBy, type GrantsDeleted } from './grant-revocation.ts';

// The OAuth clients registered with the embedded issuer (dynamic registration), for operators:
// list them, and revoke one with everything it was granted. Rows are oidc-provider's, in the
// adapter's table (adapter.ts): a client's grants and tokens name it in their payload.

export interface RegisteredClientSummary {
  clientId: string;
  /** registered: by dynamic registration; metadata document: a CIMD client known only by its grants. */
  kind: 'registered' | 'metadata document';
  name: string | null;
  redirectUris: string[];
  registeredAt: Date | null;
  /** Grants (a user's consent to this client) still on record. */
  grants: number;
}

export async function listRegisteredClients(database: KanbanDatabase): Promise<RegisteredClientSummary[]> {
  const { oauthStore } = database.tables;
  const clientIdOf = database.dialect.jsonText(oauthStore.payload, 'clientId');
  const [grantRows, clientRows] = await database.read(async (db) => [
    await db.select({ clientId: clientIdOf, grants: sql<number>`count(*)`.mapWith(Number) }).from(oauthStore).where(eq(oauthStore.model, 'Grant')).groupBy(clientIdOf),
    await db.select({ payload: oauthStore.payload }).from(oauthStore).where(eq(oauthStore.model, 'Client')),
  ] as const);
  const grantCounts = new Map(grantRows.map((row) => [row.clientId, row.grants]));
  const registered: RegisteredClientSummary[] = clientRows
    .map(({ payload }) => {
      const clientId = String(payload.client_id);
      const issuedAt = typeof payload.client_id_issued_at === 'number' ? new Date(payload.client_id_issued_at * 1000) : null;
      return {
        clientId,
        kind: 'registered' as const,
        name: typeof payload.client_name === 'string' ? payload.client_name : null,
        redirectUris: Array.isArray(payload.redirect_uris) ? payload.redirect_uris.map(String) : [],
        registeredAt: issuedAt,
        grants: grantCounts.get(clientId) ?? 0,
      };
    })
    .sort((a, b) => (b.registeredAt?.getTime() ?? 0) - (a.registeredAt?.getTime() ?? 0));
  // Clients identified by a metadata document URL (CIMD) are never stored: only their grants are.
  const known = new Set(registered.map((client) => client.clientId));
  const byDocument = [...grantCounts]
    .filter(([clientId]) => !known.has(clientId))
    .map(([clientId, grants]) => ({ clientId, kind: 'metadata document' as const, name: null, redirectUris: [], registeredAt: null, grants }));
  return [...registered, ...byDocument];
}

/**
 * Deletes the client (if registered), its grants, and every code and token issued under them,
 * in one transaction. Returns undefined when the issuer knows nothing of that client.
 */
export function revokeRegisteredClient(database: KanbanDatabase, clientId: string): Promise<GrantsDeleted | undefined> {
  const { oauthStore } = database.tables;
  return database.write(async (db) => {
    const [client] = await db.select({ id: oauthStore.id }).from(oauthStore).where(and(eq(oauthStore.model, 'Client'), eq(database.dialect.jsonText(oauthStore.payload, 'client_id'), clientId))).limit(1);
    const { grants, tokens } = await deleteGrantsHeldBy(database, db, 'clientId', clientId);
    if (!client && grants === 0 && tokens === 0) return undefined;
    if (client) await db.delete(oauthStore).where(and(eq(oauthStore.model, 'Client'), eq(oauthStore.id, client.id)));
    return { grants, tokens };
  });
}
