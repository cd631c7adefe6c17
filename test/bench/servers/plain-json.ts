import { readFileSync } from 'node:fs';
import express from 'express';

// Baseline (c) of `pnpm bench`: Express answering a POST with the same JSON our get_board sends,
// with no MCP at all: the HTTP ceiling on this machine.

const body = readFileSync(process.env.BODY_FILE!, 'utf8');
const app = express();
app.use(express.json());
app.post('/mcp', (_req, res) => {
  res.type('application/json').send(body);
});
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
