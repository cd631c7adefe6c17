import { openDatabase } from './sqlite/client.ts';
import { databaseErrorCode, postgresUrlWithoutPassword, type KanbanDatabase } from './database.ts';
import { openPostgres, SchemaTooNewError } from './postgres/client.ts';

/** The database could not be opened: one line for the person starting the server. */
export class DatabaseOpenError extends Error {}

export interface DatabaseSettings {
  databaseFile: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  databaseStatementTimeoutMs: number;
}

/** PostgreSQL when DATABASE_URL is set (migrated once across replicas), else the SQLite file. */
export async function openKanbanDatabase(settings: DatabaseSettings): Promise<KanbanDatabase> {
  if (settings.databaseUrl === undefined) return openDatabase(settings.databaseFile);
  try {
    return await openPostgres(settings.databaseUrl, { poolSize: settings.databasePoolSize, statementTimeoutMs: settings.databaseStatementTimeoutMs });
  } catch (error) {
    const where = postgresUrlWithoutPassword(settings.databaseUrl);
    if (error instanceof SchemaTooNewError) throw new DatabaseOpenError(`PostgreSQL at ${where}: ${error.message}`);
    // Unreachable, wrong password, no such database: what the driver says, without the URL's password.
    if (databaseErrorCode(error) !== '' || error instanceof AggregateError) {
      throw new DatabaseOpenError(`cannot open PostgreSQL at ${where} (DATABASE_URL): ${(error as Error).message || databaseErrorCode(error)}`);
    }
    throw error;
  }
}
