import { z } from 'zod';
import { isSecureOrLoopback } from '../config.ts';

// External IdP mode: read the issuer's discovery document once at start (with retries, since a
// process manager may start us before the network is up) and trust its jwks_uri.

export class IssuerDiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssuerDiscoveryError';
  }
}

const issuerMetadata = z.looseObject({
  issuer: z.string().url(),
  jwks_uri: z.string().url(),
});
export type IssuerMetadata = z.infer<typeof issuerMetadata>;

/** OIDC puts the well-known suffix after the issuer's path; RFC 8414 puts it before. */
function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  return [`${url.origin}${path}/.well-known/openid-configuration`, `${url.origin}/.well-known/oauth-authorization-server${path}`];
}

const sameIssuer = (a: string, b: string) => a.replace(/\/$/, '') === b.replace(/\/$/, '');

async function fetchMetadata(url: string, timeoutMs: number): Promise<IssuerMetadata> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  const parsed = issuerMetadata.safeParse(await response.json());
  if (!parsed.success) throw new Error(`${url} is not an authorization server discovery document (it needs issuer and jwks_uri)`);
  return parsed.data;
}

export interface DiscoveryOptions {
  attempts?: number;
  firstDelayMs?: number;
  timeoutMs?: number;
}

export async function discoverIssuer(issuer: string, options: DiscoveryOptions = {}): Promise<IssuerMetadata> {
  const { attempts = 5, firstDelayMs = 500, timeoutMs = 5000 } = options;
  let lastReason = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, firstDelayMs * 2 ** (attempt - 1)));
    for (const url of discoveryUrls(issuer)) {
      try {
        const metadata = await fetchMetadata(url, timeoutMs);
        // RFC 8414 §3.3: the document must name the issuer we asked about. A trailing slash is
        // forgiven (Auth0's issuer has one, people often leave it out), and theirs is used.
        if (!isSecureOrLoopback(metadata.jwks_uri)) {
          throw new IssuerDiscoveryError(`the jwks_uri of AUTH_ISSUER, ${metadata.jwks_uri}, is not https: its signing keys could be swapped on the way.`);
        }
        if (!sameIssuer(metadata.issuer, issuer)) {
          throw new IssuerDiscoveryError(`AUTH_ISSUER is ${issuer}, but its discovery document names the issuer ${metadata.issuer}: set AUTH_ISSUER to exactly that.`);
        }
        return metadata;
      } catch (error) {
        if (error instanceof IssuerDiscoveryError) throw error;
        const { cause } = error as { cause?: { code?: string; message?: string } };
        const detail = cause?.code ?? cause?.message;
        lastReason = `${error instanceof Error ? error.message : String(error)}${detail ? `: ${detail}` : ''}`;
      }
    }
  }
  throw new IssuerDiscoveryError(`could not read the discovery document of AUTH_ISSUER ${issuer} after ${attempts} attempts (${lastReason}). Check the URL and that this machine can reach it.`);
}
