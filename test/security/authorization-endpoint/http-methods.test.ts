import { describe, expect, it } from 'vitest';
import { kanban } from '../../support/issuer-under-test.ts';
import { expectJsonError, getJson, send } from '../../support/security-helpers.ts';
import { expectSignInRedirect, url, useAuthorizationEndpoint } from './authorize-requests.ts';

// Security catalogue, group 1: the authorization endpoint (/oauth/authorize), rows of
// docs/security-cases.md, against the real app. This file: the HTTP methods it refuses (AZ-40, AZ-41).

useAuthorizationEndpoint();

describe('HTTP methods (AZ-40, AZ-41)', () => {
  it('AZ-40: PUT, DELETE or PATCH /oauth/authorize → 405 with Allow: GET, HEAD and a JSON invalid_request', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      for (const accept of ['application/json', 'text/html']) {
        const response = await send(url(), { method, headers: { accept } });
        expectJsonError(response, 405, 'invalid_request');
        expect(response.headers.get('allow'), method).toBe('GET, HEAD');
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(response.headers.get('set-cookie')).toBeNull();
      }
    }
  });

  it('AZ-41: POST is not supported at the authorization endpoint: a form-encoded or JSON POST (or the query on a POST) → 405 with Allow: GET, HEAD, and no sign-in starts', async () => {
    const params = Object.fromEntries(new URL(url()).searchParams);
    const posts: { name: string; target: string; init: RequestInit }[] = [
      { name: 'form', target: `${kanban.url}/oauth/authorize`, init: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() } },
      { name: 'json', target: `${kanban.url}/oauth/authorize`, init: { headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) } },
      { name: 'query', target: url(), init: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' } },
    ];
    for (const { name, target, init } of posts) {
      const response = await send(target, { ...init, method: 'POST' });
      expectJsonError(response, 405, 'invalid_request');
      expect(response.headers.get('allow'), name).toBe('GET, HEAD');
      expect(response.headers.get('set-cookie'), name).toBeNull();
    }
    // GET with the same parameters is the way in.
    expectSignInRedirect(await getJson(url()));
  });
});
