import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postMcp, useKanban, type RunningKanban } from './support/kanban-server.ts';
import { signedInClient } from './support/oauth-steps.ts';

// DB-07: another process (a backup, a migration, a second server) holds a lock longer than we
// wait for it. The call is refused cleanly, nothing is half-written, and a retry works.

// On PostgreSQL the wait is the statement timeout: short here, so the test does not wait 5 s.
const shared = useKanban({ env: { DATABASE_STATEMENT_TIMEOUT_MS: '500' } });

/** Another connection to the server's database that can hold the lock its writes need. */
interface LockHolder {
  lock(): Promise<void>;
  release(): Promise<void>;
  count(title: string): Promise<number>;
  close(): Promise<void>;
}

async function otherConnection(kanban: RunningKanban): Promise<LockHolder> {
  const { config } = kanban;
  if (config.databaseUrl === undefined) {
    const other = new Database(config.databaseFile);
    return {
      lock: async () => void other.prepare('BEGIN IMMEDIATE').run(),
      release: async () => void other.prepare('ROLLBACK').run(),
      count: async (title) => (other.prepare('select count(*) as n from cards where title = ?').get(title) as { n: number }).n,
      close: async () => void other.close(),
    };
  }
  const other = new pg.Client({ connectionString: config.databaseUrl });
  await other.connect();
  return {
    lock: async () => void (await other.query('BEGIN; LOCK TABLE cards IN ACCESS EXCLUSIVE MODE')),
    release: async () => void (await other.query('ROLLBACK')),
    count: async (title) => Number((await other.query('select count(*) as n from cards where title = $1', [title])).rows[0].n),
    close: () => other.end(),
  };
}

describe('a database locked by someone else', () => {
  it('gives a clear "try again" result, writes nothing, and the retry succeeds', async () => {
    const { tokens } = await signedInClient(shared.kanban);
    const call = () =>
      postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'create_card', arguments: { title: 'Locked out' } } }, { authorization: `Bearer ${tokens.access_token}` });
    const other = await otherConnection(shared.kanban);
    try {
      await other.lock();
      const refused = await call();
      expect(refused.status).toBe(200);
      const body = (await refused.json()) as { result: { isError: boolean; content: { text: string }[] } };
      expect(body.result.isError).toBe(true);
      expect(body.result.content[0]!.text).toBe('Kanban is busy saving another change and nothing was changed. Try again in a moment.');
      await other.release();
      expect(await other.count('Locked out')).toBe(0);
      const retried = (await (await call()).json()) as { result: { isError?: boolean } };
      expect(retried.result.isError).toBeUndefined();
      expect(await other.count('Locked out')).toBe(1);
      expect(shared.kanban.logs.some((line) => line.msg === 'database busy')).toBe(true);
    } finally {
      await other.close();
    }
  });
});
