import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { newId } from '../db/ids.ts';
import { postMcp, removeDataDir, startKanban, useKanbanWithClient } from './support/kanban-server.ts';

// Bad input gets a clear answer a person can act on, and never a 5xx.

const shared = useKanbanWithClient();

function textOf(result: unknown): string {
  return ((result as { content: unknown }).content as { type: string; text: string }[]).map((part) => part.text).join('\n');
}

/** Calls a tool over raw HTTP too, so the status code is seen, and returns the SDK client's view. */
async function callExpectingToolError(name: string, args: unknown): Promise<string> {
  const raw = await postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: args } });
  expect(raw.status).toBe(200);
  const body = (await raw.json()) as { result: { isError?: boolean; structuredContent?: unknown; content: { text: string }[] } };
  expect(body.result.isError).toBe(true);
  expect(body.result.structuredContent).toBeUndefined();
  return body.result.content.map((part) => part.text).join('\n');
}

describe('tool results with isError', () => {
  it('an unknown board (well-formed id) is "not found", pointing at list_boards', async () => {
    const missing = newId('board');
    const result = await shared.client.callTool({ name: 'get_board', arguments: { boardId: missing } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(`No board ${missing} is visible to you. Call list_boards to see the boards you can open.`);
  });

  it('a malformed board id names the argument and the expected shape', async () => {
    const message = await callExpectingToolError('get_board', { boardId: "1' OR 1=1 --" });
    expect(message).toMatch(/^Invalid arguments for get_board: boardId: must be a board id such as "brd_…"/);
  });

  it('a missing board id is refused the same way', async () => {
    expect(await callExpectingToolError('get_board', {})).toContain('boardId: must be a board id');
  });

  it('an empty (or blank) query asks for words to look for', async () => {
    expect(await callExpectingToolError('search_cards', { query: '   ' })).toContain('query: must not be empty');
  });

  it('a too-long query says the limit', async () => {
    expect(await callExpectingToolError('search_cards', { query: 'x'.repeat(201) })).toContain('query: is too long: use at most 200 characters');
  });

  it('a query of the wrong type says what it wants', async () => {
    expect(await callExpectingToolError('search_cards', { query: 42 })).toContain('query: must be text');
  });

  it('out-of-range and non-integer limits are refused', async () => {
    expect(await callExpectingToolError('list_boards', { limit: 0 })).toContain('limit: must be at least 1');
    expect(await callExpectingToolError('list_boards', { limit: 1e9 })).toContain('limit: must be at most 100');
    expect(await callExpectingToolError('list_boards', { limit: 2.5 })).toContain('limit: must be a whole number');
    expect(await callExpectingToolError('search_cards', { query: 'a', limit: -1 })).toContain('limit: must be at least 1');
  });

  it('a cursor that list_boards never gave out is refused with the way forward', async () => {
    expect(await callExpectingToolError('list_boards', { cursor: 'not-a-cursor' })).toContain('Call list_boards without a cursor');
  });

  it('search limited to a board that does not exist is "not found"', async () => {
    expect(await callExpectingToolError('search_cards', { query: 'a', boardId: newId('board') })).toContain('Call list_boards');
  });

  it('prototype-pollution keys in arguments change nothing', async () => {
    const raw = await postMcp(
      shared.kanban.mcpUrl,
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_boards","arguments":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}}',
    );
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as { result: { isError?: boolean } };
    expect(body.result.isError).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('JSON-RPC errors', () => {
  it('an unknown tool is JSON-RPC error -32602, not a tool result', async () => {
    const error = await shared.client.callTool({ name: 'drop_tables', arguments: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((error as McpError).message).toContain('Unknown tool "drop_tables"');
  });

  it('arguments that are not an object are JSON-RPC error -32602 (invalid params)', async () => {
    const raw = await postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_boards', arguments: 'everything' } });
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as { error: { code: number } };
    expect(body.error.code).toBe(ErrorCode.InvalidParams);
  });

  it('an unknown method is JSON-RPC error -32601', async () => {
    const raw = await postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: 4, method: 'boards/steal' });
    const body = (await raw.json()) as { error: { code: number } };
    expect(body.error.code).toBe(ErrorCode.MethodNotFound);
  });
});

describe('an internal failure', () => {
  it('answers a generic message with a request id, and logs the stack under that id only', async () => {
    const fresh = await startKanban();
    try {
      const boards = await postMcp(fresh.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_boards', arguments: {} } });
      const boardId = ((await boards.json()) as { result: { structuredContent: { boards: { id: string }[] } } }).result.structuredContent.boards[0]!.id;
      await fresh.runtime.database.close(); // the database goes away under a running server
      const raw = await postMcp(fresh.mcpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_board', arguments: { boardId } } });
      expect(raw.status).toBe(200);
      const requestId = raw.headers.get('x-request-id')!;
      const body = (await raw.json()) as { result: { isError: boolean; content: { text: string }[] } };
      const text = body.result.content[0]!.text;
      expect(body.result.isError).toBe(true);
      expect(text).toBe(`Something went wrong on our side (request ${requestId}). Try again in a moment; if it keeps happening, report this request id.`);
      const logged = fresh.logs.find((line) => line.msg === 'tool failed')!;
      expect(logged).toMatchObject({ requestId, tool: 'get_board', level: 50 });
      // The driver's own words: in the stack, or as the cause of a failed query (whose SQL the log leaves out).
      const { stack, cause } = logged.err as { stack: string; cause?: string };
      expect(`${stack}\n${cause ?? ''}`).toMatch(fresh.runtime.database.engine === 'sqlite' ? /database connection is not open/ : /pool after calling end/);
    } finally {
      await fresh.stop().catch(() => undefined);
      removeDataDir(fresh.dataDir);
    }
  });
});
