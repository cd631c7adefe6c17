import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.ts';
import { oauthStore } from '../db/schema.ts';
import { deleteExpiredOAuthRows, drizzleAdapterFactory } from '../server/auth/issuer/adapter.ts';
import { makeDataDir, removeDataDir } from './support/kanban-server.ts';

// The oidc-provider adapter on Drizzle: hashed keys, expiry, consumption with a grace window for
// refresh tokens, grant-wide revocation, and the cleanup of expired rows.

function withAdapter(test: (Adapter: ReturnType<typeof drizzleAdapterFactory>, db: ReturnType<typeof openDatabase>) => Promise<void>) {
  return async () => {
    const dir = makeDataDir();
    const database = openDatabase(join(dir, 'kanban.sqlite'));
    try {
      await test(drizzleAdapterFactory(database.db, { refreshGraceSeconds: 10 }), database);
    } finally {
      database.close();
      removeDataDir(dir);
    }
  };
}

describe('the Drizzle adapter', () => {
  it('stores artifacts under a hash of their id, never the id itself, and gives the id back', withAdapter(async (Adapter, { db, sqlite }) => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('the-secret-code-value', { jti: 'the-secret-code-value', grantId: 'g1', accountId: 'acc_1' }, 60);
    expect(await codes.find('the-secret-code-value')).toMatchObject({ jti: 'the-secret-code-value', grantId: 'g1' });
    const raw = JSON.stringify(sqlite.prepare('select * from oauth_store').all());
    expect(raw).not.toContain('the-secret-code-value');
    expect(db.select().from(oauthStore).all()).toHaveLength(1);
  }));

  it('forgets expired artifacts at once, and keeps registered clients (no expiry)', withAdapter(async (Adapter, { sqlite, db }) => {
    const codes = new Adapter('AuthorizationCode');
    const clients = new Adapter('Client');
    await codes.upsert('short', { jti: 'short' }, 60);
    await clients.upsert('client-1', { client_id: 'client-1', redirect_uris: ['https://c.example/cb'] }, 0);
    sqlite.prepare("update oauth_store set expires_at = ? where model = 'AuthorizationCode'").run(Date.now() - 1000);
    expect(await codes.find('short')).toBeUndefined();
    expect(deleteExpiredOAuthRows(db)).toBe(1);
    expect(await clients.find('client-1')).toMatchObject({ client_id: 'client-1' });
    expect(sqlite.prepare("select expires_at from oauth_store where model = 'Client'").get()).toEqual({ expires_at: null });
  }));

  it('reports a consumed code as consumed, and a just-rotated refresh token as not yet, until the grace window ends', withAdapter(async (Adapter, { sqlite }) => {
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
    sqlite.prepare("update oauth_store set consumed_at = ? where model = 'RefreshToken'").run(Date.now() - 11_000);
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
