import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatBearerChallenge } from '../server/auth/challenge.ts';
import { defineTool, READS_OWN_DATA, type ToolDefinition } from '../server/mcp/catalogue.ts';
import { PUBLIC_TOOLS, SIGNED_IN_TOOLS } from '../server/mcp/tools/index.ts';
import { postMcp, removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';
import { startStandInIdp, type StandInIdp } from './support/stand-in-idp.ts';

// Per-tool enforcement of securitySchemes, proven with a probe tool that counts its runs: a
// refused call must never reach the handler, whatever the client or the challenge style.

const AUDIENCE = 'https://api.kanban.example';
let runs = 0;
const probe = defineTool({
  name: 'probe_write',
  title: 'Probe write',
  description: 'Test tool needing kanban.write.',
  input: z.object({}),
  output: z.object({ runs: z.number() }),
  annotations: { ...READS_OWN_DATA, readOnlyHint: false },
  securitySchemes: [{ type: 'oauth2', scopes: ['kanban.write'] }],
  signInPrompt: 'Sign in to add cards',
  invocation: { invoking: 'Probing…', invoked: 'Probed' },
  handler: () => ({ summary: 'ran', structured: { runs: ++runs } }),
});
const readProbe = defineTool({ ...(probe as ToolDefinition), name: 'probe_read', securitySchemes: [{ type: 'oauth2', scopes: ['kanban.read'] }] });
const TOOLS = [...PUBLIC_TOOLS, ...SIGNED_IN_TOOLS, probe, readProbe];

let idp: StandInIdp;
const servers: RunningKanban[] = [];
let auto: RunningKanban;

async function serve(challenge: 'auto' | 'inband' | 'http'): Promise<RunningKanban> {
  const kanban = await startKanban({ env: { AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: AUDIENCE, AUTH_CHALLENGE: challenge }, tools: TOOLS });
  servers.push(kanban);
  return kanban;
}

beforeAll(async () => {
  idp = await startStandInIdp({ audience: AUDIENCE });
  auto = await serve('auto');
});
afterAll(async () => {
  for (const kanban of servers) {
    await kanban.stop();
    removeDataDir(kanban.dataDir);
  }
  await idp.stop();
});

const chatGptMeta = { 'openai/userAgent': 'ChatGPT/1.2026.1', 'openai/locale': 'en-US' };

function call(name: string, meta?: Record<string, string>) {
  return { jsonrpc: '2.0', id: 42, method: 'tools/call', params: { name, arguments: {}, ...(meta ? { _meta: meta } : {}) } };
}

async function send(kanban: RunningKanban, body: unknown, headers: Record<string, string> = {}) {
  const response = await postMcp(kanban.mcpUrl, body, headers);
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as any };
}

const metadataOf = (kanban: RunningKanban) => `${kanban.url}/.well-known/oauth-protected-resource/mcp`;

describe('signed out', () => {
  it('public tools and tools/list work without a token', async () => {
    expect((await send(auto, call('list_boards'))).body.result.isError).toBeUndefined();
    expect((await send(auto, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status).toBe(200);
  });

  it('a plain client gets HTTP 401 with resource_metadata and the scope, and no error code', async () => {
    const before = runs;
    const { status, challenge, body } = await send(auto, call('probe_write'));
    expect(status).toBe(401);
    expect(challenge).toBe(`Bearer resource_metadata="${metadataOf(auto)}", scope="kanban.write"`);
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 42, error: { message: 'Sign in to add cards.' } });
    expect(runs).toBe(before);
  });

  it('a tool with no scope (whoami) challenges without a scope', async () => {
    const { status, challenge } = await send(auto, call('whoami'));
    expect(status).toBe(401);
    expect(challenge).toBe(`Bearer resource_metadata="${metadataOf(auto)}"`);
  });

  it('ChatGPT (openai/* request _meta) gets the in-band challenge: a 200 result with isError and mcp/www_authenticate', async () => {
    const before = runs;
    const { status, body } = await send(auto, call('probe_write', chatGptMeta));
    expect(status).toBe(200);
    expect(body.result.isError).toBe(true);
    expect(body.result.content[0].text).toBe('Sign in to add cards.');
    expect(body.result._meta['mcp/www_authenticate']).toEqual([
      `Bearer resource_metadata="${metadataOf(auto)}", error="insufficient_scope", error_description="Sign in to add cards", scope="kanban.write"`,
    ]);
    expect(body.result.structuredContent).toBeUndefined();
    expect(runs).toBe(before);
  });

  it('a ChatGPT user agent alone also gets the in-band challenge', async () => {
    const { status, body } = await send(auto, call('probe_write'), { 'user-agent': 'openai-mcp/1.0.0' });
    expect(status).toBe(200);
    expect(body.result._meta['mcp/www_authenticate']).toHaveLength(1);
  });

  it('a batch hiding a protected call behind a public one runs neither part of the protected call', async () => {
    const before = runs;
    const { status } = await send(auto, [call('list_boards'), { ...call('probe_write'), id: 43 }]);
    expect(status).toBe(401);
    expect(runs).toBe(before);
  });
});

