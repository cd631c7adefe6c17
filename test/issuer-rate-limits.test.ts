import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';

// AV-01 / RG-18: bursts on the issuer's endpoints get 429 with Retry-After, RateLimit headers and
// a JSON body, per endpoint. Small budgets here; the defaults are in rate-limits.ts and config.ts.

let kanban: RunningKanban;
beforeAll(async () => {
  kanban = await startKanban({
    env: { INTROSPECTIONS_PER_ADDRESS: '3', USERINFO_REQUESTS_PER_ADDRESS: '3' },
    issuer: { rateLimits: { register: 3, token: 3, authorize: 3, revoke: 3, windowMs: 60_000 } },
  });
});
afterAll(async () => {
  await kanban.stop();
  removeDataDir(kanban.dataDir);
});

const registration = { client_name: 'flood', redirect_uris: ['https://flood.example/cb'], token_endpoint_auth_method: 'none' };

describe('issuer rate limits', () => {
  it('registration: the fourth request in the window is 429 with Retry-After and a JSON error', async () => {
    const send = () => fetch(`${kanban.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(registration) });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send()).status);
    expect(statuses).toEqual([201, 201, 201]);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit-policy')).toMatch(/q=3/);
    expect(await limited.json()).toEqual({ error: 'too_many_requests', error_description: 'Too many requests from this address. Wait, then try again.' });
  });

  it('token: limited separately from registration', async () => {
    const send = () => fetch(`${kanban.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=guess&client_id=nope' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send()).status);
    expect(statuses.slice(0, 3).every((status) => status === 400 || status === 401)).toBe(true);
    expect(statuses[3]).toBe(429);
  });
});

describe('introspection and userinfo', () => {
  it.each([
    ['introspection', () => fetch(`${kanban.url}/oauth/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=guess&client_id=nope' })],
    ['userinfo', () => fetch(`${kanban.url}/oauth/userinfo`, { headers: { authorization: 'Bearer guess' } })],
  ])('%s: past INTROSPECTIONS_PER_ADDRESS / USERINFO_REQUESTS_PER_ADDRESS, 429 with Retry-After and an OAuth-style JSON error', async (_endpoint, send) => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send()).status);
    expect(statuses).toEqual([401, 401, 401]);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect(await limited.json()).toEqual({ error: 'too_many_requests', error_description: 'Too many requests from this address. Wait, then try again.' });
  });
});

describe('behind a proxy (TRUST_PROXY)', () => {
  const register = (server: RunningKanban, client: string) =>
    fetch(`${server.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client }, body: JSON.stringify(registration) });
  const limits = { register: 2, token: 2, authorize: 2, revoke: 2, windowMs: 60_000 };

  it('trusted (loopback, as with ngrok on this machine): each client behind the proxy has its own budget', async () => {
    const proxied = await startKanban({ env: { TRUST_PROXY: 'loopback' }, issuer: { rateLimits: limits } });
    try {
      const first = [(await register(proxied, '203.0.113.1')).status, (await register(proxied, '203.0.113.1')).status, (await register(proxied, '203.0.113.1')).status];
      expect(first).toEqual([201, 201, 429]);
      expect((await register(proxied, '203.0.113.2')).status).toBe(201);
    } finally {
      await proxied.stop();
      removeDataDir(proxied.dataDir);
    }
  });

  it('trusted: the token endpoint counts each client behind the proxy too', async () => {
    const proxied = await startKanban({ env: { TRUST_PROXY: 'loopback' }, issuer: { rateLimits: limits } });
    const token = (client: string) =>
      fetch(`${proxied.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': client }, body: 'grant_type=authorization_code&code=guess&client_id=nope' });
    try {
      const first = [(await token('203.0.113.1')).status, (await token('203.0.113.1')).status, (await token('203.0.113.1')).status];
      expect(first.slice(0, 2).every((status) => status === 400 || status === 401)).toBe(true);
      expect(first[2]).toBe(429);
      expect((await token('203.0.113.2')).status).not.toBe(429);
    } finally {
      await proxied.stop();
      removeDataDir(proxied.dataDir);
    }
  });

  it('not trusted (the default): X-Forwarded-For changes nothing, so nobody escapes the limit by naming another address', async () => {
    const direct = await startKanban({ issuer: { rateLimits: limits } });
    try {
      const statuses = [(await register(direct, '203.0.113.1')).status, (await register(direct, '203.0.113.2')).status, (await register(direct, '203.0.113.3')).status];
      expect(statuses).toEqual([201, 201, 429]);
      // Said once, in the log, with the fix.
      expect(direct.logs.filter((line) => String(line.msg).includes('TRUST_PROXY is not set'))).toHaveLength(1);
    } finally {
      await direct.stop();
      removeDataDir(direct.dataDir);
    }
  });
});
