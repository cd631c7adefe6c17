import { createHash, timingSafeEqual } from 'node:crypto';
import type Provider from 'oidc-provider';

// Client secrets (confidential clients registered by DCR, as some hosted MCP clients are) are
// stored as SHA-256 hashes: the registration response shows the secret once; the database never
// holds it. Only methods that compare the secret are enabled (no client_secret_jwt, no HS*).

const PREFIX = 'sha256$';

export function hashClientSecret(secret: string): string {
  return secret.startsWith(PREFIX) ? secret : `${PREFIX}${createHash('sha256').update(secret).digest('base64url')}`;
}

/**
 * oidc-provider compares secrets in one place, Client#compareClientSecret (shared/client_auth.js).
 * Replacing it is the only way to compare against a hash; it stays a constant-time compare.
 */
export function compareHashedClientSecrets(provider: Provider): void {
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientSecret?: string }, presented: string) {
    const stored = this.clientSecret;
    if (typeof stored !== 'string' || typeof presented !== 'string') return false;
    const expected = Buffer.from(hashClientSecret(stored));
    const actual = Buffer.from(hashClientSecret(presented.startsWith(PREFIX) ? `${presented}-not-a-hash` : presented));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  };
}
