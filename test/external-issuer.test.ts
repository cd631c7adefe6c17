import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverIssuer } from '../server/auth/external-issuer.ts';
import { freePort } from './support/child-server.ts';
import { signedInClient } from './support/oauth-steps.ts';
import { connectClient, postMcp, removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';
import { startStandInIdp, type StandInIdp } from './support/stand-in-idp.ts';

// External IdP mode: AUTH_ISSUER points at an Auth0-like issuer (its own audience, `permissions`
// claim). Our server mounts no issuer of its own and trusts that one's tokens, and only those.

const API_AUDIENCE = 'https://api.kanban.example';

let idp: StandInIdp;
let otherIdp: StandInIdp;
let kanban: RunningKanban;
let metadataUrl: string;

beforeAll(async () => {
  idp = await startStandInIdp({ audience: API_AUDIENCE });
  otherIdp = await startStandInIdp({ audience: API_AUDIENCE });
  kanban = await startKanban({ env: { AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: API_AUDIENCE } });
  metadataUrl = `${kanban.url}/.well-known/oauth-protected-resource/mcp`;
});
afterAll(async () => {
  await kanban.stop();
  removeDataDir(kanban.dataDir);
  await idp.stop();
  await otherIdp.stop();
});

const whoamiCall = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } };

async function whoami(authorization: string | undefined, url = kanban.mcpUrl) {
  const response = await postMcp(url, whoamiCall, authorization === undefined ? {} : { authorization });
  const text = await response.text();
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

describe('protected-resource metadata (RFC 9728)', () => {
  it('is served at the root and at /mcp, naming our resource and the external issuer exactly', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const response = await fetch(`${kanban.url}${path}`, { headers: { origin: 'https://chatgpt.com' } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toEqual({
        resource: kanban.mcpUrl,
        authorization_servers: [idp.issuer],
        scopes_supported: ['kanban.read', 'kanban.write'],
        bearer_methods_supported: ['header'],
        resource_name: 'Kanban',
      });
    }
  });

  it('answers only GET (POST → 405)', async () => {
    const response = await fetch(metadataUrl, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });

  it('mounts no issuer of its own', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oauth/jwks']) {
      expect((await fetch(`${kanban.url}${path}`)).status, path).toBe(404);
    }
  });
});

