import { createHash } from 'node:crypto';
import { and, eq, isNull, lt } from 'drizzle-orm';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { KanbanDb } from '../../../db/client.ts';
import { oauthStore } from '../../../db/schema.ts';
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

export interface AdapterOptions {
  /**
   * ChatGPT has been seen refreshing twice at once. Within this window a rotated refresh token
   * is still accepted (each request gets its own successor); a reuse after it revokes the grant.
   */
  refreshGraceSeconds?: number;
}

export function drizzleAdapterFactory(db: KanbanDb, options: AdapterOptions = {}) {
  const graceMs = (options.refreshGraceSeconds ?? DEFAULT_REFRESH_GRACE_SECONDS) * 1000;

  return class DrizzleAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    private key(id: string) {
      return and(eq(oauthStore.model, this.model), eq(oauthStore.id, hashId(id)));
    }

    private live(row: typeof oauthStore.$inferSelect | undefined, id?: string): AdapterPayload | undefined {
      if (!row || (row.expiresAt !== null && row.expiresAt.getTime() <= Date.now())) return undefined;
      const payload: AdapterPayload = { ...row.payload };
      if (id !== undefined && !KEEPS_ID.has(this.model)) payload.jti = id;
      const consumedAt = row.consumedAt?.getTime();
      const withinGrace = this.model === 'RefreshToken' && consumedAt !== undefined && Date.now() - consumedAt < graceMs;
      if (consumedAt !== undefined && !withinGrace) payload.consumed = Math.floor(consumedAt / 1000);
      return payload;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
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
      db.insert(oauthStore)
        .values(row)
        .onConflictDoUpdate({ target: [oauthStore.model, oauthStore.id], set: { payload: row.payload, grantId: row.grantId, uid: row.uid, userCode: row.userCode, expiresAt: row.expiresAt } })
        .run();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return this.live(db.select().from(oauthStore).where(this.key(id)).get(), id);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.live(db.select().from(oauthStore).where(and(eq(oauthStore.model, this.model), eq(oauthStore.uid, uid))).get());
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.live(db.select().from(oauthStore).where(and(eq(oauthStore.model, this.model), eq(oauthStore.userCode, userCode))).get());
    }

    async consume(id: string): Promise<void> {
      // Only the first consumption counts: the grace window runs from it, not from a later retry.
      const { changes } = db.update(oauthStore).set({ consumedAt: new Date() }).where(and(this.key(id), isNull(oauthStore.consumedAt))).run();
      // A code is redeemed once, whatever the interleaving of concurrent requests (conditional update).
      if (changes === 0 && this.model === 'AuthorizationCode') throw new errors.InvalidGrant('authorization code already used');
    }

    async destroy(id: string): Promise<void> {
      db.delete(oauthStore).where(this.key(id)).run();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      db.delete(oauthStore).where(eq(oauthStore.grantId, grantId)).run();
    }
  };
}

/** Deletes expired artifacts; clients (no expiry) stay. Returns how many rows went. */
export function deleteExpiredOAuthRows(db: KanbanDb, now = new Date()): number {
  return db.delete(oauthStore).where(lt(oauthStore.expiresAt, now)).run().changes;
}
