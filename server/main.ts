import { DatabaseOpenError } from '../db/open.ts';
import { startupBanner } from './banner.ts';
import { ConfigError, loadConfig, type AppConfig } from './config.ts';
import { IssuerDiscoveryError } from './auth/external-issuer.ts';
import { countAccounts } from './auth/issuer/accounts.ts';
import { bootKanban, type KanbanRuntime } from './boot.ts';
import { createHttpServer, listen } from './http/http-server.ts';
import { createLogger } from './logger.ts';
import { WidgetNotBuiltError } from './mcp/widget.ts';

// Process entry: config → database → app → listen, and a graceful stop on SIGTERM/SIGINT.

const SHUTDOWN_GRACE_MS = 10_000;

function fail(message: string): never {
  process.stderr.write(`kanban-mcp: ${message}\n`);
  process.exit(1);
}

let config: AppConfig;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

const logger = createLogger(config.logLevel);
let runtime: KanbanRuntime;
try {
  runtime = await bootKanban(config, logger);
} catch (error) {
  if (error instanceof IssuerDiscoveryError || error instanceof WidgetNotBuiltError || error instanceof DatabaseOpenError) fail(error.message);
  throw error;
}
const server = createHttpServer();
runtime.serve(server);

let port: number;
try {
  port = await listen(server, config.port, config.host);
} catch (error) {
  await runtime.close();
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is already in use: stop the other process or set PORT.`);
  if (code === 'EACCES') fail(`not allowed to listen on port ${config.port}: pick a port above 1024 with PORT.`);
  throw error;
}
const accountCount = config.authIssuer === undefined ? await countAccounts(runtime.database) : undefined;
// For the person at the terminal, on stderr: stdout carries only the JSON log lines.
process.stderr.write(startupBanner(config, { port, accounts: accountCount }) + '\n');
logger.info({ port, host: config.host, publicUrl: config.publicUrl }, 'listening');

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: finishing in-flight requests');
  // Stop accepting; let requests in flight finish; drop idle keep-alive sockets now.
  server.close(() => {
    void runtime.close().finally(() => {
      logger.info('stopped');
      process.exit(0);
    });
  });
  server.closeIdleConnections();
  void runtime.stopServing();
  setTimeout(() => {
    logger.warn('in-flight requests did not finish in time; closing them');
    server.closeAllConnections();
  }, SHUTDOWN_GRACE_MS).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
