import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { ECHO_SERVER_INFO, ECHO_TOOL } from './echo.ts';

// Baseline (a-v1) of `pnpm bench`: the v1 SDK's stateless pattern (a new McpServer and transport
// per request, JSON responses) with one echo tool, given the one fix any server should make (a
// shared JSON Schema validator instead of a new Ajv per request, as ours has). Our server's
// pattern before the move to the v2 SDK; kept to measure that move against (a), its v2 successor.

const validator = new AjvJsonSchemaValidator();

const app = express();
app.use(express.json());
app.post('/mcp', async (req, res) => {
  const server = new McpServer(ECHO_SERVER_INFO, { jsonSchemaValidator: validator });
  server.registerTool(ECHO_TOOL.name, ECHO_TOOL.config, ECHO_TOOL.answer);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
