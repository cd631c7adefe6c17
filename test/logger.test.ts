import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { postgresUrlWithoutPassword } from '../db/database.ts';
import { startupBanner } from '../server/banner.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';

// Secrets never in logs or on the terminal: what a failed query and a database URL carry.

describe('what reaches the log and the terminal', () => {
  it('a failed query is logged with its driver code and message, never its SQL or bound parameters', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "oauth_store_pkey"'), { code: '23505', detail: 'Key (id)=(the-session-id) already exists.' });
    logger.error({ err: new DrizzleQueryError('insert into "oauth_store" values ($1, $2)', ['the-session-id', 'scrypt$hash-of-a-password'], cause) }, 'tool failed');
    const logged = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    expect(logged.err).toMatchObject({ type: 'DatabaseError', code: '23505', cause: 'duplicate key value violates unique constraint "oauth_store_pkey"' });
    expect(lines[0]).not.toMatch(/the-session-id|scrypt\$|insert into/);
  });

  it('a DATABASE_URL is shown without its password, in the user part or the query string', () => {
    const url = 'postgres://kanban:s3cret@db.internal:5432/kanban?password=hunter2&sslpassword=k3y&sslmode=require';
    expect(postgresUrlWithoutPassword(url)).toBe('postgres://kanban:***@db.internal:5432/kanban?…');
    const banner = startupBanner(loadConfig({ DATABASE_URL: url }), { port: 3000, accounts: 1 });
    expect(banner).toContain('Data:      PostgreSQL postgres://kanban:***@db.internal:5432/kanban?…');
    expect(banner).not.toMatch(/s3cret|hunter2|k3y/);
  });
});
