import express from 'express';
import { localhostHostValidation, localhostOriginValidation, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { ECHO_SERVER_INFO, ECHO_TOOL } from './echo.ts';

// Baseline (a) of `pnpm bench`: the v2 SDK's documented stateless pattern (its guides at
// https://ts.sdk.modelcontextprotocol.io/v2/serving/http and …/v2/serving/express): createMcpHandler with a factory building a fresh McpServer per request, wrapped
// once by toNodeHandler, on Express like (a-v1) and ours. Defaults everywhere (both eras served,
// responseMode 'auto'), but for the fix (a-v1) has too: one shared JSON Schema validator, as the
// Server would otherwise build an Ajv per request.

const validator = new AjvJsonSchemaValidator();

const handler = createMcpHandler(() => {
  const server = new McpServer(ECHO_SERVER_INFO, { jsonSchemaValidator: validator });
  server.registerTool(ECHO_TOOL.name, ECHO_TOOL.config, ECHO_TOOL.answer);
  return server;
});

// createMcpExpressApp() spelled out (@modelcontextprotocol/express is not among our packages):
// express.json() and the localhost Host and Origin guards.
const validateHost = localhostHostValidation();
const validateOrigin = localhostOriginValidation();
const app = express();
app.use(express.json());
app.use((req, res, next) => {
  if (validateHost(req, res) && validateOrigin(req, res)) next();
});
const node = toNodeHandler(handler);
app.all('/mcp', (req, res) => void node(req, res, req.body));
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
