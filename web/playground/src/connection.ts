import { Client, StreamableHTTPClientTransport, type CallToolResult, type Tool } from '@modelcontextprotocol/client';
import type { MessageLog } from './message-log.ts';
import { MCP_URL, type PlaygroundOAuth } from './sign-in.ts';

// The playground's MCP client: the v2 SDK's, against this server's /mcp, in either protocol era.
// A signed-in person's token goes with every request, and a refused one is refreshed (sign-in.ts).

export type Era = '2025' | '2026-07-28';

export interface Connection {
  client: Client;
  era: Era;
  /** The era the client and server settled on, as the SDK reports it. */
  protocol: string;
  tools: Tool[];
}

/**
 * `challenged` hears the WWW-Authenticate of every 401 or 403: the HTTP challenge of a spec
 * client's era, which the SDK acts on without showing it.
 */
export async function connect(era: Era, oauth: PlaygroundOAuth, log: MessageLog, challenged: (header: string) => void): Promise<Connection> {
  const options = era === '2026-07-28' ? ({ versionNegotiation: { mode: { pin: '2026-07-28' } } } as const) : {};
  const client = new Client({ name: 'kanban-mcp-playground', version: '1.0.0' }, options);
  const watchingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const header = response.headers.get('www-authenticate');
    if ((response.status === 401 || response.status === 403) && header) challenged(header);
    // The SDK throws on an HTTP refusal without handing its JSON-RPC error on: logged here instead.
    if (!response.ok && response.headers.get('content-type')?.startsWith('application/json')) {
      const message = await response.clone().json().catch(() => undefined);
      if (message?.jsonrpc === '2.0') log.record('server', 'in', message, response.status);
    }
    return response;
  };
  await client.connect(log.wrap(new StreamableHTTPClientTransport(MCP_URL, { authProvider: oauth.transportAuth(), fetch: watchingFetch }), 'server'));
  const { tools } = await client.listTools();
  return { client, era, protocol: client.getNegotiatedProtocolVersion() ?? era, tools };
}

/** The hints ChatGPT puts in every tool call's _meta: they are what makes our server challenge in-band. */
export function chatGptHints(locale: string): Record<string, string> {
  return { 'openai/locale': locale, 'openai/userAgent': navigator.userAgent };
}

export async function callTool(connection: Connection, name: string, args: Record<string, unknown>, meta: Record<string, unknown>): Promise<CallToolResult> {
  return (await connection.client.callTool({ name, arguments: args, _meta: meta })) as CallToolResult;
}
