import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { kanban } from '../../support/issuer-under-test.ts';
import { authorizeUrl, exchangeCode, registerClient } from '../../support/oauth-steps.ts';
import { expectErrorRedirect, getJson } from '../../support/security-helpers.ts';
import { errorBack, expectCode, REDIRECT, session, url, useAuthorizationEndpoint } from './authorize-requests.ts';

// Security catalogue, group 1: the authorization endpoint (/oauth/authorize), rows of
// docs/security-cases.md, against the real app. This file: requests that succeed (AZ-08, AZ-23,
// AZ-26..AZ-30, AZ-34).

useAuthorizationEndpoint();

describe('successful requests (AZ-08, AZ-23, AZ-26..AZ-30, AZ-34)', () => {
  it('AZ-08: a redirect_uri registered with a query keeps it; code, state and iss are added', async () => {
    const withQuery = await registerClient(kanban, { redirect_uris: ['https://client.example/cb?foo=bar'] });
    const { redirect } = await session.authorize(url({}, [], withQuery));
    expectCode(redirect, REDIRECT);
    expect(redirect!.href.startsWith('https://client.example/cb?foo=bar&')).toBe(true);
    expect(redirect!.searchParams.getAll('foo')).toEqual(['bar']);
  });

  it('AZ-23: an unknown scope next to a known one is dropped, and the token response reports the narrowed scope', async () => {
    const fresh = await registerClient(kanban);
    const { url: authorize, verifier } = authorizeUrl(kanban, fresh, { scope: 'kanban.read admin' });
    const { redirect } = await session.authorize(authorize);
    const tokens = await exchangeCode(kanban, fresh, expectCode(redirect, REDIRECT), verifier);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(tokens.body.scope).toBe('kanban.read');
    expect(decodeJwt(tokens.body.access_token as string).scope).toBe('kanban.read');
  });

  it('AZ-26: an unknown extra parameter is ignored and the flow succeeds', async () => {
    const fresh = await registerClient(kanban);
    const { redirect } = await session.authorize(url({ extra: 'foobar' }, [], fresh));
    expectCode(redirect, REDIRECT);
    expect(redirect!.searchParams.has('extra')).toBe(false);
  });

  it('AZ-27: the scope in reverse order succeeds with both scopes granted', async () => {
    const fresh = await registerClient(kanban);
    const { url: authorize, verifier } = authorizeUrl(kanban, fresh, { scope: 'kanban.write kanban.read' });
    const { redirect } = await session.authorize(authorize);
    const tokens = await exchangeCode(kanban, fresh, expectCode(redirect, REDIRECT), verifier);
    expect(tokens.status).toBe(200);
    expect(String(tokens.body.scope).split(' ').sort()).toEqual(['kanban.read', 'kanban.write']);
  });

  it('AZ-28: no state → success without state; a state is echoed byte for byte on success and on error', async () => {
    const { redirect: without } = await session.authorize(url({}, ['state']));
    expectCode(without, REDIRECT, null);
    const state = 'a b+c/%2F&d=é"\'<>~;x=1#h';
    const { redirect } = await session.authorize(url({ state }));
    expectCode(redirect, REDIRECT, state);
    errorBack(await getJson(url({ state, code_challenge_method: 'plain' })), 'invalid_request', state);
  });

  it('AZ-29: a 2 KB state is echoed exactly (never truncated) on success and on error', async () => {
    const state = randomBytes(1536).toString('base64url');
    expect(state).toHaveLength(2048);
    const { redirect } = await session.authorize(url({ state }));
    expectCode(redirect, REDIRECT, state);
    errorBack(await getJson(url({ state }, ['response_type'])), 'invalid_request', state);
  });

  it('AZ-30: every success and error redirect carries iss=<issuer>, and the metadata says so', async () => {
    // Success and error redirects are checked for iss by expectCode / errorBack wherever this folder meets one.
    const { redirect } = await session.authorize(url());
    expectCode(redirect, REDIRECT);
    errorBack(await getJson(url({ scope: 'a\nb' })), 'invalid_scope');
    const metadata = (await (await fetch(`${kanban.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(kanban.url);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('AZ-34: the user denies consent → redirect (303) with access_denied, state and iss', async () => {
    const fresh = await registerClient(kanban);
    const { page, redirect } = await session.authorize(url({}, [], fresh), { deny: true });
    expect(redirect).toBeDefined();
    expect(page.status).toBe(303);
    expectErrorRedirect({ status: page.status, headers: page.headers, location: page.url, text: '' }, { redirectUri: REDIRECT, error: 'access_denied', state: 'xyz', issuer: kanban.url });
  });
});
