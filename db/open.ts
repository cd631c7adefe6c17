import { databaseErrorCode, postgresUrlWithoutPassword, type KanbanDatabase } from './database.ts';

// Each engine's client is loaded only when it is the one opened: on Node 22 loading one engine's
// Drizzle modules costs a process about half a second (Node reads drizzle-orm's 180 kB
// package.json again for each of its modules), which every start and operator command paid twice.

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
  if (settings.databaseUrl === undefined) return (await import('./sqlite/client.ts')).openDatabase(settings.databaseFile);
  const { openPostgres, SchemaTooNewError } = await import('./postgres/client.ts');
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
