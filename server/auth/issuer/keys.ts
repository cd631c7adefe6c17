import { randomBytes } from 'node:crypto';
import { desc, eq, isNull } from 'drizzle-orm';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db, KanbanDatabase } from '../../../db/database.ts';

// The issuer's secrets live in the database (the SQLite file under DATA_DIR, or PostgreSQL),
// never in git: ES256 signing keys (generated on first start, rotatable) and the keys that sign
// its cookies.

export const SIGNING_ALG = 'ES256';
/** A retired key keeps verifying for this long: longer than any access token it signed lives. */
export const RETIRED_KEY_KEEP_MS = 2 * 60 * 60 * 1000;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

type NewKey = { kid: string; alg: string; privateJwk: Record<string, unknown>; createdAt: Date };

/** A new private key, made before the write that stores it (a write may run more than once). */
async function newSigningKey(): Promise<NewKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg: SIGNING_ALG, privateJwk: { ...jwk, kid, alg: SIGNING_ALG, use: 'sig' }, createdAt: new Date() };
}

/** Every signing key, newest first. A handful of rows at most: the callers filter in code. */
export function allSigningKeys(database: KanbanDatabase, db: Db) {
  const { signingKeys } = database.tables;
  return db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid));
}

export type KeyRow = Awaited<ReturnType<typeof allSigningKeys>>[number];

/** When a key stops verifying (ms): never while it is unretired, else at the end of its keep period. */
export function verifiesUntil(row: KeyRow): number {
  return row.retiredAt === null ? Infinity : row.retiredAt.getTime() + RETIRED_KEY_KEEP_MS;
}

/**
 * Every key at start, newest first; creates the first key on first start. The newest unretired
 * key signs (live-signing-keys.ts). Older keys a rotation left unretired are retired now: their
 * keep period starts when a server stops signing with them, not when the rotation was made (the
 * running servers went on using them).
 */
export async function loadSigningKeys(database: KanbanDatabase, now = new Date()): Promise<KeyRow[]> {
  const { signingKeys } = database.tables;
  const candidate = await newSigningKey();
  return database.write(async (db) => {
    const [newest, ...older] = (await allSigningKeys(database, db)).filter((row) => row.retiredAt === null);
    if (!newest) await db.insert(signingKeys).values(candidate);
    for (const row of older) await db.update(signingKeys).set({ retiredAt: now }).where(eq(signingKeys.kid, row.kid));
    return allSigningKeys(database, db);
  });
}

/** Every key as the table holds it now, newest first: what a running server re-reads. */
export function readSigningKeys(database: KanbanDatabase): Promise<KeyRow[]> {
  return database.read((db) => allSigningKeys(database, db));
}

/**
 * Rotation: a new key, published by the running servers at their next read of the table, which
 * signs from the next start on. The keys it replaces sign until then and are retired by that
 * start (see loadSigningKeys); a server still signing with one then moves to the new key.
 */
export async function rotateSigningKey(database: KanbanDatabase): Promise<{ newKid: string; replaces: string[] }> {
  const { signingKeys } = database.tables;
  const key = await newSigningKey();
  const active = await database.write(async (db) => {
    const rows = await db.select({ kid: signingKeys.kid }).from(signingKeys).where(isNull(signingKeys.retiredAt));
    await db.insert(signingKeys).values(key);
    return rows;
  });
  return { newKid: key.kid, replaces: active.map((row) => row.kid) };
}

export type Revocation = { outcome: 'unknown' } | { outcome: 'already ended' } | { outcome: 'revoked'; replacement?: string };

/**
 * Ends a key at once: it is dated back to the end of its keep period (no column of its own is
 * needed: a key past its keep period neither signs nor verifies). If it was the last unretired
 * key, a new one is made in the same transaction, so there is always a key to sign with.
 */
export async function revokeSigningKey(database: KanbanDatabase, kid: string, now = new Date()): Promise<Revocation> {
  const { signingKeys } = database.tables;
  const candidate = await newSigningKey();
  return database.write(async (db) => {
    const rows = await allSigningKeys(database, db);
    const row = rows.find((key) => key.kid === kid);
    if (!row) return { outcome: 'unknown' };
    if (verifiesUntil(row) <= now.getTime()) return { outcome: 'already ended' };
    await db.update(signingKeys).set({ retiredAt: new Date(now.getTime() - RETIRED_KEY_KEEP_MS) }).where(eq(signingKeys.kid, kid));
    if (rows.some((key) => key.retiredAt === null && key.kid !== kid)) return { outcome: 'revoked' };
    await db.insert(signingKeys).values(candidate);
    return { outcome: 'revoked', replacement: candidate.kid };
  });
}

export function publicJwk(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return copy as JWK;
}

/** Cookie-signing keys, generated once (oidc-provider signs its login cookies with them); every replica reads the same. */
export async function loadCookieKeys(database: KanbanDatabase): Promise<string[]> {
  const { issuerSecrets } = database.tables;
  const value = [randomBytes(32).toString('base64url')];
  return database.write(async (db) => {
    await db.insert(issuerSecrets).values({ name: 'cookie_keys', value, createdAt: new Date() }).onConflictDoNothing();
    const [stored] = await db.select().from(issuerSecrets).where(eq(issuerSecrets.name, 'cookie_keys'));
    return stored!.value;
  });
}
