// The two protocol eras the bench's load speaks, as clients send them: 2025 (stateless, no
// initialize: a bare JSON-RPC POST, as every stateless server accepts) and 2026-07-28 (the _meta
// envelope in params and the standard headers naming the method and, for tools/call, the tool).

export type Era = '2025' | '2026-07-28';
export const ERAS: readonly Era[] = ['2025', '2026-07-28'];

const BASE_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

export interface McpRequest {
  headers: Record<string, string>;
  body: string;
}

/** The headers of a request of `era`; `tool` for tools/call. */
export function mcpHeaders(era: Era, method: string, tool?: string): Record<string, string> {
  if (era === '2025') return BASE_HEADERS;
  return { ...BASE_HEADERS, 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(tool === undefined ? {} : { 'mcp-name': tool }) };
}

/** The body of a request of `era`. */
export function mcpBody(era: Era, method: string, params: Record<string, unknown>, id = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params: era === '2025' ? params : { ...params, _meta: ENVELOPE } });
}

/** One JSON-RPC request of `era`: its headers and body. */
export function mcpRequest(era: Era, method: string, params: Record<string, unknown>, id = 1): McpRequest {
  return { headers: mcpHeaders(era, method, method === 'tools/call' ? String(params.name) : undefined), body: mcpBody(era, method, params, id) };
}
