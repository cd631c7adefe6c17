import { expect } from 'vitest';
import { kanban, useSignedInIssuer } from '../../support/issuer-under-test.ts';
import { registerClient, type RegisteredClient } from '../../support/oauth-steps.ts';
import type { TokenResponse } from '../../support/token-helpers.ts';

// What the token endpoint tests (this folder) share: their server, and the requests they build on.
// Every scenario registers its own client, so grants never overlap between tests.

/** The file's server: TK-16's error goes back to client.example as to a trusted host (error-redirects.test.ts has the others). */
export function useTokenEndpoint(): void {
  useSignedInIssuer({ AUTH_TRUSTED_REDIRECT_HOSTS: 'client.example' });
}

export type Confidential = RegisteredClient & { client_secret: string };

export async function registerConfidential(method: 'client_secret_post' | 'client_secret_basic'): Promise<Confidential> {
  const client = await registerClient(kanban, { token_endpoint_auth_method: method });
  expect(client.token_endpoint_auth_method).toBe(method);
  expect(client.client_secret).toEqual(expect.any(String));
  return client as Confidential;
}

export function postToken(body: string, headers: Record<string, string>): Promise<TokenResponse> {
  return fetch(`${kanban.url}/oauth/token`, { method: 'POST', headers, body }).then(async (response) => {
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
  });
}
