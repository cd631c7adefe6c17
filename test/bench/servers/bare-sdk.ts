import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { z } from 'zod';

// Baseline (a) of `pnpm bench`: the MCP SDK's own stateless pattern (a new McpServer and
// transport per request, JSON responses) with one echo tool, given the one fix any server
// should make (a shared JSON Schema validator instead of a new Ajv per request, as ours has):
// the floor of the SDK's own cost.

const validator = new AjvJsonSchemaValidator();

const app = express();
app.use(express.json());
app.post('/mcp', async (req, res) => {
  const server = new McpServer({ name: 'bare-sdk-echo', version: '1.0.0' }, { jsonSchemaValidator: validator });
  server.registerTool('echo', { description: 'Echoes the message.', inputSchema: { message: z.string() } }, ({ message }) => ({ content: [{ type: 'text', text: message }] }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
