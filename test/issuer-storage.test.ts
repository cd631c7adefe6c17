import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { KanbanDatabase } from '../db/database.ts';
import { deleteExpiredOAuthRows, drizzleAdapterFactory } from '../server/auth/issuer/adapter.ts';
import { makeDataDir, removeDataDir } from './support/kanban-server.ts';
import { openTestDatabase } from './support/test-database.ts';

// The oidc-provider adapter on Drizzle: hashed keys, expiry, consumption with a grace window for
// refresh tokens, grant-wide revocation, and the cleanup of expired rows.

function withAdapter(test: (Adapter: ReturnType<typeof drizzleAdapterFactory>, database: KanbanDatabase) => Promise<void>) {
  return async () => {
    const dir = makeDataDir();
    const database = await openTestDatabase(dir);
    try {
      await test(drizzleAdapterFactory(database, { refreshGraceSeconds: 10 }), database);
    } finally {
      await database.close();
      removeDataDir(dir);
    }
  };
}

/** Moves a time of every row of one model into the past. */
function backdateModel(database: KanbanDatabase, model: string, column: 'expiresAt' | 'consumedAt', msAgo: number) {
  const { oauthStore } = database.tables;
  return database.write((db) => db.update(oauthStore).set({ [column]: new Date(Date.now() - msAgo) }).where(eq(oauthStore.model, model)));
}

describe('the Drizzle adapter', () => {
  it('stores artifacts under a hash of their id, never the id itself, and gives the id back', withAdapter(async (Adapter, database) => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('the-secret-code-value', { jti: 'the-secret-code-value', grantId: 'g1', accountId: 'acc_1' }, 60);
    expect(await codes.find('the-secret-code-value')).toMatchObject({ jti: 'the-secret-code-value', grantId: 'g1' });
    const rows = await database.query('select * from oauth_store');
    expect(JSON.stringify(rows)).not.toContain('the-secret-code-value');
    expect(rows).toHaveLength(1);
  }));

  it('forgets expired artifacts at once, and keeps registered clients (no expiry)', withAdapter(async (Adapter, database) => {
    const codes = new Adapter('AuthorizationCode');
    const clients = new Adapter('Client');
    await codes.upsert('short', { jti: 'short' }, 60);
    await clients.upsert('client-1', { client_id: 'client-1', redirect_uris: ['https://c.example/cb'] }, 0);
    await backdateModel(database, 'AuthorizationCode', 'expiresAt', 1000);
    expect(await codes.find('short')).toBeUndefined();
    expect(await deleteExpiredOAuthRows(database)).toBe(1);
    expect(await clients.find('client-1')).toMatchObject({ client_id: 'client-1' });
    expect(await database.query("select expires_at from oauth_store where model = 'Client'")).toEqual([{ expires_at: null }]);
  }));

  it('reports a consumed code as consumed, and a just-rotated refresh token as not yet, until the grace window ends', withAdapter(async (Adapter, database) => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('code-1', { jti: 'code-1' }, 60);
    await codes.consume('code-1');
    expect((await codes.find('code-1'))?.consumed).toEqual(expect.any(Number));
    // The conditional update changes no row the second time: a code cannot be redeemed twice.
    await expect(codes.consume('code-1')).rejects.toMatchObject({ error: 'invalid_grant' });

    const refresh = new Adapter('RefreshToken');
    await refresh.upsert('rt-1', { jti: 'rt-1', grantId: 'g1' }, 3600);
    await refresh.consume('rt-1');
    expect((await refresh.find('rt-1'))?.consumed).toBeUndefined();
    await backdateModel(database, 'RefreshToken', 'consumedAt', 11_000);
    expect((await refresh.find('rt-1'))?.consumed).toEqual(expect.any(Number));
    // A second consume does not restart the window.
    await refresh.consume('rt-1');
    expect((await refresh.find('rt-1'))?.consumed).toEqual(expect.any(Number));
  }));

  it('revokes everything of a grant, and nothing of another', withAdapter(async (Adapter) => {
    const refresh = new Adapter('RefreshToken');
    const codes = new Adapter('AuthorizationCode');
    await refresh.upsert('rt-a', { jti: 'rt-a', grantId: 'grant-a' }, 3600);
    await codes.upsert('code-a', { jti: 'code-a', grantId: 'grant-a' }, 60);
    await refresh.upsert('rt-b', { jti: 'rt-b', grantId: 'grant-b' }, 3600);
    await refresh.revokeByGrantId('grant-a');
    expect(await refresh.find('rt-a')).toBeUndefined();
    expect(await codes.find('code-a')).toBeUndefined();
    expect(await refresh.find('rt-b')).toMatchObject({ grantId: 'grant-b' });
  }));

  it('finds sessions by uid, with their id', withAdapter(async (Adapter) => {
    const sessions = new Adapter('Session');
    await sessions.upsert('session-id', { jti: 'session-id', uid: 'uid-1', accountId: 'acc_1' }, 3600);
    expect(await sessions.findByUid('uid-1')).toMatchObject({ jti: 'session-id', accountId: 'acc_1' });
    await sessions.destroy('session-id');
    expect(await sessions.findByUid('uid-1')).toBeUndefined();
  }));
});