describe('tokens from the external issuer', () => {
  it('are accepted, with scopes from `permissions` and the client from `azp`', async () => {
    const token = await idp.token({ permissions: ['kanban.read', 'kanban.write'], name: 'Ada Lovelace' });
    const { status, body } = await whoami(`Bearer ${token}`);
    expect(status).toBe(200);
    expect(body!.result.structuredContent).toEqual({
      view: 'account',
      viewer: { signedIn: true, name: 'Ada Lovelace' },
      subject: 'auth0|user-123',
      scopes: ['kanban.read', 'kanban.write'],
      clientId: 'chatgpt-client',
    });
  });

  it('also read scopes from `scope` (space-separated) and `scp` (Okta, Entra)', async () => {
    const fromScope = await whoami(`Bearer ${await idp.token({ permissions: undefined, scope: 'openid kanban.read' })}`);
    expect(fromScope.body!.result.structuredContent.scopes).toEqual(['openid', 'kanban.read']);
    const fromScp = await whoami(`Bearer ${await idp.token({ permissions: undefined, scp: ['kanban.write'] })}`);
    expect(fromScp.body!.result.structuredContent.scopes).toEqual(['kanban.write']);
  });

  it("scopes named like an object's own members grant nothing and break nothing: a write is refused 403, a read served", async () => {
    const token = await idp.token({ permissions: undefined, scope: 'constructor __proto__ toString hasOwnProperty' });
    const call = (name: string, args: Record<string, unknown>) => postMcp(kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }, { authorization: `Bearer ${token}` });
    const write = await call('create_card', { title: 'not allowed' });
    expect(write.status).toBe(403);
    expect(write.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const read = await call('list_boards', {});
    expect(read.status).toBe(200);
    expect(((await read.json()) as { result: { isError?: boolean } }).result.isError).toBeFalsy();
  });

  it("without kanban.read (or kanban.write), show their subject's private board to no one, not even its owner", async () => {
    const call = async (token: string, name: string, args: Record<string, unknown>) => {
      const response = await postMcp(kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }, { authorization: `Bearer ${token}` });
      return ((await response.json()) as { result: { isError?: boolean; content: { text: string }[]; structuredContent?: Record<string, any> } }).result;
    };
    const owner = await idp.token({ permissions: ['kanban.read', 'kanban.write'] });
    const created = await call(owner, 'create_board', { title: 'Scoped secret', visibility: 'private' });
    const boardId = created.structuredContent!.board.id as string;
    expect((await call(owner, 'get_board', { boardId })).structuredContent!.board.title).toBe('Scoped secret');

    const unscoped = await idp.token({ permissions: undefined, scope: 'openid' }); // the same subject
    const refused = await call(unscoped, 'get_board', { boardId });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toContain('No board');
    const listed = await call(unscoped, 'list_boards', {});
    expect((listed.structuredContent!.boards as { id: string }[]).map((board) => board.id)).not.toContain(boardId);
  });

  it('accept any capitalisation of the Bearer scheme', async () => {
    const token = await idp.token();
    for (const scheme of ['bearer', 'BEARER']) expect((await whoami(`${scheme} ${token}`)).status, scheme).toBe(200);
  });

  it('work with the SDK client sending the token in the Authorization header', async () => {
    const token = await idp.token();
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const client = new Client({ name: 'token-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(kanban.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { subject: string }).subject).toBe('auth0|user-123');
    await client.close();
  });
});

describe('refused tokens: HTTP 401 invalid_token with resource_metadata, never a 500', () => {
  const flip = (token: string) => {
    const [header, payload, signature] = token.split('.');
    const bytes = Buffer.from(signature!, 'base64url');
    bytes[0]! ^= 0xff;
    return `${header}.${payload}.${bytes.toString('base64url')}`;
  };
  const withHeader = (token: string, header: Record<string, unknown>) => {
    const [, payload, signature] = token.split('.');
    return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}.${signature}`;
  };
  const cases: [string, () => Promise<string>][] = [
    ['a token from another issuer', () => otherIdp.token()],
    ['a token for another audience', () => idp.token({}, { audience: 'https://other.example/mcp' })],
    ['an expired token', () => idp.token({}, { expiresIn: Math.floor(Date.now() / 1000) - 120 })],
    ['a token whose nbf is an hour ahead', () => idp.token({ nbf: Math.floor(Date.now() / 1000) + 3600 })],
    ['a token without exp', () => idp.token({}, { expiresIn: null })],
    ['a token without aud', () => idp.token({}, { audience: null })],
    ['a token with a string exp', () => idp.token({ exp: '9999999999' as unknown as number }, { expiresIn: null })],
    ['an alg: none token', async () => idp.unsignedToken()],
    ['an HS256 token signed with the public key', () => idp.hmacWithPublicKey()],
    ['a token with an unknown kid', () => idp.tokenFromUnknownKey()],
    ['a token whose signature was bit-flipped', async () => flip(await idp.token())],
    ['a token naming its own key in jwk/jku headers', async () => withHeader(await idp.tokenFromUnknownKey(), { alg: 'RS256', jku: 'https://attacker.example/jwks', jwk: { kty: 'RSA' } })],
    ['a token with an unknown crit extension', async () => withHeader(await idp.token(), { alg: 'RS256', kid: 'stand-in-key-1', crit: ['exp-policy'], 'exp-policy': 1 })],
    ['two segments only', async () => (await idp.token()).split('.').slice(0, 2).join('.')],
    ['garbage', async () => 'not.a.jwt'],
    ['a payload that is not an object', async () => `${Buffer.from('{"alg":"RS256","kid":"stand-in-key-1"}').toString('base64url')}.${Buffer.from('[1,2]').toString('base64url')}.c2ln`],
  ];
  it.each(cases)('%s', async (_name, makeToken) => {
    const { status, challenge, body } = await whoami(`Bearer ${await makeToken()}`);
    expect(status).toBe(401);
    expect(challenge).toMatch(new RegExp(`^Bearer resource_metadata="${metadataUrl.replace(/[.]/g, '\\.')}", error="invalid_token", error_description="[^"]+"$`));
    expect(body!.error.code).toBe(-32001);
  });

  it('a token from an embedded kanban-mcp issuer (another instance) is refused', async () => {
    const embedded = await startKanban();
    try {
      const { tokens } = await signedInClient(embedded);
      const { status, challenge } = await whoami(`Bearer ${tokens.access_token}`);
      expect(status).toBe(401);
      expect(challenge).toContain('error="invalid_token"');
    } finally {
      await embedded.stop();
      removeDataDir(embedded.dataDir);
    }
  });

  it('a token lacking scope but expired is 401, not 403 (expiry is checked first)', async () => {
    const token = await idp.token({ permissions: [] }, { expiresIn: Math.floor(Date.now() / 1000) - 120 });
    expect((await whoami(`Bearer ${token}`)).status).toBe(401);
  });

  it('a `scope` given as an array grants nothing', async () => {
    const token = await idp.token({ permissions: undefined, scope: ['kanban.read'] as unknown as string });
    const { body } = await whoami(`Bearer ${token}`);
    expect(body!.result.structuredContent.scopes).toEqual([]);
  });
});

