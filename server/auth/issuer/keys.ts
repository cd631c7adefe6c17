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

type KeyRow = Awaited<ReturnType<typeof allSigningKeys>>[number];

function stillVerifying(rows: KeyRow[], now: Date): JWK[] {
  const cutoff = new Date(now.getTime() - RETIRED_KEY_KEEP_MS);
  return rows.filter((row) => row.retiredAt === null || row.retiredAt > cutoff).map((row) => row.privateJwk as JWK);
}

/**
 * The keys to load, newest first (oidc-provider signs with the first): the newest unretired key
 * and the retired ones still within their keep period. Creates the first key on first start.
 * Older keys a rotation left unretired are retired now: their keep period starts when a server
 * stops signing with them, not when the rotation was made (the running server went on using them).
 */
export async function loadSigningKeys(database: KanbanDatabase, now = new Date()): Promise<JWK[]> {
  const { signingKeys } = database.tables;
  const candidate = await newSigningKey();
  return database.write(async (db) => {
    const [newest, ...older] = (await allSigningKeys(database, db)).filter((row) => row.retiredAt === null);
    if (!newest) await db.insert(signingKeys).values(candidate);
    for (const row of older) await db.update(signingKeys).set({ retiredAt: now }).where(eq(signingKeys.kid, row.kid));
    return stillVerifying(await allSigningKeys(database, db), now);
  });
}

/**
 * The keys that verify tokens now, for a replica that met a key it did not load: one another
 * replica started signing with after a rotation.
 */
export async function verifyingKeys(database: KanbanDatabase, now = new Date()): Promise<JWK[]> {
  return stillVerifying(await database.read((db) => allSigningKeys(database, db)), now);
}

/**
 * Rotation: a new key, which signs from the next start on. The keys it replaces sign until then
 * and are retired by that start (see loadSigningKeys).
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
