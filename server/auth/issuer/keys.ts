import { randomBytes } from 'node:crypto';
import { desc, eq, isNull } from 'drizzle-orm';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { KanbanDb } from '../../../db/client.ts';
import { issuerSecrets, signingKeys } from '../../../db/schema.ts';

// The issuer's secrets live in the database under DATA_DIR, never in git: ES256 signing keys
// (generated on first start, rotatable) and the keys that sign its cookies.

export const SIGNING_ALG = 'ES256';
/** A retired key keeps verifying for this long: longer than any access token it signed lives. */
export const RETIRED_KEY_KEEP_MS = 2 * 60 * 60 * 1000;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

async function newSigningKey(db: KanbanDb): Promise<string> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  db.insert(signingKeys).values({ kid, alg: SIGNING_ALG, privateJwk: { ...jwk, kid, alg: SIGNING_ALG, use: 'sig' }, createdAt: new Date() }).run();
  return kid;
}

/**
 * The keys to load, newest first (oidc-provider signs with the first): the newest unretired key
 * and the retired ones still within their keep period. Creates the first key on first start.
 * Older keys a rotation left unretired are retired now: their keep period starts when a server
 * stops signing with them, not when the rotation was made (the running server went on using them).
 */
export async function loadSigningKeys(db: KanbanDb, now = new Date()): Promise<JWK[]> {
  const cutoff = new Date(now.getTime() - RETIRED_KEY_KEEP_MS);
  // A handful of rows at most: filter in code.
  const rows = () => db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid)).all();
  const [newest, ...older] = rows().filter((row) => row.retiredAt === null);
  if (!newest) await newSigningKey(db);
  for (const row of older) db.update(signingKeys).set({ retiredAt: now }).where(eq(signingKeys.kid, row.kid)).run();
  return rows()
    .filter((row) => row.retiredAt === null || row.retiredAt > cutoff)
    .map((row) => row.privateJwk as JWK);
}

/**
 * Rotation: a new key, which signs from the next start on. The keys it replaces sign until then
 * and are retired by that start (see loadSigningKeys).
 */
export async function rotateSigningKey(db: KanbanDb): Promise<{ newKid: string; replaces: string[] }> {
  const active = db.select({ kid: signingKeys.kid }).from(signingKeys).where(isNull(signingKeys.retiredAt)).all();
  const newKid = await newSigningKey(db);
  return { newKid, replaces: active.map((row) => row.kid) };
}

export function publicJwk(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return copy as JWK;
}

/** Cookie-signing keys, generated once (oidc-provider signs its login cookies with them). */
export function loadCookieKeys(db: KanbanDb): string[] {
  const existing = db.select().from(issuerSecrets).where(eq(issuerSecrets.name, 'cookie_keys')).get();
  if (existing) return existing.value;
  const value = [randomBytes(32).toString('base64url')];
  db.insert(issuerSecrets).values({ name: 'cookie_keys', value, createdAt: new Date() }).onConflictDoNothing().run();
  return db.select().from(issuerSecrets).where(eq(issuerSecrets.name, 'cookie_keys')).get()!.value;
}
