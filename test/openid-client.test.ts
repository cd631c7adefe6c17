import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { authorizeInBrowser, makeAccount } from './support/oauth-steps.ts';
import { useKanban } from './support/kanban-server.ts';
import { whoamiStatus } from './support/token-helpers.ts';

// openid-client (panva) is an independent, certified client: if it completes the flow and
// rejects nothing (it checks `iss` on the authorization response, the ID token, PKCE), our
// issuer speaks the protocol as written.

const shared = useKanban();

const insecureLoopback = { execute: [oidc.allowInsecureRequests] };
const REDIRECT = 'https://rp.example/callback';


describe('openid-client against the embedded issuer', () => {
  it('registers, completes code + PKCE with resource, refreshes and revokes', async () => {
    const config = await oidc.dynamicClientRegistration(
      new URL(shared.kanban.url),
      { client_name: 'openid-client RP', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], id_token_signed_response_alg: 'ES256' },
      oidc.None(),
      insecureLoopback,
    );
    const server = config.serverMetadata();
    expect(server.issuer).toBe(shared.kanban.url);
    expect(server.authorization_response_iss_parameter_supported).toBe(true);
    expect(server.code_challenge_methods_supported).toEqual(['S256']);

    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid kanban.read kanban.write',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      resource: shared.kanban.mcpUrl,
    });
    const account = await makeAccount(shared.kanban, 'grace');
    const { redirect } = await authorizeInBrowser(shared.kanban, url.href, account);
    expect(redirect).toBeDefined();

    const tokens = await oidc.authorizationCodeGrant(config, redirect!, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true }, { resource: shared.kanban.mcpUrl });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.claims()?.sub).toBe(account.id);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(await whoamiStatus(shared.kanban, tokens.access_token)).toBe(200);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: shared.kanban.mcpUrl });
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(await whoamiStatus(shared.kanban, refreshed.access_token)).toBe(200);

    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!, { resource: shared.kanban.mcpUrl })).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
