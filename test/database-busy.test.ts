import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { postMcp, useKanban } from './support/kanban-server.ts';
import { signedInClient } from './support/oauth-steps.ts';

// DB-07: another process (a backup, a migration, a second server) holds the write lock longer
// than our busy timeout. The call is refused cleanly, nothing is half-written, and a retry works.

const shared = useKanban();

describe('a database locked by someone else', () => {
  it('gives a clear "try again" result, writes nothing, and the retry succeeds', async () => {
    const { tokens } = await signedInClient(shared.kanban);
    const call = () =>
      postMcp(shared.kanban.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'create_card', arguments: { title: 'Locked out' } } }, { authorization: `Bearer ${tokens.access_token}` });
    const other = new Database(shared.kanban.config.databaseFile);
    const count = () => (other.prepare("select count(*) as n from cards where title = 'Locked out'").get() as { n: number }).n;
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      const refused = await call();
      expect(refused.status).toBe(200);
      const body = (await refused.json()) as { result: { isError: boolean; content: { text: string }[] } };
      expect(body.result.isError).toBe(true);
      expect(body.result.content[0]!.text).toBe('Kanban is busy saving another change and nothing was changed. Try again in a moment.');
      other.prepare('ROLLBACK').run();
      expect(count()).toBe(0);
      const retried = (await (await call()).json()) as { result: { isError?: boolean } };
      expect(retried.result.isError).toBeUndefined();
      expect(count()).toBe(1);
      expect(shared.kanban.logs.some((line) => line.msg === 'database busy')).toBe(true);
    } finally {
      other.close();
    }
  });
});
