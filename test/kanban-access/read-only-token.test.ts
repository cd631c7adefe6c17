import { beforeAll, describe, expect, it } from 'vitest';
import { exchangeCode, getCode } from '../support/oauth-steps.ts';
import { actorWithToken, boardOf, cardByTitle, listAllBoards, rawPost, randomWord, type Actor, type SearchHit } from '../support/kanban-actors.ts';
import { A, absentTarget, expectBareError, fixtures, KINDS, metadataUrl, shared, targetOf, unchanged, useKanbanAccess, WRITE_TOOLS, writeArgs } from './fixtures.ts';

// A's token with kanban.read only: it reads what A reads, and every write is refused for the scope
// (AU-01, AU-02, AU-04, AU-18).

useKanbanAccess();

describe('a token with kanban.read only (AU-01, AU-02, AU-04, AU-18)', () => {
  let reader: Actor;

  beforeAll(async () => {
    const kanban = shared.kanban;
    const { code, verifier } = await getCode(kanban, A.oauth!.client, A.oauth!.account, { scope: 'kanban.read' });
    const tokens = await exchangeCode(kanban, A.oauth!.client, code, verifier);
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('kanban.read');
    reader = await actorWithToken(kanban, 'A-read', tokens.body.access_token as string, A);
  });

  it('is A, with kanban.read and nothing more', async () => {
    const result = await reader.call('whoami');
    expect(result.structuredContent).toMatchObject({ subject: A.subject, scopes: ['kanban.read'] });
  });

  for (const tool of WRITE_TOOLS) {
    it(`${tool}: HTTP 403 insufficient_scope naming kanban.write on every kind of board, and nothing runs`, async () => {
      for (const target of [...KINDS.map((kind) => targetOf(fixtures[kind])), absentTarget()]) {
        const response = await unchanged(() => reader.raw(tool, writeArgs(tool, target, randomWord('r'))));
        expect(response.status).toBe(403);
        expect(response.challenge).toMatch(new RegExp(`^Bearer resource_metadata="${metadataUrl().replaceAll('.', '\\.')}", error="insufficient_scope", error_description="Sign in to \\w+ (cards|boards): your sign-in does not include kanban\\.write\\. Sign in again to allow it\\.", scope="kanban\\.write"$`));
        expect(response.body.error).toMatchObject({ code: -32001 });
        expect(response.body.result).toBeUndefined();
      }
    });
  }

  it('still reads A’s private board, as owned but not editable, and still cannot see B’s', async () => {
    const own = fixtures['A-private'];
    const board = boardOf(await reader.call('get_board', { boardId: own.id }));
    expect(board).toMatchObject({ id: own.id, title: own.title, visibility: 'private', owned: true, canEdit: false });
    const listed = await listAllBoards(reader);
    expect(listed.find((entry) => entry.id === own.id)).toMatchObject({ owned: true, canEdit: false });
    expect(listed.find((entry) => entry.id === fixtures['B-private'].id)).toBeUndefined();
    const search = await reader.call('search_cards', { query: own.query });
    expect((search.structuredContent as { results: SearchHit[] }).results.map((hit) => hit.card.id)).toEqual([own.cardId]);
    const other = await reader.call('get_board', { boardId: fixtures['B-private'].id });
    expect(expectBareError(other)).toMatch(/^No board \S+ is visible to you\./);
  });

  it('a batch hiding a write behind a read is refused whole (AU-02)', async () => {
    const own = fixtures['A-private'];
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_board', arguments: { boardId: own.id } } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'delete_board', arguments: { boardId: own.id } } },
    ];
    const response = await unchanged(() => rawPost(shared.kanban.mcpUrl, reader.token, batch));
    expect(response.status).toBe(403);
    expect(response.challenge).toContain('error="insufficient_scope"');
    const anonymousBatch = await unchanged(() => rawPost(shared.kanban.mcpUrl, undefined, batch));
    expect(anonymousBatch.status).toBe(401);
  });

  it('step-up (AU-18): A’s read-write token writes, the read-only one is still refused afterwards', async () => {
    const own = fixtures['A-private'];
    const title = `Step-up ${randomWord()}`;
    const written = await A.call('create_card', { boardId: own.id, title });
    expect(cardByTitle(boardOf(written), title)).toBeTruthy();
    const again = await unchanged(() => reader.raw('create_card', { boardId: own.id, title: 'nope' }));
    expect(again.status).toBe(403);
    await A.call('delete_card', { cardId: cardByTitle(boardOf(written), title).id });
  });
});
