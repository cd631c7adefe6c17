import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2, UnauthorizedError as UnauthorizedErrorV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError as UnauthorizedErrorV1 } from '@modelcontextprotocol/sdk/client/auth.js';
import { describe, expect, it } from 'vitest';
import { inspectorCli } from './support/inspector.ts';
import { signInAndConsent } from './support/browser-forms.ts';
import { useKanban } from './support/kanban-server.ts';
import { modernPost, MODERN_REVISION, rawPost } from './support/kanban-actors.ts';
import { MemoryOAuthProvider } from './support/oauth-client.ts';
import { exchangeCode, getCode, makeAccount, registerClient } from './support/oauth-steps.ts';

// One server, every kind of client the README promises, anonymous and then signed in through
// real OAuth: the v2 SDK client on 2026-07-28, the v1 SDK client on 2025-11-25, MCP Inspector's
// CLI, and raw HTTP in each era's envelope. Each lists the tools with their securitySchemes,
// browses anonymously, is challenged on create_card, signs in as one shared person and adds a
// card; at the end every client sees every other client's card.

const shared = useKanban({ env: { LOG_LEVEL: 'silent' } });
const WRITE_SCHEMES = [{ type: 'oauth2', scopes: ['kanban.write'] }];
const READ_SCHEMES = [{ type: 'noauth' }, { type: 'oauth2', scopes: ['kanban.read'] }];

let person: { username: string; password: string };
/** What each client signed in with, so the last test can read the board through it. */
const readers: { label: string; titles(): Promise<string[]> }[] = [];

interface ToolEntry {
  name: string;
  securitySchemes?: unknown;
  _meta?: Record<string, unknown>;
}

function expectCatalogue(tools: ToolEntry[], where: 'top' | 'meta' | 'both') {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  for (const [name, schemes] of [['list_boards', READ_SCHEMES], ['create_card', WRITE_SCHEMES]] as const) {
    const tool = byName.get(name)!;
    if (where !== 'meta') expect(tool.securitySchemes, name).toEqual(schemes);
    if (where !== 'top') expect(tool._meta?.securitySchemes, name).toEqual(schemes);
    expect(tool._meta?.ui, name).toEqual({ resourceUri: expect.stringMatching(/^ui:\/\/widget\/kanban-[0-9a-f]{16}\.html$/), visibility: ['model', 'app'] });
  }
}

function personalTitles(structured: unknown): string[] {
  const board = (structured as { board: { columns: { cards: { title: string }[] }[] } }).board;
  return board.columns.flatMap((column) => column.cards.map((card) => card.title));
}

/** The client asks for the scope our challenge named (the SDK clients add offline_access themselves). */
function expectScopeParam(url: URL | undefined) {
  expect(url?.searchParams.get('scope')?.split(' ')).toContain('kanban.write');
}

async function signIn(provider: MemoryOAuthProvider): Promise<URLSearchParams> {
  const { redirect } = await signInAndConsent(provider.authorizationUrl!, shared.kanban.url, person);
  expect(redirect.searchParams.get('iss')).toBe(shared.kanban.url); // RFC 9207 on every authorization response
  return redirect.searchParams;
}

/** A token for the shared person from the code flow (register, sign in, consent, exchange). */
async function tokenForPerson(scope?: string): Promise<string> {
  const client = await registerClient(shared.kanban);
  const { code, verifier } = await getCode(shared.kanban, client, person, scope ? { scope } : {});
  const tokens = await exchangeCode(shared.kanban, client, code, verifier);
  expect(tokens.status).toBe(200);
  return tokens.body.access_token as string;
}

/** One JSON-RPC request as either era sends it: 2026-07-28 with its _meta envelope and standard headers, or 2025 with neither. */
function rawRequest(era: 'modern' | 'legacy', token: string | undefined, method: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
  return era === 'modern' ? modernPost(shared.kanban.mcpUrl, token, method, params, headers) : rawPost(shared.kanban.mcpUrl, token, { jsonrpc: '2.0', id: 1, method, params });
}

function inspector(args: string[]) {
  return inspectorCli(shared.kanban.mcpUrl, args);
}

