import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { signInAndConsent } from './support/browser-forms.ts';
import { MemoryOAuthProvider } from './support/oauth-client.ts';
import { useKanban } from './support/kanban-server.ts';

// The whole MCP authorization flow, headless, with the SDK's own client against the embedded
// issuer: discovery, dynamic registration, authorize (sign-up and consent forms), token with
// `resource`, an authenticated tools/call, and a refresh.

const shared = useKanban();

async function connect(provider: MemoryOAuthProvider) {
  const client = new Client({ name: 'oauth-test-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(shared.kanban.mcpUrl), { authProvider: provider });
  await client.connect(transport);
  return { client, transport };
}

describe('the SDK client signs in through the embedded issuer', () => {
  it('discovers, registers, signs up, consents, gets a token for our resource, calls whoami, and refreshes', async () => {
    const provider = new MemoryOAuthProvider();
    const { client, transport } = await connect(provider);

    // Anonymous: listing and public tools work; whoami starts OAuth.
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('whoami');
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.clientInformation()?.client_id).toEqual(expect.any(String));
    const authorizationUrl = provider.authorizationUrl!;
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${shared.kanban.url}/oauth/authorize`);
    expect(authorizationUrl.searchParams.get('resource')).toBe(shared.kanban.mcpUrl);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');

    // The browser part: sign up on our page, allow on the consent page.
    const { redirect } = await signInAndConsent(authorizationUrl, shared.kanban.url, { username: 'ada', password: 'correct horse battery', signUp: true });
    expect(redirect.origin + redirect.pathname).toBe('https://client.example/oauth/callback');
    expect(redirect.searchParams.get('state')).toBe('state-123');
    expect(redirect.searchParams.get('iss')).toBe(shared.kanban.url);
    await transport.finishAuth(redirect.searchParams.get('code')!);

    const tokens = provider.tokens()!;
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ iss: shared.kanban.url, aud: shared.kanban.mcpUrl, scope: 'kanban.read kanban.write', name: 'ada' });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3600);
    await client.close();

    // Signed in: a new connection with the saved tokens calls the protected tool.
    const signedIn = await connect(provider);
    const result = await signedIn.client.callTool({ name: 'whoami', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ viewer: { signedIn: true, name: 'ada' }, scopes: ['kanban.read', 'kanban.write'] });
    expect((result.structuredContent as { subject: string }).subject).toMatch(/^acc_/);
    const boards = await signedIn.client.callTool({ name: 'list_boards', arguments: {} });
    expect((boards.structuredContent as { viewer: unknown }).viewer).toEqual({ signedIn: true, name: 'ada' });

    // Refresh: a new access token and a rotated refresh token, still good for whoami.
    expect(await auth(provider, { serverUrl: shared.kanban.mcpUrl })).toBe('AUTHORIZED');
    const refreshed = provider.tokens()!;
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const again = await signedIn.client.callTool({ name: 'whoami', arguments: {} });
    expect(again.isError).toBeFalsy();
    await signedIn.client.close();

    // The logs name users only by a hash, and never hold a credential of the flow (IV-13).
    const logs = JSON.stringify(shared.kanban.logs);
    const secrets = [tokens.access_token, tokens.refresh_token!, refreshed.access_token, refreshed.refresh_token!, redirect.searchParams.get('code')!, provider.codeVerifier(), 'correct horse battery'];
    for (const secret of secrets) expect(logs).not.toContain(secret);
    const subject = (result.structuredContent as { subject: string }).subject;
    expect(logs).not.toContain(subject);
    expect(shared.kanban.logs.some((line) => line.tool === 'whoami' && typeof line.user === 'string' && line.status === 200)).toBe(true);
  });
});