describe('signed in', () => {
  it('without the scope: 403 insufficient_scope naming it; in-band for ChatGPT; nothing runs', async () => {
    const before = runs;
    const token = await idp.token({ permissions: ['kanban.read'] });
    const plain = await send(auto, call('probe_write'), { authorization: `Bearer ${token}` });
    expect(plain.status).toBe(403);
    expect(plain.challenge).toBe(
      `Bearer resource_metadata="${metadataOf(auto)}", error="insufficient_scope", error_description="Sign in to add cards: your sign-in does not include kanban.write. Sign in again to allow it.", scope="kanban.write"`,
    );
    const chatgpt = await send(auto, call('probe_write', chatGptMeta), { authorization: `Bearer ${token}` });
    expect(chatgpt.status).toBe(200);
    expect(chatgpt.body.result.isError).toBe(true);
    expect(chatgpt.body.result._meta['mcp/www_authenticate'][0]).toContain('error="insufficient_scope"');
    expect(runs).toBe(before);
  });

  it('with the scope: the tool runs', async () => {
    const before = runs;
    const token = await idp.token({ permissions: ['kanban.write'] });
    const { status, body } = await send(auto, call('probe_write'), { authorization: `Bearer ${token}` });
    expect(status).toBe(200);
    expect(body.result.structuredContent).toEqual({ runs: before + 1 });
  });

  it('step-up (AU-18): after a 403, a token with the union of scopes works while the old one still gets 403', async () => {
    const narrow = await idp.token({ permissions: ['kanban.read'] });
    expect((await send(auto, call('probe_write'), { authorization: `Bearer ${narrow}` })).status).toBe(403);
    const wider = await idp.token({ permissions: ['kanban.read', 'kanban.write'] });
    expect((await send(auto, call('probe_write'), { authorization: `Bearer ${wider}` })).status).toBe(200);
    expect((await send(auto, call('probe_write'), { authorization: `Bearer ${narrow}` })).status).toBe(403);
  });

  it('kanban.write implies kanban.read, but no substring or prefix does', async () => {
    const writer = await idp.token({ permissions: ['kanban.write'] });
    expect((await send(auto, call('probe_read'), { authorization: `Bearer ${writer}` })).status).toBe(200);
    const lookalike = await idp.token({ permissions: ['kanban.readx', 'kanban'] });
    expect((await send(auto, call('probe_read'), { authorization: `Bearer ${lookalike}` })).status).toBe(403);
  });

  it('whoami answers for the signed-in user', async () => {
    const token = await idp.token({ permissions: [] });
    const { status, body } = await send(auto, call('whoami'), { authorization: `Bearer ${token}` });
    expect(status).toBe(200);
    expect(body.result.structuredContent).toMatchObject({ subject: 'auth0|user-123', scopes: [] });
  });
});

describe('AUTH_CHALLENGE forces one style', () => {
  it('inband: even a plain client gets the in-band result', async () => {
    const inband = await serve('inband');
    const { status, body } = await send(inband, call('probe_write'));
    expect(status).toBe(200);
    expect(body.result._meta['mcp/www_authenticate'][0]).toContain('error="insufficient_scope"');
  });

  it('http: even ChatGPT gets HTTP 401', async () => {
    const http = await serve('http');
    expect((await send(http, call('probe_write', chatGptMeta))).status).toBe(401);
  });
});

describe('challenge strings', () => {
  it('stay well-formed whatever the message holds (quotes, backslashes, CR/LF, non-ASCII)', () => {
    const header = formatBearerChallenge({
      resourceMetadataUrl: 'https://h.example/.well-known/oauth-protected-resource/mcp',
      error: 'invalid_token',
      description: 'bad "token"\\\r\nSet-Cookie: x=1 — é',
      scopes: ['kanban.read'],
    });
    expect(header).toBe('Bearer resource_metadata="https://h.example/.well-known/oauth-protected-resource/mcp", error="invalid_token", error_description="bad token\\Set-Cookie: x=1  ", scope="kanban.read"'.replace('\\', ''));
    expect(header).not.toMatch(/[\r\n]/);
  });
});
