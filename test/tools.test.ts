import { ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_BOARDS } from '../db/seed.ts';
import { boardOutput, listBoardsOutput, searchCardsOutput } from '../server/mcp/tools/schemas.ts';
import { postMcp, useKanbanWithClient } from './support/kanban-server.ts';

const PUBLIC_READ = [{ type: 'noauth' }, { type: 'oauth2', scopes: ['kanban.read'] }];

const shared = useKanbanWithClient();

async function callStructured<T>(name: string, args: Record<string, unknown>, schema: z.ZodType<T>) {
  const result = await shared.client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return { result, structured: schema.parse(result.structuredContent) };
}

const PUBLIC_TOOL_NAMES = ['list_boards', 'get_board', 'search_cards'];
const WRITE = [{ type: 'oauth2', scopes: ['kanban.write'] }];
const WRITE_TOOL_NAMES = ['create_card', 'update_card', 'move_card', 'delete_card', 'create_board', 'update_board', 'delete_board'];
const SCHEMES_BY_TOOL: Record<string, unknown> = {
  list_boards: PUBLIC_READ,
  get_board: PUBLIC_READ,
  search_cards: PUBLIC_READ,
  ...Object.fromEntries(WRITE_TOOL_NAMES.map((name) => [name, WRITE])),
  whoami: [{ type: 'oauth2' }],
};
const DESTRUCTIVE = new Set(['delete_card', 'delete_board']);

describe('tools/list without a token', () => {
  it('lists every tool with schemas, annotations and securitySchemes in _meta; the public ones first', async () => {
    const { tools } = await shared.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([...PUBLIC_TOOL_NAMES, ...WRITE_TOOL_NAMES, 'whoami']);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      const writes = WRITE_TOOL_NAMES.includes(tool.name);
      expect(tool.annotations, tool.name).toMatchObject({ readOnlyHint: !writes, destructiveHint: DESTRUCTIVE.has(tool.name), openWorldHint: false });
      expect(tool._meta?.securitySchemes).toEqual(SCHEMES_BY_TOOL[tool.name]);
      expect(String(tool._meta?.['openai/toolInvocation/invoking']).length).toBeLessThanOrEqual(64);
    }
    const getBoard = tools.find((tool) => tool.name === 'get_board')!;
    expect(getBoard.inputSchema.required).toEqual(['boardId']);
  });

  it('carries securitySchemes at the top level of each tool, seen by the SDK client with a schema that keeps it', async () => {
    const withSchemes = ListToolsResultSchema.extend({
      tools: z.array(z.looseObject({ name: z.string(), securitySchemes: z.array(z.looseObject({ type: z.string() })) })),
    });
    const { tools } = await shared.client.request({ method: 'tools/list', params: {} }, withSchemes);
    expect(tools).toHaveLength(PUBLIC_TOOL_NAMES.length + WRITE_TOOL_NAMES.length + 1);
    for (const tool of tools) expect(tool.securitySchemes).toEqual(SCHEMES_BY_TOOL[tool.name]);
  });

  it('sends the top-level securitySchemes on the wire (raw HTTP, no session, no token)', async () => {
    const response = await postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { tools: Record<string, unknown>[] } };
    expect(body.result.tools).toHaveLength(PUBLIC_TOOL_NAMES.length + WRITE_TOOL_NAMES.length + 1);
    for (const tool of body.result.tools) {
      expect(tool.securitySchemes).toEqual(SCHEMES_BY_TOOL[tool.name as string]);
      expect((tool._meta as Record<string, unknown>).securitySchemes).toEqual(SCHEMES_BY_TOOL[tool.name as string]);
    }
  });
});

