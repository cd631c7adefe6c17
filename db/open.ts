import { openDatabase } from './client.ts';
import type { KanbanDatabase } from './database.ts';
import { openPostgres } from './pg/client.ts';

export interface DatabaseSettings {
  databaseFile: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  databaseStatementTimeoutMs: number;
}

/** PostgreSQL when DATABASE_URL is set (migrated once across replicas), else the SQLite file. */
export async function openKanbanDatabase(settings: DatabaseSettings): Promise<KanbanDatabase> {
  if (settings.databaseUrl === undefined) return openDatabase(settings.databaseFile);
  return openPostgres(settings.databaseUrl, { poolSize: settings.databasePoolSize, statementTimeoutMs: settings.databaseStatementTimeoutMs });
}
