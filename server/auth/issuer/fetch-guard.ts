import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

// oidc-provider fetches client metadata documents (CIMD client ids are https URLs chosen by the
// client). Without a guard that is a server-side request forgery hole: these checks keep it to
// public https hosts, with a time limit. (oidc-provider itself caps the body size.)

const PRIVATE = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class FetchRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FetchRefusedError';
  }
}

/** Refuses anything but https to a host whose every address is public. */
export async function assertPublicHttpsUrl(input: string | URL, resolve = lookup): Promise<void> {
  const url = new URL(input);
  if (url.protocol !== 'https:') throw new FetchRefusedError(`only https URLs may be fetched (${url.protocol})`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await resolve(host, { all: true })).map((entry) => entry.address);
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) throw new FetchRefusedError(`${url.hostname} is not a public address`);
}

const FETCH_TIMEOUT_MS = 5000;

export const guardedFetch: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : input;
  await assertPublicHttpsUrl(url);
  return fetch(input, { ...init, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
};