describe('malformed or misplaced credentials', () => {
  it('another scheme (Basic) gets a challenge with no error code', async () => {
    const { status, challenge } = await whoami('Basic YWRhOnNlY3JldA==');
    expect(status).toBe(401);
    expect(challenge).toBe(`Bearer resource_metadata="${metadataUrl}"`);
  });

  it.each(['Bearer', 'Bearer a b', 'Bearer  x'])('"%s" is 401 invalid_token', async (header) => {
    const { status, challenge } = await whoami(header);
    expect(status).toBe(401);
    expect(challenge).toContain('error="invalid_token"');
  });

  it('a token in the query string is refused, alone or next to a header', async () => {
    const token = await idp.token();
    const alone = await whoami(undefined, `${kanban.mcpUrl}?access_token=${token}`);
    expect(alone.status).toBe(400);
    expect(alone.challenge).toContain('error="invalid_request"');
    const twice = await whoami(`Bearer ${token}`, `${kanban.mcpUrl}?access_token=${token}`);
    expect(twice.status).toBe(400);
  });

  it('a bad token is refused on every method, not only POST', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(kanban.mcpUrl, { method, headers: { authorization: 'Bearer not.a.jwt', accept: 'text/event-stream' } });
      expect(response.status, method).toBe(401);
    }
  });

  it('a bad token is refused even for tools/list, which needs no token at all', async () => {
    const response = await postMcp(kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: 'Bearer not.a.jwt' });
    expect(response.status).toBe(401);
  });
});

describe('discovery of the external issuer at start', () => {
  it('fails with a clear message when the issuer cannot be reached', async () => {
    const closedPort = await freePort();
    await expect(discoverIssuer(`http://127.0.0.1:${closedPort}/`, { attempts: 2, firstDelayMs: 10, timeoutMs: 500 })).rejects.toThrow(
      `could not read the discovery document of AUTH_ISSUER http://127.0.0.1:${closedPort}/ after 2 attempts (fetch failed: ECONNREFUSED). Check the URL and that this machine can reach it.`,
    );
  });

  it('refuses a discovery document that names another issuer', async () => {
    const misnamed = await startStandInIdp({ audience: API_AUDIENCE, misnamedIssuer: 'https://elsewhere.example/' });
    try {
      await expect(discoverIssuer(misnamed.issuer, { attempts: 1 })).rejects.toThrow(
        `AUTH_ISSUER is ${misnamed.issuer}, but its discovery document names the issuer https://elsewhere.example/: set AUTH_ISSUER to exactly that.`,
      );
    } finally {
      await misnamed.stop();
    }
  });

  it('forgives a missing trailing slash and uses the issuer as the IdP spells it', async () => {
    const metadata = await discoverIssuer(idp.issuer.replace(/\/$/, ''), { attempts: 1 });
    expect(metadata.issuer).toBe(idp.issuer);
  });

  it('lists whoami for anonymous clients, with its oauth2 scheme at the top level', async () => {
    const client = await connectClient(kanban.mcpUrl);
    const { tools } = await client.listTools();
    await client.close();
    expect(tools.map((tool) => tool.name)).toContain('whoami');
    const raw = (await (await postMcp(kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).json()) as { result: { tools: { name: string; securitySchemes: unknown }[] } };
    expect(raw.result.tools.find((tool) => tool.name === 'whoami')!.securitySchemes).toEqual([{ type: 'oauth2' }]);
  });
});