describe('interop: every client, anonymous then signed in', () => {
  it('makes the person the clients sign in as', async () => {
    person = await makeAccount(shared.kanban, 'interop-person');
  });

  it('the v2 SDK client speaking 2026-07-28', async () => {
    const url = new URL(shared.kanban.mcpUrl);
    const options = { versionNegotiation: { mode: { pin: MODERN_REVISION } } } as const;
    const provider = new MemoryOAuthProvider({ clientName: 'v2 client' });
    const client = new ClientV2({ name: 'interop-v2', version: '1.0.0' }, options);
    const transport = new TransportV2(url, { authProvider: provider });
    await client.connect(transport);
    expect(client.getProtocolEra()).toBe('modern');
    // The v2 client keeps only the spec's Tool members: securitySchemes is read from _meta here
    // (the raw 2026-07-28 test below checks the top-level copy on the wire).
    expectCatalogue((await client.listTools()).tools as ToolEntry[], 'meta');
    const boards = await client.callTool({ name: 'list_boards', arguments: {} });
    expect(boards.structuredContent).toMatchObject({ view: 'boards', viewer: { signedIn: false } });

    await expect(client.callTool({ name: 'create_card', arguments: { title: 'from the v2 client' } })).rejects.toBeInstanceOf(UnauthorizedErrorV2);
    expectScopeParam(provider.authorizationUrl);
    await transport.finishAuth(await signIn(provider));

    const signedIn = new ClientV2({ name: 'interop-v2', version: '1.0.0' }, options);
    await signedIn.connect(new TransportV2(url, { authProvider: provider }));
    const created = await signedIn.callTool({ name: 'create_card', arguments: { title: 'from the v2 client' } });
    expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
    readers.push({ label: 'v2 client', titles: async () => personalTitles((await signedIn.callTool({ name: 'get_board', arguments: { boardId: (created.structuredContent as { board: { id: string } }).board.id } })).structuredContent) });
  });

  it('the v1 SDK client speaking 2025-11-25', async () => {
    const url = new URL(shared.kanban.mcpUrl);
    const provider = new MemoryOAuthProvider({ clientName: 'v1 client' });
    const client = new ClientV1({ name: 'interop-v1', version: '1.0.0' });
    const transport = new TransportV1(url, { authProvider: provider });
    await client.connect(transport);
    expect(transport.protocolVersion).toBe('2025-11-25');
    expectCatalogue((await client.listTools()).tools as ToolEntry[], 'meta'); // the v1 client keeps only the spec's members too
    const boards = await client.callTool({ name: 'list_boards', arguments: {} });
    expect(boards.structuredContent).toMatchObject({ view: 'boards', viewer: { signedIn: false } });

    await expect(client.callTool({ name: 'create_card', arguments: { title: 'from the v1 client' } })).rejects.toBeInstanceOf(UnauthorizedErrorV1);
    expectScopeParam(provider.authorizationUrl);
    await transport.finishAuth((await signIn(provider)).get('code')!);

    const signedIn = new ClientV1({ name: 'interop-v1', version: '1.0.0' });
    await signedIn.connect(new TransportV1(url, { authProvider: provider }));
    const created = await signedIn.callTool({ name: 'create_card', arguments: { title: 'from the v1 client' } });
    expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
    const boardId = (created.structuredContent as { board: { id: string } }).board.id;
    readers.push({ label: 'v1 client', titles: async () => personalTitles((await signedIn.callTool({ name: 'get_board', arguments: { boardId } })).structuredContent) });
  });

  for (const era of ['modern', 'legacy'] as const) {
    it(`raw HTTP in the ${era === 'modern' ? '2026-07-28' : '2025'} envelope`, async () => {
      const listed = await rawRequest(era, undefined, 'tools/list', {});
      expect(listed.status).toBe(200);
      expectCatalogue(listed.body.result.tools, 'both');
      expect(listed.body.result.resultType).toBe(era === 'modern' ? 'complete' : undefined);
      // Cache hints only on 2026-07-28 answers: the list is everyone's, and kept a minute (the widget URI changes with a build).
      expect([listed.body.result.ttlMs, listed.body.result.cacheScope]).toEqual(era === 'modern' ? [60_000, 'public'] : [undefined, undefined]);
      if (era === 'modern') {
        const uri = listed.body.result.tools[0]._meta.ui.resourceUri as string;
        const read = await rawRequest(era, undefined, 'resources/read', { uri }, { 'mcp-name': uri });
        expect([read.body.result.ttlMs, read.body.result.cacheScope]).toEqual([86_400_000, 'public']); // a hash-named URI never changes
      }
      const boards = await rawRequest(era, undefined, 'tools/call', { name: 'list_boards', arguments: {} });
      expect(boards.body.result.structuredContent).toMatchObject({ view: 'boards', viewer: { signedIn: false } });

      const title = `from raw HTTP, ${era}`;
      const refused = await rawRequest(era, undefined, 'tools/call', { name: 'create_card', arguments: { title } });
      expect(refused.status).toBe(401);
      // Every scope the call needs, and never offline_access.
      expect(refused.challenge).toBe(`Bearer resource_metadata="${shared.kanban.url}/.well-known/oauth-protected-resource/mcp", scope="kanban.write"`);

      const token = await tokenForPerson();
      const created = await rawRequest(era, token, 'tools/call', { name: 'create_card', arguments: { title } });
      expect(created.status).toBe(200);
      expect(created.body.result.isError, JSON.stringify(created.body)).toBeFalsy();
      const boardId = created.body.result.structuredContent.board.id as string;
      readers.push({ label: `raw HTTP ${era}`, titles: async () => personalTitles((await rawRequest(era, token, 'tools/call', { name: 'get_board', arguments: { boardId } })).body.result.structuredContent) });
    });
  }

  it('MCP Inspector --cli', async () => {
    const listed = await inspector(['--method', 'tools/list']);
    expect(listed.code, listed.stderr).toBe(0);
    expectCatalogue(listed.json.tools, 'meta');
    const boards = await inspector(['--method', 'tools/call', '--tool-name', 'list_boards']);
    expect(boards.json.structuredContent).toMatchObject({ view: 'boards', viewer: { signedIn: false } });
    // Our 401 challenge starts its OAuth, which a non-interactive run declines.
    const refused = await inspector(['--method', 'tools/call', '--tool-name', 'create_card', '--tool-arg', 'title=from the Inspector']);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stderr).error.code).toBe('auth_required');

    const bearer = `Authorization: Bearer ${await tokenForPerson()}`;
    const created = await inspector(['--method', 'tools/call', '--tool-name', 'create_card', '--tool-arg', 'title=from the Inspector', '--header', bearer]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.json.isError).toBeFalsy();
    const boardId = created.json.structuredContent.board.id as string;
    readers.push({ label: 'Inspector', titles: async () => personalTitles((await inspector(['--method', 'tools/call', '--tool-name', 'get_board', '--tool-arg', `boardId=${boardId}`, '--header', bearer])).json.structuredContent) });
  });

  it('2026-07-28 from ChatGPT (openai/* request _meta): the in-band challenge, a 200 result with isError and mcp/www_authenticate', async () => {
    const chatGptMeta = { 'openai/userAgent': 'ChatGPT/1.2026.1', 'openai/locale': 'en-US' };
    const refused = await rawRequest('modern', undefined, 'tools/call', { name: 'create_card', arguments: { title: 'not written' }, _meta: chatGptMeta });
    expect(refused.status).toBe(200);
    expect(refused.body.result).toMatchObject({ isError: true, resultType: 'complete', content: [{ type: 'text', text: 'Sign in to add cards.' }] });
    expect(refused.body.result._meta['mcp/www_authenticate']).toEqual([
      `Bearer resource_metadata="${shared.kanban.url}/.well-known/oauth-protected-resource/mcp", error="insufficient_scope", error_description="Sign in to add cards", scope="kanban.write"`,
    ]);
  });

  it('2026-07-28 step-up: a token without kanban.write gets 403 insufficient_scope naming it, and nothing runs', async () => {
    const readOnly = await tokenForPerson('kanban.read');
    const refused = await rawRequest('modern', readOnly, 'tools/call', { name: 'create_card', arguments: { title: 'not written' } });
    expect(refused.status).toBe(403);
    expect(refused.challenge).toBe(
      `Bearer resource_metadata="${shared.kanban.url}/.well-known/oauth-protected-resource/mcp", error="insufficient_scope", error_description="Sign in to add cards: your sign-in does not include kanban.write. Sign in again to allow it.", scope="kanban.write"`,
    );
    expect(refused.body).toMatchObject({ error: { code: -32001 } });
  });

  it('every client sees the card every other client added', async () => {
    const expected = ['from the v2 client', 'from the v1 client', 'from raw HTTP, modern', 'from raw HTTP, legacy', 'from the Inspector'];
    expect(readers.map((reader) => reader.label)).toEqual(['v2 client', 'v1 client', 'raw HTTP modern', 'raw HTTP legacy', 'Inspector']);
    for (const reader of readers) expect((await reader.titles()).sort(), reader.label).toEqual([...expected].sort());
  });
});
