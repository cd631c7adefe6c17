import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { openDatabase, type OpenedDatabase } from '../../db/client.ts';
import { ConfigError, loadConfig, type AppConfig } from '../config.ts';

// What every operator command shares: --help, the server's own configuration (DATA_DIR…), its
// database, and failures as one line on stderr with exit code 1 (2 for a misused command).

/** A failure the person can fix; its message is the whole story. */
export class CommandError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface CommandSpec {
  help: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** Errors of other modules whose message is meant for a person as it is. */
  knownErrors?: (abstract new (...args: never[]) => Error)[];
  run(args: { positionals: string[]; values: Record<string, string | boolean | undefined> }): Promise<void>;
}

export async function runCommand(spec: CommandSpec): Promise<void> {
  try {
    let parsed: { positionals: string[]; values: Record<string, string | boolean | undefined> };
    try {
      parsed = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { ...spec.options, help: { type: 'boolean', short: 'h' } } }) as typeof parsed;
    } catch (error) {
      throw new CommandError(`${(error as Error).message}\n\n${spec.help}`, 2);
    }
    if (parsed.values.help) {
      process.stdout.write(`${spec.help}\n`);
      return;
    }
    await spec.run(parsed);
  } catch (error) {
    const known = error instanceof CommandError || error instanceof ConfigError || (spec.knownErrors ?? []).some((kind) => error instanceof kind);
    const message = error instanceof z.ZodError ? error.issues[0]!.message : known ? (error as Error).message : undefined;
    if (message === undefined) throw error;
    process.stderr.write(`kanban-mcp: ${message}\n`);
    process.exit(error instanceof CommandError ? error.exitCode : 1);
  }
}

/** The configuration the server would use. */
export function serverConfig(): AppConfig {
  return loadConfig();
}

/** The server's database (DATA_DIR), which must exist already: a typo in DATA_DIR must not make a new one. */
export function openServerDatabase(config: AppConfig): OpenedDatabase {
  if (!existsSync(config.databaseFile)) throw new CommandError(`no database at ${config.databaseFile}: start kanban-mcp once, or set DATA_DIR to the server's data folder.`);
  return openDatabase(config.databaseFile);
}
