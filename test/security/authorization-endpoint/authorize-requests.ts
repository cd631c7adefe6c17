import { beforeAll, expect } from 'vitest';
import { account, kanban, useSignedInIssuer } from '../../support/issuer-under-test.ts';
import { registerClient, type RegisteredClient } from '../../support/oauth-steps.ts';
import { authorizeUrlWithout, expectErrorRedirect, SessionBrowser, type RawResponse } from '../../support/security-helpers.ts';

// What the authorization endpoint tests (this folder) share: their server, one registered client,
// a browser signed in once, and the requests and redirects they check. Errors about the client or
// its redirect_uri must never redirect; every other error goes back to the registered redirect_uri
// with error, state and iss.

export const REDIRECT = 'https://client.example/cb';
export const LOOPBACK_REDIRECT = 'http://127.0.0.1:2355/cb';

// Live bindings, as in issuer-under-test.ts: set before the file's tests run.
export let client: RegisteredClient;
/** Signed in once; every consent of the file goes through it (the sign-in form is rate limited). */
export let session: SessionBrowser;

export function useAuthorizationEndpoint(): void {
  // Errors here go back to client.example as to a trusted host: their shape is what is tested.
  // For a redirect URI nobody vouches for, error-redirects.test.ts shows a page instead.
  useSignedInIssuer({ AUTH_TRUSTED_REDIRECT_HOSTS: 'client.example' });
  beforeAll(async () => {
    client = await registerClient(kanban);
    session = new SessionBrowser(kanban, account);
  });
}

export const url = (overrides: Record<string, string> = {}, without: string[] = [], forClient: RegisteredClient = client) => authorizeUrlWithout(kanban, forClient, overrides, without);
export const errorBack = (response: RawResponse, error: string, state: string | null = 'xyz', redirectUri = REDIRECT) => expectErrorRedirect(response, { redirectUri, error, state, issuer: kanban.url });

/** The request went on to our sign-in page: accepted, nothing redirected to the client yet. */
export function expectSignInRedirect(response: RawResponse): void {
  expect(response.status, response.text.slice(0, 300)).toBe(303);
  expect(response.location).toMatch(/^\/oauth\/interaction\/[\w-]+$/);
}

/** A successful redirect to the client: code, state, iss, no error. */
export function expectCode(redirect: URL | undefined, redirectUri: string, state: string | null = 'xyz'): string {
  expect(redirect, 'expected a redirect to the client').toBeDefined();
  expect(redirect!.origin + redirect!.pathname).toBe(new URL(redirectUri).origin + new URL(redirectUri).pathname);
  expect(redirect!.searchParams.has('error')).toBe(false);
  expect(redirect!.searchParams.getAll('state')).toEqual(state === null ? [] : [state]);
  expect(redirect!.searchParams.getAll('iss')).toEqual([kanban.url]);
  const code = redirect!.searchParams.get('code');
  expect(code).toMatch(/^[\w-]{20,}$/);
  return code!;
}
