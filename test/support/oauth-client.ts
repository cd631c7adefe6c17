import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

// What an MCP client keeps between steps of OAuth: the SDK asks it for these, and the test plays
// the browser in between (see browser-forms.ts).

export class MemoryOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private info: OAuthClientInformationMixed | undefined;
  private savedTokens: OAuthTokens | undefined;
  private verifier = '';
  private discovery: unknown;
  readonly redirectUrl: string;
  readonly clientMetadataUrl: string | undefined;

  constructor(options: { redirectUrl?: string; clientMetadataUrl?: string; clientName?: string } = {}) {
    this.redirectUrl = options.redirectUrl ?? 'https://client.example/oauth/callback';
    this.clientMetadataUrl = options.clientMetadataUrl;
    this.clientName = options.clientName ?? 'Test MCP client';
  }
  private readonly clientName: string;

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state() {
    return 'state-123';
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  // The v2 SDK client binds the code exchange to the issuer discovery found (SEP-2352).
  saveDiscoveryState(state: unknown) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery as never;
  }
}
