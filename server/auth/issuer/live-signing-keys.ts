import { createLocalJWKSet, errors, type JWK, type JWTVerifyGetKey } from 'jose';
import type { KanbanDatabase } from '../../../db/database.ts';
import type { Logger } from '../../logger.ts';
import { loadSigningKeys, publicJwk, readSigningKeys, verifiesUntil, type KeyRow } from './keys.ts';

// A running server's view of the signing key table, which other processes change while it runs
// (keys:rotate, keys:revoke, another replica's start). It re-reads the table every few seconds,
// and at once when a token names a key it does not know; verifying a token never waits on the
// database otherwise (/mcp checks a token on every request). A key whose keep period ends between
// two reads stops verifying at that moment.

/** How often the table is re-read: a revoked key is refused, a new one published, within this. */
export const KEY_CHECK_SECONDS = 5;
/** At most one extra read per this long, however many tokens name a key this server does not know. */
const UNKNOWN_KEY_COOLDOWN_MS = 1000;

export interface LiveSigningKeys {
  /** For oidc-provider: the key it signs with first, then every other key still verifying (published). */
  readonly jwks: JWK[];
  /** For the resource server (jose): the public key a token names, while that key still verifies. */
  readonly verificationKey: JWTVerifyGetKey;
  /** Called when the keys above change (rotation, retirement, revocation, an ended keep period). */
  onChange(listener: () => void): void;
  close(): void;
}

/**
 * The key this server signs with: the one it signed with, while it is unretired (a rotation's new
 * key signs from the next start), else the newest unretired one (after a revocation, or when a
 * restarted replica retired it).
 */
function signerOf(live: KeyRow[], current: string | undefined): KeyRow | undefined {
  const unretired = live.filter((row) => row.retiredAt === null);
  return unretired.find((row) => row.kid === current) ?? unretired[0];
}

export async function watchSigningKeys(database: KanbanDatabase, logger: Logger): Promise<LiveSigningKeys> {
  let rows = await loadSigningKeys(database);
  let signer: string | undefined;
  let jwks: JWK[] = [];
  let verify: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });
  let nextExpiry = Infinity;
  const listeners: (() => void)[] = [];

  /** Recomputes everything from `rows` as of now; tells the listeners if the keys changed. */
  const apply = () => {
    const now = Date.now();
    const live = rows.filter((row) => verifiesUntil(row) > now);
    verify = createLocalJWKSet({ keys: live.map((row) => publicJwk(row.privateJwk as JWK)) });
    nextExpiry = Math.min(...live.map(verifiesUntil));
    const signing = signerOf(live, signer);
    // Only a hand-edited table has no unretired key (keys:revoke always leaves one).
    if (!signing) return void logger.error('the signing key table has no unretired key: run pnpm keys:rotate');
    const next = [signing, ...live.filter((row) => row !== signing)].map((row) => row.privateJwk as JWK);
    const changed = next.map((key) => key.kid).join() !== jwks.map((key) => key.kid).join();
    const first = signer === undefined;
    signer = signing.kid;
    jwks = next;
    if (!changed || first) return;
    logger.info({ signing: signer, published: jwks.map((key) => key.kid) }, 'signing keys changed');
    for (const listener of listeners) listener();
  };
  apply();

  let reading: Promise<void> | undefined;
  let readAt = Date.now();
  const reread = () =>
    (reading ??= readSigningKeys(database)
      .then((fresh) => {
        rows = fresh;
        apply();
      })
      .finally(() => {
        readAt = Date.now();
        reading = undefined;
      }));
  const timer = setInterval(() => {
    reread().catch((error: unknown) => logger.warn({ err: error }, 'could not re-read the signing keys'));
  }, KEY_CHECK_SECONDS * 1000).unref();

  return {
    get jwks() {
      return jwks;
    },
    async verificationKey(header, token) {
      if (Date.now() >= nextExpiry) apply();
      try {
        return await verify(header, token);
      } catch (error) {
        // A key another replica began to sign with since the last read.
        if (!(error instanceof errors.JWKSNoMatchingKey) || (!reading && Date.now() - readAt < UNKNOWN_KEY_COOLDOWN_MS)) throw error;
        await reread();
        return verify(header, token);
      }
    },
    onChange: (listener) => void listeners.push(listener),
    close: () => clearInterval(timer),
  };
}
