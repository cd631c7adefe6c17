import { request } from 'node:http';
import { eq } from 'drizzle-orm';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { rotateSigningKey } from '../server/auth/issuer/keys.ts';
import { postMcp, removeDataDir, startKanban, useKanban, type RunningKanban } from './support/kanban-server.ts';
import { exchangeCode, getCode, makeAccount, registerClient, signedInClient } from './support/oauth-steps.ts';
import { openTestDatabase } from './support/test-database.ts';

// What the embedded issuer publishes (discovery, keys) and how its keys rotate.

const shared = useKanban();

function getWithHeaders(url: string, headers: Record<string, string>): Promise<Record<string, any>> {
  const { port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

const whoami = (token: string) => postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }, { authorization: `Bearer ${token}` });

describe('discovery (RFC 8414 and OpenID Connect)', () => {
  it('both documents name the issuer exactly and advertise what MCP clients and ChatGPT need (RS-30, RS-31)', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const response = await fetch(`${shared.kanban.url}${path}`);
      expect(response.status, path).toBe(200);
      const metadata = (await response.json()) as Record<string, any>;
      expect(metadata).toMatchObject({
        issuer: shared.kanban.url,
        authorization_endpoint: `${shared.kanban.url}/oauth/authorize`,
        token_endpoint: `${shared.kanban.url}/oauth/token`,
        registration_endpoint: `${shared.kanban.url}/oauth/register`,
        jwks_uri: `${shared.kanban.url}/oauth/jwks`,
        revocation_endpoint: `${shared.kanban.url}/oauth/revoke`,
        introspection_endpoint: `${shared.kanban.url}/oauth/introspect`,
        code_challenge_methods_supported: ['S256'],
        response_types_supported: ['code'],
        authorization_response_iss_parameter_supported: true,
        client_id_metadata_document_supported: true,
      });
      expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['kanban.read', 'kanban.write']));
      expect(metadata.id_token_signing_alg_values_supported).not.toContain('none');
      expect(metadata.subject_types_supported).toEqual(['public']);
    }
  });

  it('the protected-resource metadata lists the issuer exactly as discovery spells it', async () => {
    const prm = (await (await fetch(`${shared.kanban.url}/.well-known/oauth-protected-resource/mcp`)).json()) as { authorization_servers: string[]; resource: string };
    const discovery = (await (await fetch(`${shared.kanban.url}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
    expect(prm.authorization_servers).toEqual([discovery.issuer]);
    expect(prm.resource).toBe(shared.kanban.mcpUrl);
  });

  it('is built from PUBLIC_URL, not from Host or X-Forwarded-* headers (RS-32)', async () => {
    const spoofed = await getWithHeaders(`${shared.kanban.url}/.well-known/openid-configuration`, { host: 'localhost:1', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(spoofed.issuer).toBe(shared.kanban.url);
    expect(spoofed.token_endpoint).toBe(`${shared.kanban.url}/oauth/token`);
    const prm = await getWithHeaders(`${shared.kanban.url}/.well-known/oauth-protected-resource`, { host: 'localhost:1', 'x-forwarded-host': 'evil.example' });
    expect(prm.resource).toBe(shared.kanban.mcpUrl);
  });
});

describe('signing keys', () => {
  it('the JWKS holds public members only, each key with kid, alg and use (RS-33)', async () => {
    const { keys } = (await (await fetch(`${shared.kanban.url}/oauth/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key, member).not.toHaveProperty(member);
      expect(key).toMatchObject({ kid: expect.any(String), alg: 'ES256', use: 'sig', kty: 'EC' });
    }
  });

  it('an ID token is not an access token: refused by the resource server (RS-18)', async () => {
    const client = await registerClient(shared.kanban);
    const account = await makeAccount(shared.kanban);
    const { code, verifier } = await getCode(shared.kanban, client, account, { scope: 'openid kanban.read', nonce: 'n-1' });
    const tokens = await exchangeCode(shared.kanban, client, code, verifier);
    expect(tokens.body.id_token).toEqual(expect.any(String));
    const response = await whoami(tokens.body.id_token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await whoami(tokens.body.access_token)).status).toBe(200);
  });

  it('rotate: the new key signs, the old one verifies until its keep period ends, then its tokens are refused (RS-34)', async () => {
    const first = await startKanban();
    const { dataDir } = first;
    const port = Number(new URL(first.url).port);
    const call = (server: RunningKanban, token: string) =>
      postMcp(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }, { authorization: `Bearer ${token}` });
    try {
      const before = await signedInClient(first);
      const oldKid = decodeProtectedHeader(before.tokens.access_token).kid;
      await first.stop();

      const offline = await openTestDatabase(dataDir);
      const { newKid, replaces } = await rotateSigningKey(offline);
      await offline.close();
      expect(replaces).toEqual([oldKid]);

      const rotated = await startKanban({ dataDir, port });
      const kids = ((await (await fetch(`${rotated.url}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
      expect(kids).toEqual([newKid, oldKid]);
      const after = await signedInClient(rotated);
      expect(decodeProtectedHeader(after.tokens.access_token).kid).toBe(newKid);
      expect((await call(rotated, after.tokens.access_token)).status).toBe(200);
      expect((await call(rotated, before.tokens.access_token)).status).toBe(200);
      await rotated.stop();

      // Hours later the retired key is dropped; a token it signed is refused.
      const aged = await openTestDatabase(dataDir);
      const { signingKeys } = aged.tables;
      await aged.write((db) => db.update(signingKeys).set({ retiredAt: new Date(Date.now() - 3 * 60 * 60 * 1000) }).where(eq(signingKeys.kid, oldKid!)));
      await aged.close();
      const later = await startKanban({ dataDir, port });
      try {
        const laterKids = ((await (await fetch(`${later.url}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
        expect(laterKids).toEqual([newKid]);
        const refused = await call(later, before.tokens.access_token);
        expect(refused.status).toBe(401);
        expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
        expect((await call(later, after.tokens.access_token)).status).toBe(200);
      } finally {
        await later.stop();
      }
    } finally {
      removeDataDir(dataDir);
    }
  });
});
