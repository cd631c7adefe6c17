import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import type { KanbanDatabase } from '../../db/database.ts';
import { openKanbanDatabase } from '../../db/open.ts';
import { ConfigError, type AppConfig } from '../config.ts';

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

/**
 * The command's own options, then `--` and everything else: an OAuth client id may begin with a
 * dash ("-d3x…"), and must stay an argument rather than be read as an unknown option.
 */
function optionsFirst(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const takesValue = new Map<string, boolean>();
  for (const [name, option] of Object.entries(options)) {
    takesValue.set(`--${name}`, option.type === 'string');
    if (option.short) takesValue.set(`-${option.short}`, option.type === 'string');
  }
  const known: string[] = [];
  const rest: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const name = arg.split('=')[0]!;
    if (arg === '--') {
      rest.push(...args.slice(index + 1));
      break;
    }
    if (!takesValue.has(name)) {
      rest.push(arg);
      continue;
    }
    known.push(arg);
    if (takesValue.get(name) && !arg.includes('=') && index + 1 < args.length) known.push(args[++index]!);
  }
  return [...known, '--', ...rest];
}

export async function runCommand(spec: CommandSpec): Promise<void> {
  try {
    let parsed: { positionals: string[]; values: Record<string, string | boolean | undefined> };
    try {
      const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as const;
      parsed = parseArgs({ args: optionsFirst(process.argv.slice(2), options), allowPositionals: true, options }) as typeof parsed;
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

/** The server's SQLite file must exist already: a typo in DATA_DIR must not make a new one. */
export function requireServerDatabase(config: AppConfig): void {
  if (config.databaseUrl === undefined && !existsSync(config.databaseFile)) throw new CommandError(`no database at ${config.databaseFile}: start kanban-mcp once, or set DATA_DIR to the server's data folder.`);
}

/** The server's database (DATABASE_URL, or the SQLite file, which must exist unless `create`). */
export function openServerDatabase(config: AppConfig, options: { create?: boolean } = {}): Promise<KanbanDatabase> {
  if (!options.create) requireServerDatabase(config);
  return openKanbanDatabase(config);
}

/** The embedded issuer's commands make no sense when an external IdP signs people in. */
export function requireEmbeddedIssuer(config: AppConfig, what: string): void {
  if (config.authIssuer !== undefined) throw new CommandError(`AUTH_ISSUER is set: ${what} ${config.authIssuer}, not by kanban-mcp.`);
}

/**
 * Text that came from users (client names, redirect URIs, board titles): terminal controls (C0,
 * DEL, C1, so ESC sequences that recolour, move or retitle) and bidirectional controls (text shown
 * in another order) are printed as visible escapes, and so is the backslash that starts them (CWE-150).
 */
const UNPRINTABLE = /[\p{Cc}\p{Bidi_Control}\\]/gu;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    if (char === '\\') return '\\\\';
    const code = char.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** printable(text) in double quotes, a quote inside escaped. */
export function quoted(text: string): string {
  return `"${printable(text).replaceAll('"', '\\"')}"`;
}