describe('list_boards', () => {
  it('returns the seeded public demo boards, newest first', async () => {
    const { result, structured } = await callStructured('list_boards', {}, listBoardsOutput);
    expect(structured.view).toBe('boards');
    expect(structured.viewer).toEqual({ signedIn: false });
    expect(structured.boards.map((board) => board.title)).toEqual(DEMO_BOARDS.map((board) => board.title));
    const roadmap = structured.boards[0]!;
    expect(roadmap).toMatchObject({ visibility: 'public', columnCount: 4, cardCount: 9 });
    expect(roadmap.id).toMatch(/^brd_[A-Za-z0-9_-]{22}$/);
    expect(structured.nextCursor).toBeUndefined();
    expect((result.content as { text: string }[])[0]!.text).toContain('Product roadmap');
  });

  it('pages with limit and nextCursor, without gaps or repeats', async () => {
    const first = await callStructured('list_boards', { limit: 2 }, listBoardsOutput);
    expect(first.structured.boards).toHaveLength(2);
    expect(first.structured.nextCursor).toEqual(expect.any(String));
    const second = await callStructured('list_boards', { limit: 2, cursor: first.structured.nextCursor }, listBoardsOutput);
    expect(second.structured.nextCursor).toBeUndefined();
    const titles = [...first.structured.boards, ...second.structured.boards].map((board) => board.title);
    expect(titles).toEqual(DEMO_BOARDS.map((board) => board.title));
  });
});

describe('get_board', () => {
  it('returns the columns and their cards in order, with descriptions for the widget in _meta', async () => {
    const list = await callStructured('list_boards', {}, listBoardsOutput);
    const home = list.structured.boards.find((board) => board.title === 'Home renovation')!;
    const { result, structured } = await callStructured('get_board', { boardId: home.id }, boardOutput);
    const demo = DEMO_BOARDS.find((board) => board.title === 'Home renovation')!;
    expect(structured.view).toBe('board');
    expect(structured.board.columns.map((column) => column.title)).toEqual(demo.columns.map((column) => column.title));
    structured.board.columns.forEach((column, index) => {
      expect(column.cards.map((card) => card.title)).toEqual(demo.columns[index]!.cards.map((card) => card.title));
    });
    const plumber = structured.board.columns[1]!.cards[0]!;
    expect(plumber.labels).toEqual(['kitchen', 'urgent']);
    expect(plumber.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const descriptions = (result._meta as { cardDescriptions: Record<string, string> }).cardDescriptions;
    expect(descriptions[plumber.id]).toContain('mixer tap');
    // A demo board is not the viewer's: its text reaches the model marked as data (RV-08).
    const text = (result.content as { text: string }[])[0]!.text;
    expect(text).toContain('{"title":"To do","cards":2,"titles":["Call the plumber about the dripping tap","Buy paint samples"]}');
  });
});

describe('search_cards', () => {
  it('finds a seeded card by a word of its title and by a word of its description', async () => {
    const byTitle = await callStructured('search_cards', { query: 'plumber' }, searchCardsOutput);
    expect(byTitle.structured.results.map((hit) => hit.card.title)).toEqual(['Call the plumber about the dripping tap']);
    expect(byTitle.structured.results[0]).toMatchObject({ board: { title: 'Home renovation' }, column: { title: 'To do' } });
    const byDescription = await callStructured('search_cards', { query: 'CARTRIDGE' }, searchCardsOutput);
    expect(byDescription.structured.results.map((hit) => hit.card.title)).toEqual(['Call the plumber about the dripping tap']);
  });

  it('requires every word to match, and takes LIKE wildcards literally', async () => {
    const both = await callStructured('search_cards', { query: 'sign oauth' }, searchCardsOutput);
    expect(both.structured.results.map((hit) => hit.card.title)).toEqual(['Sign in with OAuth 2.1']);
    const wildcard = await callStructured('search_cards', { query: '%' }, searchCardsOutput);
    expect(wildcard.structured.results).toEqual([]);
    const underscore = await callStructured('search_cards', { query: '_' }, searchCardsOutput);
    expect(underscore.structured.results).toEqual([]);
  });

  it('limits the search to one board with boardId', async () => {
    const list = await callStructured('list_boards', {}, listBoardsOutput);
    const website = list.structured.boards.find((board) => board.title === 'Website relaunch')!;
    const all = await callStructured('search_cards', { query: 'the' }, searchCardsOutput);
    const boardsHit = new Set(all.structured.results.map((hit) => hit.board.title));
    expect(boardsHit.size).toBeGreaterThan(1);
    const one = await callStructured('search_cards', { query: 'the', boardId: website.id }, searchCardsOutput);
    expect(one.structured.results.length).toBeGreaterThan(0);
    expect(new Set(one.structured.results.map((hit) => hit.board.title))).toEqual(new Set(['Website relaunch']));
  });
});
