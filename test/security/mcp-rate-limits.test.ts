import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { bootKanban } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { modernPost, rawPost, rawToolCall, snapshotKanban, type RawCall } from '../support/kanban-actors.ts';
import { makeDataDir, removeDataDir, startKanban, type RunningKanban } from '../support/kanban-server.ts';
import { signedInClient } from '../support/oauth-steps.ts';
import { redisAnswersAt, startPrivateRedis } from '../support/private-redis.ts';
import { databaseEnv, TEST_ENGINE } from '../support/test-database.ts';

// Security catalogue RV-05: request budgets on /mcp, per signed-in user and per address for
// everyone else, a minute each, met by bounded floods on loopback. Other addresses come from
// X-Forwarded-For, believed from loopback under TRUST_PROXY=loopback. Replicas share a budget
// through Redis (REDIS_URL, this machine's server) or, without it, through PostgreSQL, and so do
// the issuer's per-address budgets.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** This machine's Redis, which .ci/run starts; its test skips, saying so, if none answers. */
const REDIS_UP = await redisAnswersAt(REDIS_URL);

/** Budgets an earlier run left in Redis under this namespace (a server on the same port within a minute). */
async function forgetRedisBudgets(namespace: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `kanban-mcp:${namespace}:*`, COUNT: 100 })) if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
}
const CHATGPT_META = { 'openai/userAgent': 'ChatGPT/1.2026.1', 'openai/locale': 'en-US' };

/** The issuer's own budgets (a test-only option), small enough to meet: registrations 3 per address. */
const ISSUER_LIMITS = { register: 3, token: 600, authorize: 600, revoke: 300, windowMs: 60_000 };

const servers: RunningKanban[] = [];
const dataDirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dataDirs.splice(0)) removeDataDir(dir);
});

async function start(env: Record<string, string>, dataDir = makeDataDir()): Promise<RunningKanban> {
  if (!dataDirs.includes(dataDir)) dataDirs.push(dataDir);
  const kanban = await startKanban({ dataDir, env: { TRUST_PROXY: 'loopback', ...env }, issuer: { rateLimits: ISSUER_LIMITS } });
  servers.push(kanban);
  return kanban;
}

const whoami = (kanban: RunningKanban, token: string | undefined, headers: Record<string, string> = {}) => rawToolCall(kanban.mcpUrl, token, 'whoami', {}, { headers });
const listBoards = (kanban: RunningKanban, headers: Record<string, string> = {}) => rawToolCall(kanban.mcpUrl, undefined, 'list_boards', {}, { headers });

/** `n` calls one after another: every status, in order. */
async function statuses(n: number, call: () => Promise<RawCall>): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) seen.push((await call()).status);
  return seen;
}

function expectRefusal(call: RawCall, per: string): void {
  expect(call.status).toBe(429);
  expect(call.body.error.code).toBe(-32000);
  expect(call.body.error.message).toMatch(new RegExp(`^Too many requests: the limit is \\d+ a minute ${per}\\. Try again in \\d+ seconds\\.$`));
  expect(call.body.id).not.toBeNull();
}

describe('per signed-in user', () => {
  it('refuses past MCP_REQUESTS_PER_USER with 429 and Retry-After; another user on the same address goes on', async () => {
    const kanban = await start({ MCP_REQUESTS_PER_USER: '5', MCP_REQUESTS_PER_ADDRESS: '2' });
    const alice = (await signedInClient(kanban)).tokens.access_token;
    const bob = (await signedInClient(kanban)).tokens.access_token;
    // Signed in, the address budget (2) does not apply: ChatGPT sends every user's calls from a few addresses.
    expect(await statuses(5, () => whoami(kanban, alice))).toEqual([200, 200, 200, 200, 200]);
    const response = await fetch(kanban.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${alice}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
    });
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await response.json()) as { id: number; error: { message: string } };
    expect(body.id).toBe(7);
    expect(body.error.message).toBe(`Too many requests: the limit is 5 a minute for each user. Try again in ${retryAfter} seconds.`);
    expect((await whoami(kanban, bob)).status).toBe(200);
  });

  it('ChatGPT hears it in the tool result (both eras), nothing is written, and its other requests still get 429', async () => {
    const kanban = await start({ MCP_REQUESTS_PER_USER: '2' });
    const token = (await signedInClient(kanban)).tokens.access_token;
    expect(await statuses(2, () => whoami(kanban, token))).toEqual([200, 200]);
    const before = await snapshotKanban(kanban);

    const legacy = await rawToolCall(kanban.mcpUrl, token, 'create_card', { title: 'over budget' }, { meta: CHATGPT_META });
    expect(legacy.status).toBe(200);
    expect(legacy.body.result.isError).toBe(true);
    expect(legacy.body.result.content[0].text).toMatch(/^Too many requests right now, and nothing was done\. Try again in \d+ seconds\.$/);

    const modern = await modernPost(kanban.mcpUrl, token, 'tools/call', { name: 'create_card', arguments: { title: 'over budget' }, _meta: CHATGPT_META });
    expect(modern.status).toBe(200);
    expect(modern.body.result.isError).toBe(true);
    expect(modern.body.result.content[0].text).toMatch(/^Too many requests right now/);

    // By its user agent too, as the sign-in challenge decides.
    const byAgent = await rawToolCall(kanban.mcpUrl, token, 'whoami', {}, { headers: { 'user-agent': 'openai-mcp/1.0.0' } });
    expect(byAgent.body.result.isError).toBe(true);
    expect(await snapshotKanban(kanban)).toBe(before);

    // Not a tool call: nothing in-band to say it with.
    expectRefusal(await rawPost(kanban.mcpUrl, token, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'user-agent': 'openai-mcp/1.0.0' }), 'for each user');
    // Another client of the same user (a spec client) gets the HTTP answer.
    expectRefusal(await whoami(kanban, token), 'for each user');
  });
});

