import { createServer, type Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAndConsent } from './support/browser-forms.ts';
import { runCli } from './support/cli.ts';
import { removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';
import { MemoryOAuthProvider } from './support/oauth-client.ts';
import { tokenRequest } from './support/oauth-steps.ts';

// Client ID Metadata Documents: the client's id is an https URL of its own metadata, as ChatGPT
// does (https://chatgpt.com/oauth/client.json). The "hosted" document is served by this test on
// loopback, and the issuer's fetch hook maps the https URL there: nothing leaves the machine.
// The hook drops oidc-provider's SSRF-guarding dispatcher, which would (rightly) refuse loopback.

const CLIENT_ID = 'https://client.example/oauth/client.json';
const REDIRECT = 'https://client.example/oauth/callback';

let documentServer: Server;
let documentOrigin: string;
let fetched: string[] = [];
let kanban: RunningKanban;
let provider: MemoryOAuthProvider;

beforeAll(async () => {
  documentServer = createServer((req, res) => {
    fetched.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    res.end(JSON.stringify({ client_id: CLIENT_ID, client_name: 'Hosted-metadata client', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }));
  });
  await new Promise<void>((resolve) => documentServer.listen(0, '127.0.0.1', resolve));
  const address = documentServer.address();
  documentOrigin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const loopbackFetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin !== 'https://client.example') return Promise.reject(new Error(`unexpected fetch of ${url}`));
    return fetch(`${documentOrigin}${url.pathname}`, { ...init, dispatcher: undefined } as RequestInit);
  };
  kanban = await startKanban({ issuer: { fetch: loopbackFetch } });
});
afterAll(async () => {
  await kanban.stop();
  removeDataDir(kanban.dataDir);
  await new Promise<void>((resolve) => documentServer.close(() => resolve()));
});

describe('a client identified by its metadata document URL (CIMD)', () => {
  it('signs in with the SDK client without registering, and calls a protected tool', async () => {
    fetched = [];
    provider = new MemoryOAuthProvider({ redirectUrl: REDIRECT, clientMetadataUrl: CLIENT_ID });
    const client = new Client({ name: 'cimd-client', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(kanban.mcpUrl), { authProvider: provider });
    await client.connect(transport);
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.authorizationUrl!.searchParams.get('client_id')).toBe(CLIENT_ID);

    const { redirect, pages } = await signInAndConsent(provider.authorizationUrl!, kanban.url, { username: 'cimd-user', password: 'correct horse battery', signUp: true });
    expect(fetched).toEqual(['/oauth/client.json']);
    expect(pages.some((page) => page.html.includes('Hosted-metadata client'))).toBe(true);
    await transport.finishAuth(redirect.searchParams.get('code')!);
    await client.close();

    const signedIn = new Client({ name: 'cimd-client', version: '1.0.0' });
    await signedIn.connect(new StreamableHTTPClientTransport(new URL(kanban.mcpUrl), { authProvider: provider }));
    const result = await signedIn.callTool({ name: 'whoami', arguments: {} });
    expect(result.structuredContent).toMatchObject({ clientId: CLIENT_ID, viewer: { signedIn: true } });
    await signedIn.close();
  });

  it('is listed by pnpm clients:list through its grants (it is never stored as a client), and clients:revoke ends them', async () => {
    const listed = await runCli('clients', ['list'], kanban.dataDir);
    expect(listed.stdout).toContain(`${CLIENT_ID}  (client metadata document)  grants 1\n`);
    const revoked = await runCli('clients', ['revoke', CLIENT_ID], kanban.dataDir);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/^Revoked https:\/\/client\.example\/oauth\/client\.json: deleted it, 1 grant and [1-9]\d* codes? and tokens?\./);
    const refreshed = await tokenRequest(kanban, { grant_type: 'refresh_token', refresh_token: (await provider.tokens())!.refresh_token!, client_id: CLIENT_ID });
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    expect((await runCli('clients', ['list'], kanban.dataDir)).stdout).not.toContain(CLIENT_ID);
  });
});

// The SSRF guard itself is proven in security/registration/metadata-document-ssrf.test.ts (RG-20): a CIMD client id on a
// loopback address that something listens on is never requested.
