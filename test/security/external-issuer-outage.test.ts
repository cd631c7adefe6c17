import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawToolCall } from '../support/kanban-actors.ts';
import { postMcp, removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { startStandInIdp, type JwksAnswer, type StandInIdp } from '../support/stand-in-idp.ts';

// RV-11: when the external issuer's signing keys cannot be fetched, a token cannot be checked,
// which says nothing about the token. /mcp answers 503 "try again", never 401 invalid_token
// (RFC 6750 §3.1: that tells the client its token is bad, and clients throw such tokens away).
// Calls without a token do not need the keys and keep working. A token that is really bad
// (checked against keys the server has) is still 401.

const API_AUDIENCE = 'https://api.kanban.example';

interface Pair {
  idp: StandInIdp;
  kanban: RunningKanban;
}
const pairs: Pair[] = [];

/** An IdP and a kanban-mcp trusting it; the kanban-mcp has fetched no keys yet (it does at the first token). */
async function trustingNewIdp(): Promise<Pair> {
  const idp = await startStandInIdp({ audience: API_AUDIENCE });
  const kanban = await startKanban({ env: { AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: API_AUDIENCE, LOG_LEVEL: 'silent' } });
  pairs.push({ idp, kanban });
  return { idp, kanban };
}
afterAll(async () => {
  for (const { idp, kanban } of pairs) {
    await kanban.stop();
    removeDataDir(kanban.dataDir);
    await idp.stop();
  }
});

const createBoard = (kanban: RunningKanban, token: string) =>
  postMcp(kanban.mcpUrl, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'create_board', arguments: { title: 'Made during an outage' } } }, { authorization: `Bearer ${token}` });

async function expectTryAgain(kanban: RunningKanban, token: string, when: string): Promise<void> {
  const response = await createBoard(kanban, token);
  expect(response.status, when).toBe(503);
  expect(response.headers.get('retry-after'), when).toBe('5');
  expect(response.headers.get('www-authenticate'), when).toBeNull();
  expect(await response.json(), when).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: expect.stringMatching(/could not be checked\. Try again in 5 seconds\.$/) }, id: null });
}

async function expectPublicCallsWork(kanban: RunningKanban): Promise<void> {
  const listed = await rawToolCall(kanban.mcpUrl, undefined, 'list_boards', {});
  expect(listed.status).toBe(200);
  expect(listed.body.result.isError).toBeFalsy();
}

describe("RV-11: the external issuer's keys cannot be fetched", () => {
  let pair: Pair;
  let token: string;
  beforeAll(async () => {
    pair = await trustingNewIdp();
    token = await pair.idp.token({ permissions: ['kanban.read', 'kanban.write'] });
  });

  it('a token not checkable yet is 503 "try again" whichever way the fetch fails (HTTP 500, not JSON, no answer, refused); public calls work', async () => {
    for (const answer of ['HTTP 500', 'not JSON', 'nothing'] satisfies JwksAnswer[]) {
      pair.idp.answerJwksWith(answer);
      await expectTryAgain(pair.kanban, token, answer);
      await expectPublicCallsWork(pair.kanban);
    }
    const down = await trustingNewIdp();
    const downToken = await down.idp.token({ permissions: ['kanban.write'] });
    await down.idp.stop();
    await expectTryAgain(down.kanban, downToken, 'connection refused');
    await expectPublicCallsWork(down.kanban);
  });

  it('once the keys are back, the same token works; really bad tokens are 401, also while the IdP fails again', async () => {
    pair.idp.answerJwksWith('keys');
    expect((await createBoard(pair.kanban, token)).status).toBe(200);
    pair.idp.answerJwksWith('HTTP 500');
    const [header, payload, signature] = token.split('.');
    const bad = {
      'a bad signature': `${header}.${payload}.${Buffer.from(signature!, 'base64url').reverse().toString('base64url')}`,
      'another audience': await pair.idp.token({}, { audience: 'https://other.example/mcp' }),
      'an expired token': await pair.idp.token({}, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
      'a key the IdP never published': await pair.idp.tokenFromUnknownKey(),
    };
    for (const [name, badToken] of Object.entries(bad)) {
      const refused = await rawToolCall(pair.kanban.mcpUrl, badToken, 'create_board', { title: 'Never made' });
      expect(refused.status, name).toBe(401);
      expect(refused.challenge, name).toContain('error="invalid_token"');
    }
    // The keys it fetched still check the good token while the IdP fails.
    expect((await createBoard(pair.kanban, token)).status).toBe(200);
  });
});
