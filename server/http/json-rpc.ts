// JSON-RPC error bodies that the HTTP layers of /mcp send themselves (before or instead of the
// MCP server): one shape, one place.

/** What our /mcp answers carry when the request needs (other) credentials: JSON-RPC's server-error range. */
export const AUTHORIZATION_REQUIRED = -32001;

/** JSON-RPC's implementation-defined server error, for refusals that are not about the message. */
export const SERVER_REFUSAL = -32000;

export function jsonRpcError(code: number, message: string, id: unknown = null) {
  return { jsonrpc: '2.0' as const, error: { code, message }, id };
}
