import { afterEach, describe, expect, it, vi } from 'vitest';
import { anonymousActor, boardOf, cardsOf, signInActor } from './support/kanban-actors.ts';
import { makeDataDir, removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';

// Anonymous get_board answers from what it kept for the board (performance issue), and only while
// the board is unchanged: every change moves the board's updatedAt strictly forward, and every read
// checks it in the database, so no one not signed in sees a board older than the last change, on
// any replica. The server runs in this process, so a test can hold its clock (Date) still.

const servers: RunningKanban[] = [];
const dataDirs: string[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dataDirs.splice(0)) removeDataDir(dir);
});

async function start(dataDir: string, env: Record<string, string> = {}): Promise<RunningKanban> {
  if (!dataDirs.includes(dataDir)) dataDirs.push(dataDir);
  const kanban = await startKanban({ dataDir, env });
  servers.push(kanban);
  return kanban;
}

const titlesSeenBy = async (reader: Awaited<ReturnType<typeof anonymousActor>>, boardId: string) =>
  cardsOf(boardOf(await reader.call('get_board', { boardId }))).map((card) => card.title);

describe('anonymous get_board', () => {
  it('sees every change, even several within one millisecond', async () => {
    const kanban = await start(makeDataDir());
    const owner = await signInActor(kanban, 'owner');
    const reader = await anonymousActor(kanban);
    const board = boardOf(await owner.call('create_board', { title: 'Shared', visibility: 'public' }));
    expect(await titlesSeenBy(reader, board.id)).toEqual([]);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60_000); // held still: every write below happens in the same millisecond
    await owner.call('create_card', { boardId: board.id, title: 'first' });
    expect(await titlesSeenBy(reader, board.id)).toEqual(['first']);
    await owner.call('create_card', { boardId: board.id, title: 'second' });
    expect(await titlesSeenBy(reader, board.id)).toEqual(['first', 'second']);
    const first = cardsOf(boardOf(await owner.call('get_board', { boardId: board.id }))).find((card) => card.title === 'first')!;
    await owner.call('update_card', { cardId: first.id, title: 'renamed' });
    expect(await titlesSeenBy(reader, board.id)).toEqual(['renamed', 'second']);
    await owner.call('update_board', { boardId: board.id, visibility: 'private' });
    expect((await reader.call('get_board', { boardId: board.id })).isError).toBe(true);
  });

  it('on one replica sees a change made through another', async () => {
    const dataDir = makeDataDir();
    const first = await start(dataDir);
    const second = await start(dataDir, { PUBLIC_URL: first.url });
    const owner = await signInActor(first, 'owner');
    const board = boardOf(await owner.call('create_board', { title: 'Replicated', visibility: 'public' }));
    const reader = await anonymousActor(second);
    expect(await titlesSeenBy(reader, board.id)).toEqual([]);
    await owner.call('create_card', { boardId: board.id, title: 'made on the first' });
    expect(await titlesSeenBy(reader, board.id)).toEqual(['made on the first']);
  });

  it('gives the answer a fresh read gives, the same every time', async () => {
    const dataDir = makeDataDir();
    const kanban = await start(dataDir);
    const reader = await anonymousActor(kanban);
    const demo = ((await reader.call('list_boards', {})).structuredContent as { boards: { id: string }[] }).boards[0]!.id;
    const answers = [await reader.call('get_board', { boardId: demo }), await reader.call('get_board', { boardId: demo })];
    // A server that has kept nothing yet, on the same data.
    const fresh = await anonymousActor(await start(dataDir, { PUBLIC_URL: kanban.url }));
    answers.push(await fresh.call('get_board', { boardId: demo }));
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(cardsOf(boardOf(answers[0]!)).length).toBeGreaterThan(0);
  });
});
