import { createHash } from 'node:crypto';
import { and, eq, isNull, lt, or, type SQL } from 'drizzle-orm';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { KanbanDatabase, OAuthRow } from '../../../db/database.ts';
import { hashClientSecret } from './client-secrets.ts';

// oidc-provider's storage on Drizzle: one table keyed by (model, sha256(id)). Hashing the key and
// leaving `jti` out of the stored payload means the database never holds a usable authorization
// code or refresh token; the id is put back into the payload on the way out. Sessions are the
// exception: oidc-provider finds them by uid and needs their id back from the payload. Client
// secrets are stored hashed too (client-secrets.ts).

/** Seconds during which a just-rotated refresh token still counts as unused. */
export const DEFAULT_REFRESH_GRACE_SECONDS = 10;

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');

/** Models whose stored payload keeps its id (found by uid, not by id). */
const KEEPS_ID = new Set(['Client', 'Session']);

/** Whether any string in a JSON value contains NUL. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, member]) => key.includes('\0') || holdsNul(member));
  return false;
}

export interface AdapterOptions {
  /**
   * ChatGPT has been seen refreshing twice at once. Within this window a rotated refresh token
   * is still accepted, and answered with the same successor (provider.ts); a reuse after it
   * revokes the grant.
   */
  refreshGraceSeconds?: number;
}

export function drizzleAdapterFactory(database: KanbanDatabase, options: AdapterOptions = {}) {
  const { oauthStore } = database.tables;
  const graceMs = (options.refreshGraceSeconds ?? DEFAULT_REFRESH_GRACE_SECONDS) * 1000;

  return class DrizzleAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    private key(id: string) {
      return and(eq(oauthStore.model, this.model), eq(oauthStore.id, hashId(id)));
    }

    private live(row: OAuthRow | undefined, id?: string): AdapterPayload | undefined {
      if (!row || (row.expiresAt !== null && row.expiresAt.getTime() <= Date.now())) return undefined;
      const payload: AdapterPayload = { ...row.payload };
      if (id !== undefined && !KEEPS_ID.has(this.model)) payload.jti = id;
      const consumedAt = row.consumedAt?.getTime();
      const withinGrace = this.model === 'RefreshToken' && consumedAt !== undefined && Date.now() - consumedAt < graceMs;
      if (consumedAt !== undefined && !withinGrace) payload.consumed = Math.floor(consumedAt / 1000);
      return payload;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      // A request parameter or client metadata with a NUL in it (state=%00…) cannot be stored in
      // PostgreSQL's jsonb; refused the same way on both engines, as the client's error.
      if (holdsNul(payload)) throw this.model === 'Client' ? new errors.InvalidClientMetadata('client metadata must not contain NUL characters') : new errors.InvalidRequest('parameters must not contain NUL characters');
      const { jti: _jti, ...stored } = payload;
      const kept = this.model === 'Client' && typeof payload.client_secret === 'string' ? { ...payload, client_secret: hashClientSecret(payload.client_secret) } : payload;
      const row = {
        model: this.model,
        id: hashId(id),
        payload: KEEPS_ID.has(this.model) ? kept : stored,
        grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      await database.write((db) =>
        db
          .insert(oauthStore)
          .values(row)
          .onConflictDoUpdate({ target: [oauthStore.model, oauthStore.id], set: { payload: row.payload, grantId: row.grantId, uid: row.uid, userCode: row.userCode, expiresAt: row.expiresAt } }),
      );
    }

    private async findOne(where: SQL | undefined, id?: string): Promise<AdapterPayload | undefined> {
      const [row] = await database.read((db) => db.select().from(oauthStore).where(where).limit(1));
      return this.live(row, id);
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return this.findOne(this.key(id), id);
    }

    // A uid or user code comes from a URL: one with NUL (which nothing stored holds, and
    // PostgreSQL refuses to compare) finds nothing.
    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (uid.includes('\0')) return Promise.resolve(undefined);
      return this.findOne(and(eq(oauthStore.model, this.model), eq(oauthStore.uid, uid)));
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (userCode.includes('\0')) return Promise.resolve(undefined);
      return this.findOne(and(eq(oauthStore.model, this.model), eq(oauthStore.userCode, userCode)));
    }

    async consume(id: string): Promise<void> {
      // Only the first consumption counts: the grace window runs from it, not from a later retry.
      const consumed = await database.write((db) =>
        db.update(oauthStore).set({ consumedAt: new Date() }).where(and(this.key(id), isNull(oauthStore.consumedAt))).returning({ id: oauthStore.id }),
      );
      // A code is redeemed once, whatever the interleaving of concurrent requests (conditional
      // update). The loser of a race is a replay too: deny it and revoke what the code granted
      // (RFC 6749 §4.1.2), as oidc-provider does itself for a replay that finds the code consumed.
      if (consumed.length === 0 && this.model === 'AuthorizationCode') {
        await this.revokeGrantOf(id);
        throw new errors.InvalidGrant('authorization code already used');
      }
    }

    /** Deletes the grant an artifact belongs to, and everything issued under it. */
    private async revokeGrantOf(id: string): Promise<void> {
      await database.write(async (db) => {
        const [row] = await db.select({ grantId: oauthStore.grantId }).from(oauthStore).where(this.key(id)).limit(1);
        if (!row?.grantId) return;
        await db.delete(oauthStore).where(or(eq(oauthStore.grantId, row.grantId), and(eq(oauthStore.model, 'Grant'), eq(oauthStore.id, hashId(row.grantId)))));
      });
    }

    async destroy(id: string): Promise<void> {
      await database.write((db) => db.delete(oauthStore).where(this.key(id)));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await database.write((db) => db.delete(oauthStore).where(eq(oauthStore.grantId, grantId)));
    }
  };
}

/** Deletes expired artifacts; clients (no expiry) stay. Returns how many rows went. */
export async function deleteExpiredOAuthRows(database: KanbanDatabase, now = new Date()): Promise<number> {
  const { oauthStore } = database.tables;
  const deleted = await database.write((db) => db.delete(oauthStore).where(lt(oauthStore.expiresAt, now)).returning({ id: oauthStore.id }));
  return deleted.length;
}
