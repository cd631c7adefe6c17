import { describe, expect, it } from 'vitest';
import { browser, type Confidential, kanban, redeemedCode, registerConfidential } from '../../support/issuer-under-test.ts';
import { registerClient, tokenRequest } from '../../support/oauth-steps.ts';
import { basicAuth, codeForm, databaseBytes, expectOAuthError, refresh, storeKey, storeRow } from '../../support/token-helpers.ts';
import { useTokenEndpoint } from './token-requests.ts';

// Security cases of the token endpoint (docs/security-cases.md group 2), against the real app:
// oidc-provider in Express, a real database, real sign-in and consent pages. This file: the
// persistence rows DB-04 (code redemption race) and DB-12 (secrets at rest).

useTokenEndpoint();

describe('persistence (DB-04, DB-12)', () => {
  it('DB-04: 10 concurrent redemptions of one code give exactly one 200; the others get 400 invalid_grant', async () => {
    for (let round = 0; round < 3; round++) {
      const client = await registerClient(kanban);
      const { code, verifier } = await browser.code(client);
      const responses = await Promise.all(Array.from({ length: 10 }, () => tokenRequest(kanban, codeForm(kanban, client, code, verifier))));
      expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
      const losers = responses.filter((candidate) => candidate.status !== 200);
      expect(losers).toHaveLength(9);
      for (const response of losers) expectOAuthError(response, 400, 'invalid_grant');
      // The losers count as replays (TK-08): the grant is gone, the winner's refresh token with it.
      const winner = responses.find((response) => response.status === 200)!;
      expectOAuthError(await refresh(kanban, client, winner.body.refresh_token), 400, 'invalid_grant');
    }
  });

  it('DB-12: the database files hold no issued code or refresh token, only their SHA-256 hashes as keys', async () => {
    const { client, code, tokens } = await redeemedCode();
    const rotated = await refresh(kanban, client, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const secrets = { code, refreshToken: tokens.refresh_token, rotatedRefreshToken: rotated.body.refresh_token as string };

    // Lookups are by hash: the rows exist under sha256(value).
    expect(await storeRow(kanban, 'AuthorizationCode', code)).toBeDefined();
    expect(await storeRow(kanban, 'RefreshToken', secrets.refreshToken)).toBeDefined();
    expect(await storeRow(kanban, 'RefreshToken', secrets.rotatedRefreshToken)).toBeDefined();

    const bytes = await databaseBytes(kanban);
    expect(bytes.includes(storeKey(secrets.rotatedRefreshToken))).toBe(true);
    for (const [name, value] of Object.entries(secrets)) {
      expect(bytes.includes(value), `${name} found in the database files`).toBe(false);
    }
  });

  it('TK-25, DB-12: client secrets (client_secret_post and client_secret_basic) are stored only as sha256$ hashes, never in the database files; the secret authenticates, a wrong one or the stored hash itself gets 401 invalid_client', async () => {
    const post = await registerConfidential('client_secret_post');
    const basic = await registerConfidential('client_secret_basic');
    const storedSecret = async (client: Confidential): Promise<string> => {
      const payload = JSON.parse((await storeRow(kanban, 'Client', client.client_id))!.payload) as { client_secret?: unknown };
      expect(payload.client_secret).toMatch(/^sha256\$[\w-]{43}$/);
      return payload.client_secret as string;
    };
    const hashes = { post: await storedSecret(post), basic: await storedSecret(basic) };

    const bytes = await databaseBytes(kanban);
    for (const client of [post, basic]) {
      expect(bytes.includes(client.client_id), 'the client row is on disk').toBe(true);
      expect(bytes.includes(client.client_secret), `${String(client.token_endpoint_auth_method)} secret found in the database files`).toBe(false);
    }
    // Everything a thief of the database could try instead of the secret.
    const impostors = (hash: string, other: string) => ['wrong', hash, hash.slice('sha256$'.length), `${hash}x`, other];

    // client_secret_post, through a whole code exchange and a refresh.
    const postCode = await browser.code(post);
    for (const secret of impostors(hashes.post, hashes.basic)) {
      expectOAuthError(await tokenRequest(kanban, codeForm(kanban, post, postCode.code, postCode.verifier, { client_secret: secret })), 401, 'invalid_client');
    }
    const postTokens = await tokenRequest(kanban, codeForm(kanban, post, postCode.code, postCode.verifier, { client_secret: post.client_secret }));
    expect(postTokens.status, JSON.stringify(postTokens.body)).toBe(200);
    expectOAuthError(await refresh(kanban, post, postTokens.body.refresh_token, { client_secret: hashes.post }), 401, 'invalid_client');
    expect((await refresh(kanban, post, postTokens.body.refresh_token, { client_secret: post.client_secret })).status).toBe(200);

    // client_secret_basic, likewise.
    const basicCode = await browser.code(basic);
    const form = codeForm(kanban, basic, basicCode.code, basicCode.verifier);
    delete form.client_id;
    for (const secret of impostors(hashes.basic, hashes.post)) {
      expectOAuthError(await tokenRequest(kanban, form, { authorization: basicAuth(basic.client_id, secret) }), 401, 'invalid_client');
    }
    const basicTokens = await tokenRequest(kanban, form, { authorization: basicAuth(basic.client_id, basic.client_secret) });
    expect(basicTokens.status, JSON.stringify(basicTokens.body)).toBe(200);
  });
});
