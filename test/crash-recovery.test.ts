import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnServer, untilAnswering, type ChildServer } from './support/child-server.ts';
import { LOAD_LIMITS, makeDataDir, postMcp, removeDataDir } from './support/kanban-server.ts';
import { signInToChildServer } from './support/oauth-steps.ts';
import { TEST_ENGINE } from './support/test-database.ts';

// A server process under write load killed with SIGKILL at random moments, six times. After
// each restart the database is intact, every write the server acknowledged before the kill is
// there exactly once, and the server serves. (WAL with synchronous=NORMAL: a crash of the
// process loses no commit; only a power loss could.)

const dataDir = makeDataDir();
let child: ChildServer | undefined;
afterAll(() => {
  child?.child.kill('SIGKILL');
  removeDataDir(dataDir);
});

// The kill moments, counted from the round's first acknowledged write (so every kill lands in a
// real burst, however slowly a busy machine starts the server): spread over early and late in a
// burst, fixed so a failure can be replayed.
const KILL_AFTER_MS = [350, 900, 150, 1300, 600, 1000];
const WRITERS = 4;

// The SQLite file's recovery; replicas killed on PostgreSQL: replicas.test.ts.
describe.skipIf(TEST_ENGINE !== 'sqlite')('SIGKILL under write load', () => {
  it('six kills at random moments: integrity ok, every acknowledged write there once, and it serves again', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const start = async () => {
      child = spawnServer({ PORT: String(port), PUBLIC_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...LOAD_LIMITS });
      await untilAnswering(`${url}/healthz`);
    };
    await start();
    const token = await signInToChildServer(url, dataDir, 'crash-writer');
    const acknowledged: string[] = [];
    let written = 0;

    for (const [round, killAfter] of KILL_AFTER_MS.entries()) {
      const acknowledgedBefore = acknowledged.length;
      let running = true;
      const writer = async (index: number) => {
        while (running) {
          const title = `Round ${round} writer ${index} card ${++written}`;
          let status: number;
          let body: { result?: { isError?: boolean } };
          try {
            const response = await postMcp(`${url}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'create_card', arguments: { title } } }, { authorization: `Bearer ${token}` });
            status = response.status;
            body = (await response.json()) as typeof body;
          } catch (error) {
            if (running) throw error;
            return; // the connection died with the server, under this request: not acknowledged
          }
          // An answer that came, kill or no kill, must be a success: a 500 or an error result fails the test.
          if (status === 200 && body.result && !body.result.isError) acknowledged.push(title);
          else throw new Error(`HTTP ${status}: ${JSON.stringify(body).slice(0, 200)}`);
        }
      };
      const failures: Error[] = [];
      const writers = Array.from({ length: WRITERS }, (_, index) => writer(index).catch((error: Error) => void failures.push(error)));
      // This round's burst is real: the restarted server acknowledges writes before it dies (or a writer's failure ends the wait).
      await expect.poll(() => acknowledged.length > acknowledgedBefore || failures.length > 0, { message: `round ${round}: no write acknowledged` }).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, killAfter));
      running = false;
      child!.child.kill('SIGKILL');
      await child!.exited;
      await Promise.all(writers);
      expect(failures).toEqual([]);

      const database = new Database(join(dataDir, 'kanban.sqlite'));
      try {
        expect(database.pragma('integrity_check', { simple: true })).toBe('ok');
        const stored = database.prepare("select title from cards where title like 'Round %'").all() as { title: string }[];
        const counts = new Map<string, number>();
        for (const { title } of stored) counts.set(title, (counts.get(title) ?? 0) + 1);
        expect(acknowledged.length, `round ${round}`).toBeGreaterThan(0);
        for (const title of acknowledged) expect(counts.get(title), title).toBe(1);
        expect([...counts.values()].every((count) => count === 1)).toBe(true);
      } finally {
        database.close();
      }
      await start();
      const served = await postMcp(`${url}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_boards', arguments: {} } });
      expect(served.status).toBe(200);
      expect(((await served.json()) as { result: { isError?: boolean } }).result.isError).toBeFalsy();
    }
  });
});
