import {
  auth,
  extractWWWAuthenticateParams,
  UnauthorizedError,
  type AuthProvider,
  type OAuthClientMetadata,
  type OAuthDiscoveryState,
  type OAuthClientProvider,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';

// Sign-in as ChatGPT does it, with the SDK's own OAuth client (`auth`): discovery from the
// challenge's resource_metadata, registration (a client metadata document, or dynamic
// registration), PKCE, our sign-in and consent pages in a popup, `iss` checked on the way back.
// Tokens live in this page's memory only: a reload signs the person out.

export const SIGN_IN_CHANNEL = 'kanban-playground-sign-in';
const CALLBACK_PATH = '/dev/oauth/callback';
const CLIENT_METADATA_PATH = '/dev/oauth/client.json';
export const MCP_URL = new URL('/mcp', location.origin);

export type Registration = 'metadata-document' | 'dynamic';

/** What a challenge says: where to discover, and why (its error_description). */
export interface Challenge {
  resourceMetadataUrl?: URL;
  description?: string;
}

/** A challenge string (in-band `mcp/www_authenticate`, or a WWW-Authenticate header) through the SDK's own parser. */
export function parseChallenge(header: string): Challenge {
  const params = extractWWWAuthenticateParams(new Response(null, { headers: { 'www-authenticate': header } }));
  return { resourceMetadataUrl: params.resourceMetadataUrl, description: params.errorDescription };
}

/** Client metadata documents (CIMD) are https only: on plain http only dynamic registration works. */
export function metadataDocumentPossible(): boolean {
  return location.protocol === 'https:';
}

function randomText(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24)))).replace(/[+/=]/g, '');
}

export interface SignedIn {
  tokens: StoredOAuthTokens;
  /** When the access token expires, from expires_in at the time it was saved. */
  expiresAt: number | undefined;
}

export class PlaygroundOAuth implements OAuthClientProvider {
  registration: Registration = 'dynamic';
  private client: StoredOAuthClientInformation | undefined;
  private saved: SignedIn | undefined;
  private verifier = '';
  private expectedState = '';
  private popup: Window | null = null;
  private flow: Promise<void> | undefined;
  private waiting: { cancel(): void } | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  private metadata: OAuthClientMetadata | undefined;

  private readonly changed: (signedIn: SignedIn | undefined) => void;

  constructor(changed: (signedIn: SignedIn | undefined) => void) {
    this.changed = changed;
  }

