import { readFileSync } from 'node:fs';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEMO_BOARDS } from '../db/seed.ts';
import { runCli } from './support/cli.ts';
import { boardOf, cardsOf, type BoardView } from './support/kanban-actors.ts';
import type { RegisteredClient } from './support/oauth-steps.ts';
import { startBurst } from './support/replica-burst.ts';
import { available, callOk, DATABASE_URL, errorLogLines, launch, replicas, rows, serving, signUpAcross, stopReplica, subjectOn, unavailableReason, until, useReplicas, via, type Replica } from './support/replicas.ts';
import { refresh } from './support/token-helpers.ts';

// Three server processes ("replicas") on one PostgreSQL database, as behind a load balancer:
// one PUBLIC_URL for all, each on its own loopback port, each request sent straight to the
// replica the test picks. They start together on an empty database (migrations and the seed
// must happen once), an OAuth flow hops between them (the issuer's state is in the database,
// not in a process), and two users write through all three at once while one is SIGKILLed and
// restarted: every acknowledged write is there exactly once, and positions stay consistent.
// About PostgreSQL, so it runs whatever TEST_ENGINE says; skipped when no server answers. The replicas
// themselves: support/replicas.ts; the burst's writers: support/replica-burst.ts.

const MIGRATIONS = (JSON.parse(readFileSync(new URL('../db/postgres/migrations/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] }).entries.length;

useReplicas();

// Shared by the tests below, which run in order: the users the OAuth flows signed up, and the
// key the burst rotated.
const users: { label: string; accessToken: string; subject: string; client: RegisteredClient; refreshToken: string }[] = [];
let rotatedKid = '';

describe('three replicas on one PostgreSQL database', () => {
  it('starting at once on an empty database, they migrate and seed it once, and all three serve', async (context) => {
    context.skip(!available, unavailableReason);
    expect(replicas).toHaveLength(3);
    // Spawned in the same tick: they race for the migration lock and the seed.
    for (const replica of replicas) replica.server = launch(replica);
    await Promise.all(replicas.map((replica) => serving(replica)));

    for (const replica of replicas) {
      const health = await fetch(`${replica.url}/healthz`);
      expect(await health.json(), replica.name).toEqual({ status: 'ok', database: 'ok' });
      const boards = await callOk(replica, undefined, 'list_boards', { limit: 100 });
      expect((boards.structuredContent as { boards: unknown[] }).boards, replica.name).toHaveLength(DEMO_BOARDS.length);
    }
    const [migrations] = await rows<{ n: number; hashes: number }>('SELECT count(*)::int AS n, count(DISTINCT hash)::int AS hashes FROM drizzle.__drizzle_migrations');
    expect(migrations).toEqual({ n: MIGRATIONS, hashes: MIGRATIONS });
    const [demo] = await rows<{ n: number }>('SELECT count(*)::int AS n FROM boards WHERE owner_sub IS NULL');
    expect(demo!.n).toBe(DEMO_BOARDS.length);
    // One replica seeded; the others found the boards there (the seed's check and inserts are one transaction).
    const seeders = replicas.filter((replica) => replica.server!.stdout().includes('"msg":"seeded demo boards"'));
    expect(seeders).toHaveLength(1);
    // One signing key and one set of cookie keys, shared: that is what lets a token or cookie from one replica work on another.
    expect(await rows('SELECT count(*)::int AS n FROM signing_keys')).toEqual([{ n: 1 }]);
    expect(await rows("SELECT count(*)::int AS n FROM issuer_secrets WHERE name = 'cookie_keys'")).toEqual([{ n: 1 }]);
    expect(errorLogLines()).toEqual([]);
  });

  it('an OAuth flow hops replicas: authorize on 1, sign-up on 2 and 3, consent on 2, code exchange on 2, tools on 3, refreshes on 3 and 1, the new tokens on 1 and 2', async (context) => {
    context.skip(!available, unavailableReason);
    const [one, two, three] = replicas as [Replica, Replica, Replica];
    const { client, accessToken, refreshToken } = await signUpAcross('replica-ada', { authorize: one, signUpPage: two, signUp: three, consent: two, token: two });

    const subject = await subjectOn(three, accessToken);
    expect(subject).toMatch(/\S/);
    const board = boardOf(await callOk(three, accessToken, 'create_board', { title: 'Made on replica 3', requestId: 'replicas-oauth-board' }));
    // Another replica sees the board at once: no per-process cache between the write and the read.
    expect(boardOf(await callOk(one, accessToken, 'get_board', { boardId: board.id })).title).toBe('Made on replica 3');

    const refreshed = await refresh(via(three), client, refreshToken);
    expect(refreshed.status, refreshed.text).toBe(200);
    const newToken = refreshed.body.access_token as string;
    expect(newToken).not.toBe(accessToken);
    for (const replica of [one, two]) expect(await subjectOn(replica, newToken), replica.name).toBe(subject);
    // The new refresh token works on yet another replica.
    const again = await refresh(via(one), client, refreshed.body.refresh_token as string);
    expect(again.status, again.text).toBe(200);
    expect(await subjectOn(two, again.body.access_token as string)).toBe(subject);

    users.push({ label: 'A', accessToken: again.body.access_token as string, subject, client, refreshToken: again.body.refresh_token as string });
    // The second user's flow takes the other path round the replicas.
    const second = await signUpAcross('replica-bob', { authorize: three, signUpPage: one, signUp: two, consent: three, token: one });
    users.push({ label: 'B', ...second, subject: await subjectOn(two, second.accessToken) });
    expect(users[1]!.subject).not.toBe(subject);
    expect(errorLogLines()).toEqual([]);
  });

  it('two users writing through all three, one replica SIGKILLed mid-burst and restarted: every acknowledged card once, consistent positions', async (context) => {
    context.skip(!available, unavailableReason);
    expect(users).toHaveLength(2);
    const victim = replicas[1]!;
    const COLUMNS = ['To do', 'Doing', 'Review', 'Done'];
    const LOOPS_PER_USER = 4;
    const MAX_ATTEMPTS = 5;

    const writers = await Promise.all(
      users.map(async (user, index) => ({
        ...user,
        board: boardOf(await callOk(replicas[index]!, user.accessToken, 'create_board', { title: `Burst ${user.label}`, columns: COLUMNS })),
        cards: [] as string[],
        turn: index,
      })),
    );
    const burstStarted = Date.now();
    const burst = startBurst(writers, { columns: COLUMNS, loopsPerUser: LOOPS_PER_USER, maxAttempts: MAX_ATTEMPTS });
    const { acks, sent, acknowledged, unexpected, tally, ackedOn } = burst;
    // Loops end only when told to, so a failure below must stop them before it propagates.
    let inFlightAtKill = 0;
    let restartMs = 0;
    let killExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    try {
      await until('writes through all three replicas', () => Date.now() - burstStarted > 1500 && replicas.every((replica) => ackedOn(replica, 'all up') >= 10));
      // Kill it while our calls are in flight on it, not between them (two, so that at least one is
      // most likely still being worked on rather than answered and not yet read).
      await until(`calls in flight on ${victim.name}`, () => victim.inFlight >= 2, 5000, 1);
      inFlightAtKill = victim.inFlight;
      burst.phase = 'one down';
      victim.up = false;
      victim.generation++;
      victim.server!.child.kill('SIGKILL');
      killExit = await victim.server!.exited;
      victim.past.push(victim.server!);
      // While it is down, a new signing key: every replica publishes it within seconds; the
      // restarted one signs with it, and its start retires the old key, so the others switch too
      // (see the key test below).
      const rotated = await runCli('signing-keys', ['rotate'], victim.dataDir, { env: { DATABASE_URL } });
      expect(rotated.code, rotated.stderr).toBe(0);
      rotatedKid = /New signing key (\S+):/.exec(rotated.stdout)?.[1] ?? '';
      // The other two carry the load alone for a while.
      await until('writes through the two survivors', () => replicas.every((replica) => replica === victim || ackedOn(replica, 'one down') >= 10));
      const relaunched = Date.now();
      victim.server = launch(victim);
      await serving(victim);
      restartMs = Date.now() - relaunched;
      burst.phase = 'restarted';
      const restartedAt = Date.now();
      await until(`writes through the restarted ${victim.name}`, () => Date.now() - restartedAt > 1500 && replicas.every((replica) => ackedOn(replica, 'restarted') >= 10));
    } finally {
      await burst.stop();
    }

    const summary = { acks: Object.fromEntries(acks), inFlightAtKill, restartMs, sent: sent.size, acknowledged: acknowledged.size, ...tally, ms: Date.now() - burstStarted };
    console.info('replica burst:', JSON.stringify(summary));
    expect(unexpected).toEqual([]);
    expect(errorLogLines()).toEqual([]);
    expect(killExit).toEqual({ code: null, signal: 'SIGKILL' });
    // The kill was under load: calls were in flight on the victim, and at least one died with it
    // (that the survivors and the restarted replica acknowledged writes, the waits above made sure).
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(tally.lost).toBeGreaterThan(0);
    for (const kind of ['top', 'bottom', 'before', 'after'] as const) expect(tally[kind], `${kind} moves`).toBeGreaterThan(0);

    // Every acknowledged card is in the table exactly once, on its writer's board, made by its writer;
    // a card whose every attempt was lost is there at most once; nothing appears that was never sent.
    const stored = await rows<{ id: string; title: string; board_id: string; created_by_sub: string }>(
      'SELECT id, title, board_id, created_by_sub FROM cards WHERE board_id = ANY($1)',
      [writers.map((writer) => writer.board.id)],
    );
    const byTitle = new Map<string, typeof stored>();
    for (const card of stored) byTitle.set(card.title, [...(byTitle.get(card.title) ?? []), card]);
    expect(acknowledged.size).toBeGreaterThan(0);
    for (const [title, { cardId, writer }] of acknowledged) {
      expect(byTitle.get(title)?.map((card) => [card.id, card.board_id, card.created_by_sub]), title).toEqual([[cardId, writer.board.id, writer.subject]]);
    }
    expect([...byTitle].filter(([, cards]) => cards.length > 1).map(([title]) => title)).toEqual([]);
    expect(stored.map((card) => card.title).filter((title) => !sent.has(title))).toEqual([]);
    const strays = await rows<{ title: string }>('SELECT title FROM cards WHERE created_by_sub IS NOT NULL AND NOT (board_id = ANY($1))', [writers.map((writer) => writer.board.id)]);
    expect(strays).toEqual([]);

    // Per column, distinct positions; and every replica lists each board in position order.
    for (const writer of writers) {
      const positions = await rows<{ column_id: string; n: number; distinct_positions: number }>(
        'SELECT column_id, count(*)::int AS n, count(DISTINCT position)::int AS distinct_positions FROM cards WHERE board_id = $1 GROUP BY column_id',
        [writer.board.id],
      );
      expect(positions.length, writer.label).toBeGreaterThan(0);
      for (const column of positions) expect(column.distinct_positions, `${writer.label} ${column.column_id}`).toBe(column.n);
      const ordered = await rows<{ id: string; column_id: string }>('SELECT id, column_id FROM cards WHERE board_id = $1 ORDER BY position, id', [writer.board.id]);
      const expected = (board: BoardView) => board.columns.map((column) => ordered.filter((card) => card.column_id === column.id).map((card) => card.id));
      for (const replica of replicas) {
        const board = boardOf(await callOk(replica, writer.accessToken, 'get_board', { boardId: writer.board.id }));
        expect(board.columns.map((column) => column.cards.map((card) => card.id)), `${writer.label} on ${replica.name}`).toEqual(expected(board));
        expect(cardsOf(board)).toHaveLength(stored.filter((card) => card.board_id === writer.board.id).length);
      }
    }
  });

  it('after a key rotation, the restarted replica signs with the new key, and the others read it from the key table without a restart', async (context) => {
    context.skip(!available, unavailableReason);
    const [one, two, three] = replicas as [Replica, Replica, Replica];
    const user = users[0]!;
    expect(rotatedKid).toMatch(/\S/);
    // Tokens of the old key (signed before the rotation) keep working on the restarted replica 2.
    expect(decodeProtectedHeader(user.accessToken).kid).not.toBe(rotatedKid);
    expect(await subjectOn(two, user.accessToken)).toBe(user.subject);
    const refreshed = await refresh(via(two), user.client, user.refreshToken);
    expect(refreshed.status, refreshed.text).toBe(200);
    const token = refreshed.body.access_token as string;
    expect(decodeProtectedHeader(token).kid).toBe(rotatedKid);
    for (const replica of [one, three]) {
      expect(await subjectOn(replica, token), replica.name).toBe(user.subject);
      // It read the changed key table (no restart): it signs with the new key too, listed first.
      await expect.poll(async () => ((await (await fetch(`${replica.url}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys[0]?.kid, { message: replica.name }).toBe(rotatedKid);
    }
    expect(errorLogLines()).toEqual([]);
  });

  it('every replica stops gracefully on SIGTERM', async (context) => {
    context.skip(!available, unavailableReason);
    const exits = await Promise.all(replicas.map((replica) => stopReplica(replica)));
    expect(exits).toEqual(replicas.map(() => ({ code: 0, signal: null })));
  });
});
