import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { connectClient, useKanban } from './support/kanban-server.ts';
import { modernPost, MODERN_REVISION, rawPost } from './support/kanban-actors.ts';

// Tool schemas name their JSON Schema dialect: `$schema` is 2020-12 (MCP's default since
// 2025-11-25, SEP-1613) on every inputSchema and outputSchema, in both protocol eras, and the
// SDK clients of both eras still list the tools and validate structured results against them.

const shared = useKanban({ env: { LOG_LEVEL: 'silent' } });
const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

interface ListedTool {
  name: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

function expectDialect(tools: ListedTool[]) {
  expect(tools.length).toBeGreaterThan(0);
  for (const tool of tools) {
    expect(tool.inputSchema.$schema, tool.name).toBe(DIALECT);
    expect(tool.inputSchema.type, tool.name).toBe('object');
    expect(tool.outputSchema?.$schema, tool.name).toBe(DIALECT);
  }
}

describe('tool schemas declare JSON Schema 2020-12', () => {
  it('in tools/list of the 2025 era', async () => {
    const { status, body } = await rawPost(shared.kanban.mcpUrl, undefined, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(status).toBe(200);
    expectDialect(body.result.tools);
  });

  it('in tools/list of the 2026-07-28 era', async () => {
    const { status, body } = await modernPost(shared.kanban.mcpUrl, undefined, 'tools/list');
    expect(status).toBe(200);
    expect(body.result.resultType).toBe('complete'); // a modern answer, not the 2025 one
    expectDialect(body.result.tools);
  });

  const clients = {
    'the v1 SDK client (2025-11-25)': () => connectClient(shared.kanban.mcpUrl),
    'the v2 SDK client (2026-07-28)': async () => {
      const client = new ClientV2({ name: 'dialect-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN_REVISION } } });
      await client.connect(new TransportV2(new URL(shared.kanban.mcpUrl)));
      return client;
    },
  };
  for (const [label, connect] of Object.entries(clients)) {
    it(`which ${label} validates structured results against`, async () => {
      const client = await connect();
      try {
        expectDialect((await client.listTools()).tools as ListedTool[]);
        const result = await client.callTool({ name: 'list_boards', arguments: {} });
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toMatchObject({ view: 'boards' });
      } finally {
        await client.close();
      }
    });
  }
});
