import type { Express } from 'express';
import { openDatabase, type OpenedDatabase } from '../db/client.ts';
import { seedDemoBoards } from '../db/seed.ts';
import { createApp } from './app.ts';
import type { AppConfig } from './config.ts';
import { createKanbanService } from './kanban/service.ts';
import type { Logger } from './logger.ts';
import { createToolCatalogue } from './mcp/catalogue.ts';
import { TOOLS } from './mcp/tools/index.ts';

export interface KanbanRuntime {
  app: Express;
  database: OpenedDatabase;
  /** Releases what boot opened (the database). Call after the HTTP server has stopped. */
  close(): void;
}

/** Everything between configuration and listening: database, migrations, seed, services, app. */
export function bootKanban(config: AppConfig, logger: Logger): KanbanRuntime {
  const database = openDatabase(config.databaseFile);
  const seeded = seedDemoBoards(database.db);
  if (seeded > 0) logger.info({ boards: seeded }, 'seeded demo boards');
  const mcp = { catalogue: createToolCatalogue(TOOLS), kanban: createKanbanService(database.db), logger };
  const app = createApp({ config, database, logger, mcp });
  return { app, database, close: () => database.close() };
}