  get redirectUrl(): string {
    return new URL(CALLBACK_PATH, location.origin).href;
  }
  get clientMetadataUrl(): string | undefined {
    return this.registration === 'metadata-document' ? new URL(CLIENT_METADATA_PATH, location.origin).href : undefined;
  }
  /** Read from the playground's own metadata document when a sign-in starts (runFlow). */
  get clientMetadata(): OAuthClientMetadata {
    if (!this.metadata) throw new Error('The client metadata is read when a sign-in starts.');
    return this.metadata;
  }
  state(): string {
    this.expectedState = randomText();
    return this.expectedState;
  }
  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.client;
  }
  saveClientInformation(client: StoredOAuthClientInformation): void {
    this.client = client;
  }
  tokens(): StoredOAuthTokens | undefined {
    return this.saved?.tokens;
  }
  saveTokens(tokens: StoredOAuthTokens): void {
    this.saved = { tokens, expiresAt: tokens.expires_in === undefined ? undefined : Date.now() + tokens.expires_in * 1000 };
    this.changed(this.saved);
  }
  /**
   * Outside signIn (a refresh that failed, which the SDK follows with a new authorization) there is
   * no window: nothing opens, and the playground offers the sign-in button.
   */
  redirectToAuthorization(authorizationUrl: URL): void {
    if (this.popup && !this.popup.closed) this.popup.location.href = authorizationUrl.href;
  }
  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  /** What discovery found, kept for the code exchange: the SDK checks the callback against the same issuer. */
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }
  /** The SDK calls this when the server refuses what it holds (a revoked token, a forgotten client). */
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'client') this.client = undefined;
    if (scope === 'all' || scope === 'tokens') this.signOut();
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
  }

  /**
   * What the transport uses: the token, and on a 401 a refresh when there is a refresh token (an
   * expired token, say). Without one the call fails with UnauthorizedError and the playground
   * offers the sign-in: nothing registers or signs in before the person asks.
   */
  transportAuth(): AuthProvider {
    return {
      token: async () => this.saved?.tokens.access_token,
      onUnauthorized: async ({ response }) => {
        // Not while the person is signing in: the SDK's auth() would take over that flow's state.
        if (this.saved?.tokens.refresh_token && !this.flow) {
          const { resourceMetadataUrl } = extractWWWAuthenticateParams(response);
          if ((await auth(this, { serverUrl: MCP_URL, resourceMetadataUrl }).catch(() => 'FAILED')) === 'AUTHORIZED') return;
          this.signOut();
        }
        throw new UnauthorizedError('Sign in to continue.');
      },
    };
  }

  /** Switches how the next sign-in registers: the client known so far is forgotten. */
  chooseRegistration(registration: Registration): void {
    this.registration = registration;
    this.client = undefined;
  }

  signOut(): void {
    this.saved = undefined;
    this.changed(undefined);
  }

  /**
   * Runs the whole flow for `challenge`. Call it from a click: the popup opens at once, then goes
   * to the issuer. One flow at a time: a second click while one runs brings its window forward.
   */
  signIn(challenge: Challenge): Promise<void> {
    if (this.flow && this.popup && !this.popup.closed) {
      this.popup.focus();
      return this.flow;
    }
    // Opened before any await, while the click still counts as the person's: browsers block later popups.
    this.popup = window.open('about:blank', 'kanban-sign-in', 'popup,width=520,height=760');
    if (!this.popup) return Promise.reject(new Error('The browser blocked the sign-in window: allow popups for this page.'));
    this.waiting?.cancel(); // a flow whose window was closed: this one replaces it
    const flow = this.runFlow(challenge).finally(() => {
      if (this.popup && !this.popup.closed) this.popup.close();
      this.popup = null;
      this.flow = undefined;
    });
    this.flow = flow;
    return flow;
  }

  private async runFlow(challenge: Challenge): Promise<void> {
    const waiting = waitForCallback();
    this.waiting = waiting;
    // No scope of our own: the SDK then asks for every scope the resource advertises (and
    // offline_access, for a refresh token), as ChatGPT does, not only the refused call's.
    const options = { serverUrl: MCP_URL, resourceMetadataUrl: challenge.resourceMetadataUrl };
    try {
      this.metadata ??= await readClientMetadata();
      if ((await auth(this, options)) === 'AUTHORIZED') return;
      const response = await waiting.response;
      if (response.error) throw new Error(`Sign-in did not finish: ${response.error_description ?? response.error}`);
      if (!response.state || response.state !== this.expectedState) throw new Error('Sign-in answered a request this page did not make (state mismatch).');
      await auth(this, { ...options, authorizationCode: response.code, iss: response.iss });
    } finally {
      waiting.cancel();
    }
  }
}

/**
 * The playground as an OAuth client, as its metadata document (server/playground/router.ts)
 * describes it: the one description, sent as is to dynamic registration (without the document's
 * own address as client_id, which only a metadata-document client has).
 */
async function readClientMetadata(): Promise<OAuthClientMetadata> {
  const { client_id: _documentUrl, ...metadata } = (await (await fetch(CLIENT_METADATA_PATH)).json()) as OAuthClientMetadata & { client_id: string };
  return metadata;
}

/** A flow given up for a newer one (its window was closed, and the person clicked again). */
export class SignInRestarted extends Error {
  constructor() {
    super('Sign-in was started again.');
  }
}

/**
 * The authorization response, from the callback page over a same-origin BroadcastChannel. No
 * watch on the popup's `closed`: an identity provider whose pages send Cross-Origin-Opener-Policy
 * makes it read true while the person is still signing in. A window closed for good leaves the
 * sign-in button, whose next click starts over (and cancels this wait).
 */
function waitForCallback(): { response: Promise<Record<string, string | undefined>>; cancel(): void } {
  const channel = new BroadcastChannel(SIGN_IN_CHANNEL);
  let cancel = () => {};
  const response = new Promise<Record<string, string | undefined>>((resolve, reject) => {
    channel.onmessage = (event: MessageEvent<Record<string, string | undefined>>) => resolve(event.data);
    cancel = () => reject(new SignInRestarted());
  });
  response.catch(() => undefined);
  return {
    response,
    cancel() {
      channel.close();
      cancel();
    },
  };
}
