import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll } from 'vitest';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { EmbeddedIssuerOptions } from '../../server/auth/issuer/index.ts';
import { bootKanban, type KanbanRuntime } from '../../server/boot.ts';
import { loadConfig, type AppConfig } from '../../server/config.ts';
import { createHttpServer, listen } from '../../server/http/http-server.ts';
import { createLogger } from '../../server/logger.ts';
import type { ToolDefinition } from '../../server/mcp/catalogue.ts';
import { TEST_PASSWORD_HASH_COST } from './password-cost.ts';
import { databaseEnv } from './test-database.ts';

export interface RunningKanban {
  url: string;
  mcpUrl: string;
  config: AppConfig;
  runtime: KanbanRuntime;
  dataDir: string;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * Request budgets and quotas raised through their documented settings, for the tests (and the
 * bench) whose load is the point: far more than one user or address may send by default.
 */
export const LOAD_LIMITS = { MCP_REQUESTS_PER_USER: '10000000', MCP_REQUESTS_PER_ADDRESS: '10000000', QUOTA_BOARDS_PER_USER: '1000000', QUOTA_CARDS_PER_USER: '10000000' } as const;

export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'kanban-test-'));
}

/**
 * The real app on a real HTTP server on 127.0.0.1 and a random port, with a real SQLite file (or,
 * with TEST_ENGINE=postgres, a real PostgreSQL database of its own).
 * Binds first, so PUBLIC_URL can name the port the OS gave us.
 */
export async function startKanban(options: { dataDir?: string; port?: number; env?: Record<string, string>; tools?: readonly ToolDefinition[]; issuer?: EmbeddedIssuerOptions; widgetFile?: string; widgetSource?: string } = {}): Promise<RunningKanban> {
  const dataDir = options.dataDir ?? makeDataDir();
  const server: Server = createHttpServer();
  // A fixed port keeps the issuer URL across a restart on the same data dir.
  const port = await listen(server, options.port ?? 0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({ NODE_ENV: 'test', PORT: String(port), PUBLIC_URL: url, ...(await databaseEnv(dataDir)), LOG_LEVEL: 'info', PASSWORD_HASH_COST: TEST_PASSWORD_HASH_COST, ...options.env });
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(config.logLevel, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const runtime = await bootKanban(config, logger, { tools: options.tools, issuer: options.issuer, widgetFile: options.widgetFile, widgetSource: options.widgetSource });
  runtime.serve(server);
  return {
    url,
    mcpUrl: `${url}/mcp`,
    config,
    runtime,
    dataDir,
    logs,
    async stop() {
      server.closeAllConnections();
      await runtime.stopServing();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
      // Let pooled client sockets see the close before anything reuses this port.
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}

export async function connectClient(mcpUrl: string): Promise<Client> {
  const client = new Client({ name: 'kanban-test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  return client;
}

export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}

/** A raw JSON-RPC POST, the way any HTTP client would send it. */
export function postMcp(mcpUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

type StartOptions = Parameters<typeof startKanban>[0];

/**
 * For a test file that shares one server: starts it before the file's tests and stops it after.
 * Read the getter inside tests, not at import time.
 */
export function useKanban(options?: StartOptions): { readonly kanban: RunningKanban } {
  let kanban: RunningKanban | undefined;
  beforeAll(async () => {
    kanban = await startKanban(options);
  });
  afterAll(async () => {
    await kanban?.stop();
    if (kanban) removeDataDir(kanban.dataDir);
  });
  return {
    get kanban() {
      return kanban!;
    },
  };
}

/** useKanban plus one SDK client connected to it without a token. */
export function useKanbanWithClient(): { readonly kanban: RunningKanban; readonly client: Client } {
  const shared = useKanban();
  let client: Client | undefined;
  beforeAll(async () => {
    client = await connectClient(shared.kanban.mcpUrl);
  });
  afterAll(async () => {
    await client?.close();
  });
  return {
    get kanban() {
      return shared.kanban;
    },
    get client() {
      return client!;
    },
  };
}

/** Raw SQL against a running server's database (`?` placeholders; rows shaped alike on both engines). */
export function dbRows<Row = Record<string, unknown>>(kanban: RunningKanban, text: string, params: unknown[] = []): Promise<Row[]> {
  return kanban.runtime.database.query<Row>(text, params);
}

/** The first row of dbRows, if any. */
export async function dbRow<Row = Record<string, unknown>>(kanban: RunningKanban, text: string, params: unknown[] = []): Promise<Row | undefined> {
  return (await dbRows<Row>(kanban, text, params))[0];
}
