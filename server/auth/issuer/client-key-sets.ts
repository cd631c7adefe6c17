// A client that signs its token requests (private_key_jwt) publishes its public keys at its
// jwks_uri. oidc-provider keeps them on the Client object, fresh for max(60 s, Cache-Control
// max-age, Expires) (ClientKeyStore#refresh in lib/models/client.js). A registered client's object
// lives on; a CIMD client's (ChatGPT's) is built anew for every request from its cached metadata
// document, so its key set started empty every time and each token request fetched the jwks_uri
// again, whatever the headers said. This keeps CIMD clients' key sets under the same rule, through
// the hooks oidc-provider documents: `fetch`, and the CIMD feature's `allowClient`.

/** oidc-provider's own floor for a client's key set: no-store still means at most once a minute. */
const FRESH_AT_LEAST_SECONDS = 60;
/** As long as a CIMD document is kept at most (its cacheDuration.max): a day. */
const FRESH_AT_MOST_SECONDS = 24 * 60 * 60;
/** As many as oidc-provider keeps CIMD documents. */
const KEPT_AT_MOST = 100;
/** A key set is a few keys; this is room for dozens (oidc-provider sets no limit of its own). */
export const KEY_SET_BODY_LIMIT = 64 * 1024;

interface KeptKeySet {
  body: Uint8Array<ArrayBuffer>;
  headers: Headers;
  freshUntil: number;
}

/** Inserts or refreshes `key` as the most recent; the least recently used goes past the limit. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > KEPT_AT_MOST) map.delete(map.keys().next().value!);
}

function freshForSeconds(headers: Headers): number {
  const maxAge = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(headers.get('cache-control') ?? '')?.[1];
  const expires = Date.parse(headers.get('expires') ?? '');
  const seconds = Math.max(FRESH_AT_LEAST_SECONDS, Number(maxAge ?? 0), Number.isNaN(expires) ? 0 : Math.floor((expires - Date.now()) / 1000));
  return Math.min(FRESH_AT_MOST_SECONDS, seconds);
}

/** The body, refused past the limit without reading the rest. */
async function readLimited(response: Response): Promise<Uint8Array<ArrayBuffer>> {
  if (Number(response.headers.get('content-length') ?? 0) > KEY_SET_BODY_LIMIT) {
    await response.body?.cancel();
    throw new Error('jwks_uri response too large');
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of response.body ?? []) {
    received += chunk.length;
    if (received > KEY_SET_BODY_LIMIT) {
      await response.body?.cancel();
      throw new Error('jwks_uri response too large');
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export function clientKeySets(upstream: typeof fetch) {
  /** jwks_uri of the CIMD clients seen lately: only these responses are kept. */
  const keySetUrls = new Map<string, true>();
  const kept = new Map<string, KeptKeySet>();
  const replay = (keySet: KeptKeySet) => new Response(keySet.body, { status: 200, headers: keySet.headers });

  const fetchKeeping: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if ((init?.method ?? 'GET') !== 'GET' || !keySetUrls.has(url)) return upstream(input, init);
    const keptKeySet = kept.get(url);
    if (keptKeySet && keptKeySet.freshUntil > Date.now()) return replay(keptKeySet);
    const response = await upstream(input, init);
    if (response.status !== 200) return response; // oidc-provider refuses it; nothing to keep
    const headers = new Headers();
    for (const name of ['content-type', 'cache-control', 'expires']) {
      const value = response.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    const keySet = { body: await readLimited(response), headers, freshUntil: Date.now() + freshForSeconds(response.headers) * 1000 };
    remember(kept, url, keySet);
    return replay(keySet);
  };

  return {
    fetch: fetchKeeping,
    /** For features.clientIdMetadataDocument.allowClient: notes the client's jwks_uri, allows it. */
    async allowClient(_ctx: unknown, client: { jwksUri?: string }): Promise<boolean> {
      if (client.jwksUri && URL.canParse(client.jwksUri)) remember(keySetUrls, new URL(client.jwksUri).href, true);
      return true;
    },
  };
}
