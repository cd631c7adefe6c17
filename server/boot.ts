import type { Server } from 'node:http';
import type { Express } from 'express';
import type { KanbanDatabase } from '../db/database.ts';
import { openKanbanDatabase } from '../db/open.ts';
import { seedDemoBoards } from '../db/seed.ts';
import { createApp } from './http/app.ts';
import type { AppConfig } from './config.ts';
import { createKanbanService } from './kanban/service.ts';
import type { Logger } from './logger.ts';
import { embeddedIssuerAuth, type EmbeddedIssuerOptions } from './auth/issuer/index.ts';
import { resourceMetadataUrl } from './auth/resource-metadata.ts';
import { externalIssuerAuth, type ResourceAuth } from './auth/setup.ts';
import { createToolCatalogue, type ToolDefinition } from './mcp/catalogue.ts';
import type { McpDependencies } from './mcp/server.ts';
import { PUBLIC_TOOLS, SIGNED_IN_TOOLS } from './mcp/tools/index.ts';
import { BUILT_WIDGET_FILE, followWidgetBuilds, loadWidget } from './mcp/widget.ts';
import { playground, type Playground } from './playground/router.ts';
import { openRequestBudgets, type RequestBudgets } from './rate-limits/budgets.ts';

export interface KanbanRuntime {
  app: Express;
  database: KanbanDatabase;
  /** Answers `server`'s requests with the app (and, outside production, the playground's hot-reload socket). */
  serve(server: Server): void;
  /**
   * Closes the sockets that outlive requests (the playground's hot-reload socket, which the HTTP
   * server's close would wait for): call it when the server stops accepting, before close().
   */
  stopServing(): Promise<void>;
  /** Releases what boot opened (Redis, the issuer's timers, the database). Call after the HTTP server has stopped. */
  close(): Promise<void>;
}

/** AUTH_ISSUER set: trust that IdP. Otherwise: our own issuer, on the same origin. */
function setUpAuth(config: AppConfig, database: KanbanDatabase, logger: Logger, requestBudgets: RequestBudgets, options: BootOptions): Promise<ResourceAuth> {
  if (config.authIssuer !== undefined) return externalIssuerAuth({ ...config, authIssuer: config.authIssuer }, logger);
  return embeddedIssuerAuth(config, database, logger, requestBudgets, options.issuer);
}

export interface BootOptions {
  /** The tools to serve instead of ours (for embedders, and tests of the enforcement itself). */
  tools?: readonly ToolDefinition[];
  issuer?: EmbeddedIssuerOptions;
  /** The built widget HTML (default: web/dist/index.html). */
  widgetFile?: string;
  /** The widget's sources the playground hot-reloads (default: web/). */
  widgetSource?: string;
}

/** Closes what boot opened, newest first; the database last. */
async function closeInOrder(closers: readonly (() => unknown)[]): Promise<void> {
  for (const close of closers) await close();
}

/** Everything between configuration and listening: auth, database, migrations, seed, services, app. */
export async function bootKanban(config: AppConfig, logger: Logger, options: BootOptions = {}): Promise<KanbanRuntime> {
  // First: a missing build stops the start before anything is opened.
  const widget = loadWidget(options.widgetFile, config.publicUrl);
  const database = await openKanbanDatabase(config);
  const closeAll: (() => unknown)[] = [() => database.close()];
  try {
    const requestBudgets = await openRequestBudgets({ redisUrl: config.redisUrl, namespace: config.resourceUrl, database, logger });
    closeAll.unshift(() => requestBudgets.close());
    const auth = await setUpAuth(config, database, logger, requestBudgets, options);
    closeAll.unshift(() => auth.close?.());
    const seeded = await seedDemoBoards(database);
    if (seeded > 0) logger.info({ boards: seeded }, 'seeded demo boards');
    const tools = options.tools ?? [...PUBLIC_TOOLS, ...SIGNED_IN_TOOLS];
    const mcp: McpDependencies = {
      catalogue: createToolCatalogue(tools, widget.toolMeta),
      kanban: createKanbanService(database, config.usage),
      logger,
      resourceMetadataUrl: resourceMetadataUrl(config),
      challengeMode: config.authChallenge,
      widget,
    };
    let httpServer: Server | undefined;
    let devPlayground: Playground | undefined;
    // Never in production: new widget builds served without a restart, and the playground (/dev).
    if (config.env !== 'production') {
      closeAll.unshift(
        followWidgetBuilds(options.widgetFile ?? BUILT_WIDGET_FILE, config.publicUrl, widget, (next) => {
          mcp.widget = next;
          mcp.catalogue = createToolCatalogue(tools, next.toolMeta);
          logger.info({ uri: next.uri }, 'serving a new build of the widget');
        }),
      );
      devPlayground = playground({ env: config.env, widgetRoot: options.widgetSource, publicUrl: config.publicUrl, allowedHostnames: config.allowedHostnames, httpServer: () => httpServer });
    }
    const stopServing = async () => devPlayground?.close();
    closeAll.unshift(stopServing);
    const app = createApp({ config, database, logger, mcp, auth, requestBudgets, playground: devPlayground?.router });
    const serve = (server: Server) => {
      httpServer = server;
      server.on('request', app);
    };
    return { app, database, serve, stopServing, close: () => closeInOrder(closeAll) };
  } catch (error) {
    await closeInOrder(closeAll);
    throw error;
  }
}
