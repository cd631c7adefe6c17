import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { grantExists, kanban, registerConfidential, useSignedInIssuer } from '../../support/issuer-under-test.ts';
import { makeAccount, registerClient, tokenRequest } from '../../support/oauth-steps.ts';
import { backdate, expectOAuthError, refresh, SignedInBrowser, storeKey, storeRow } from '../../support/token-helpers.ts';
import { rotate, signedIn } from './refresh-steps.ts';

// Security cases of the refresh request itself (docs/security-cases.md group 4: RR-01..RR-07,
// RR-11..RR-14), against the real app.

useSignedInIssuer();

describe('refresh: the request and the token (RR-01..RR-07, RR-11..RR-14)', () => {
  it('RR-01: a refresh without refresh_token gets 400 invalid_request', async () => {
    const client = await registerClient(kanban);
    const response = await tokenRequest(kanban, { grant_type: 'refresh_token', client_id: client.client_id });
    expectOAuthError(response, 400, 'invalid_request');
    expect(response.body.error_description).toMatch(/refresh_token/);
  });

  it('RR-02: an unknown or forged refresh token gets 400 invalid_grant', async () => {
    const { client, tokens } = await signedIn();
    const forged = [`${tokens.refresh_token.slice(0, -1)}${tokens.refresh_token.endsWith('A') ? 'B' : 'A'}`, 'forged', tokens.access_token, 'A'.repeat(43)];
    for (const refreshToken of forged) expectOAuthError(await refresh(kanban, client, refreshToken), 400, 'invalid_grant');
    // None of these touched the real one.
    await rotate(client, tokens.refresh_token);
  });

  it('RR-03: an expired refresh token gets 400 invalid_grant', async () => {
    const { client, tokens } = await signedIn();
    // Refresh tokens live 30 days: age the stored row instead of waiting.
    await backdate(kanban, 'RefreshToken', tokens.refresh_token, 'expires_at', 1);
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 400, 'invalid_grant');
  });

  it("RR-04: client B presenting client A's refresh token gets 400 invalid_grant; A's token still works", async () => {
    const a = await signedIn();
    const b = await registerClient(kanban);
    expectOAuthError(await refresh(kanban, b, a.tokens.refresh_token), 400, 'invalid_grant');
    const confidential = await registerConfidential('client_secret_post');
    expectOAuthError(await refresh(kanban, confidential, a.tokens.refresh_token, { client_secret: confidential.client_secret }), 400, 'invalid_grant');
    expect(await grantExists(a.grantId)).toBe(true);
    await rotate(a.client, a.tokens.refresh_token);
  });

  it('RR-05: a confidential client refreshing without (or with wrong) authentication gets 401 invalid_client', async () => {
    const { client, tokens } = await signedIn({ metadata: { token_endpoint_auth_method: 'client_secret_post' } });
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token), 401, 'invalid_client');
    expectOAuthError(await refresh(kanban, client, tokens.refresh_token, { client_secret: 'wrong' }), 401, 'invalid_client');
    await rotate(client, tokens.refresh_token, { client_secret: String(client.client_secret) });
  });

  it('RR-06: asking on refresh for a scope that was never granted gets 400 invalid_scope', async () => {
    const { client, tokens } = await signedIn({ params: { scope: 'kanban.read' } });
    expect(tokens.scope).toBe('kanban.read');
    for (const scope of ['kanban.read kanban.write', 'kanban.write', 'admin', 'openid', 'offline_access']) {
      const response = await refresh(kanban, client, tokens.refresh_token, { scope });
      expectOAuthError(response, 400, 'invalid_scope');
    }
    // Refused before consumption: the token still refreshes, still read-only.
    const next = await rotate(client, tokens.refresh_token);
    expect(decodeJwt(next.access_token).scope).toBe('kanban.read');
  });

  it('RR-07: down-scoping on refresh gives a narrower access token; the new refresh token keeps the original scope', async () => {
    const { client, tokens } = await signedIn();
    expect(tokens.scope).toBe('kanban.read kanban.write');
    const narrow = await rotate(client, tokens.refresh_token, { scope: 'kanban.read' });
    expect(narrow.scope).toBe('kanban.read');
    expect(decodeJwt(narrow.access_token).scope).toBe('kanban.read');
    expect(JSON.parse((await storeRow(kanban, 'RefreshToken', narrow.refresh_token))!.payload).scope).toBe('kanban.read kanban.write');
    const full = await rotate(client, narrow.refresh_token);
    expect(decodeJwt(full.access_token).scope).toBe('kanban.read kanban.write');
  });

  it('RR-11: a refresh after the account was deleted, or after the grant (consent) was removed, gets 400 invalid_grant', async () => {
    const other = await makeAccount(kanban);
    const deleted = await signedIn({ via: new SignedInBrowser(kanban, other) });
    await kanban.runtime.database.query('DELETE FROM accounts WHERE id = ?', [other.id]);
    expectOAuthError(await refresh(kanban, deleted.client, deleted.tokens.refresh_token), 400, 'invalid_grant');

    const withdrawn = await signedIn();
    await kanban.runtime.database.query('DELETE FROM oauth_store WHERE model = ? AND id = ?', ['Grant', storeKey(withdrawn.grantId)]);
    expectOAuthError(await refresh(kanban, withdrawn.client, withdrawn.tokens.refresh_token), 400, 'invalid_grant');
  });

  it('RR-12: a resource on refresh outside the granted one gets 400 invalid_target; our resource gives aud = our resource', async () => {
    const { client, tokens } = await signedIn();
    for (const resource of ['https://other.example/mcp', `${kanban.url}/`, `${kanban.mcpUrl}#x`]) {
      expectOAuthError(await refresh(kanban, client, tokens.refresh_token, { resource }), 400, 'invalid_target');
    }
    const next = await rotate(client, tokens.refresh_token, { resource: kanban.mcpUrl });
    expect(decodeJwt(next.access_token).aud).toBe(kanban.mcpUrl);
  });

  it('RR-13: refresh tokens use only VSCHAR (%x20-7E), in fact base64url', async () => {
    const { client, tokens } = await signedIn();
    const next = await rotate(client, tokens.refresh_token);
    for (const value of [tokens.refresh_token, next.refresh_token]) expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('RR-14: the MCP server names no offline_access, neither in its resource metadata nor in its challenges; tokens carry none', async () => {
    const metadata = (await (await fetch(`${kanban.url}/.well-known/oauth-protected-resource/mcp`)).json()) as { scopes_supported: string[] };
    expect(metadata.scopes_supported).toEqual(['kanban.read', 'kanban.write']);

    const anonymous = await fetch(kanban.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
    await anonymous.body?.cancel();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(anonymous.headers.get('www-authenticate')).not.toContain('offline_access');

    const { tokens } = await signedIn();
    expect(tokens.scope).not.toContain('offline_access');
    expect(decodeJwt(tokens.access_token).scope).not.toContain('offline_access');
  });
});
