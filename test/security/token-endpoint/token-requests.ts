import { kanban, useSignedInIssuer } from '../../support/issuer-under-test.ts';
import type { TokenResponse } from '../../support/token-helpers.ts';

// What the token endpoint tests (this folder) share: their server, and a raw request to it.
// Every scenario registers its own client, so grants never overlap between tests.

/** Each file's server: TK-16's error goes back to client.example as to a trusted host (error-redirects.test.ts has the others). */
export function useTokenEndpoint(): void {
  useSignedInIssuer({ AUTH_TRUSTED_REDIRECT_HOSTS: 'client.example' });
}

export function postToken(body: string, headers: Record<string, string>): Promise<TokenResponse> {
  return fetch(`${kanban.url}/oauth/token`, { method: 'POST', headers, body }).then(async (response) => {
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
  });
}