describe('per address, not signed in', () => {
  it('refuses past MCP_REQUESTS_PER_ADDRESS; another address goes on; a signed-in user on that address is not held', async () => {
    const kanban = await start({ MCP_REQUESTS_PER_ADDRESS: '3' });
    const from = (address: string) => ({ 'x-forwarded-for': address });
    expect(await statuses(3, () => listBoards(kanban, from('203.0.113.7')))).toEqual([200, 200, 200]);
    expectRefusal(await listBoards(kanban, from('203.0.113.7')), 'for each address not signed in');
    expect((await listBoards(kanban, from('203.0.113.8'))).status).toBe(200);
    const token = (await signedInClient(kanban)).tokens.access_token;
    expect((await whoami(kanban, token, from('203.0.113.7'))).status).toBe(200);
  });

  it('is on by default: 1200 a minute', async () => {
    const kanban = await start({});
    expect(kanban.config.usage).toMatchObject({ mcpRequestsPerUser: 300, mcpRequestsPerAddress: 1200 });
    const answer = await listBoards(kanban);
    expect(answer.status).toBe(200);
    const policy = (await fetch(kanban.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) })).headers.get('ratelimit-policy');
    expect(policy).toMatch(/^"mcp-address"; q=1200; w=60/);
  });
});

describe('across replicas', () => {
  /** Two servers on one database and one PUBLIC_URL, as behind a load balancer. */
  async function twoReplicas(env: Record<string, string>): Promise<[RunningKanban, RunningKanban]> {
    const dataDir = makeDataDir();
    const first = await start({ MCP_REQUESTS_PER_USER: '4', ...env }, dataDir);
    if (env.REDIS_URL) await forgetRedisBudgets(first.config.resourceUrl);
    const second = await start({ MCP_REQUESTS_PER_USER: '4', PUBLIC_URL: first.url, ...env }, dataDir);
    return [first, second];
  }

  /** The /mcp budget of one user, and the issuer's registrations per address, each met across both. */
  async function expectSharedBudgets([first, second]: [RunningKanban, RunningKanban]): Promise<void> {
    const token = (await signedInClient(first)).tokens.access_token; // the first of 3 registrations
    expect(await statuses(2, () => whoami(first, token))).toEqual([200, 200]);
    expect(await statuses(2, () => whoami(second, token))).toEqual([200, 200]);
    expectRefusal(await whoami(second, token), 'for each user');
    expectRefusal(await whoami(first, token), 'for each user');

    const register = (kanban: RunningKanban) => fetch(`${kanban.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:9/cb'], token_endpoint_auth_method: 'none' }) });
    expect((await register(second)).status).toBe(201);
    expect((await register(first)).status).toBe(201);
    expect((await register(second)).status).toBe(429);
  }

  it('with REDIS_URL, the budgets hold across them', async (context) => {
    context.skip(!REDIS_UP, `no Redis answers at ${REDIS_URL} (set TEST_REDIS_URL)`);
    await expectSharedBudgets(await twoReplicas({ REDIS_URL }));
  });

  it.skipIf(TEST_ENGINE !== 'postgres')('on PostgreSQL without Redis, the budgets hold across them', async () => {
    await expectSharedBudgets(await twoReplicas({}));
  });

  it('a Redis that goes away while the server runs lets requests through, /mcp and the issuer alike, never a 500', async (context) => {
    const redis = await startPrivateRedis();
    if (!redis) return context.skip('no redis-server on this machine');
    try {
      const kanban = await start({ REDIS_URL: redis.url, MCP_REQUESTS_PER_ADDRESS: '2' });
      expect((await listBoards(kanban)).status).toBe(200);
      await redis.kill();
      // Past the budget of 2, uncounted: the limits are off until Redis is back, the app is not.
      expect(await statuses(3, () => listBoards(kanban))).toEqual([200, 200, 200]);
      const registered = await fetch(`${kanban.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:9/cb'], token_endpoint_auth_method: 'none' }) });
      expect(registered.status).toBe(201);
      expect(kanban.logs.some((line) => line.limiter === 'mcp-address' && String(line.msg).includes('error from store'))).toBe(true);
    } finally {
      await redis.kill();
    }
  });

  it('a REDIS_URL that does not answer stops the start with a clear message', async () => {
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    const config = loadConfig({ NODE_ENV: 'test', ...(await databaseEnv(dataDir)), REDIS_URL: 'redis://127.0.0.1:1' });
    await expect(bootKanban(config, createLogger('silent'))).rejects.toThrow(/^Redis at REDIS_URL did not answer \(.*ECONNREFUSED/);
  });
});
