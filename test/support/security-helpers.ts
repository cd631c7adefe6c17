import { createServer, type Server } from 'node:https';
import { expect } from 'vitest';
import { BrowserForms, type Page } from './browser-forms.ts';
import type { RunningKanban } from './kanban-server.ts';
import { authorizeUrl, type RegisteredClient } from './oauth-steps.ts';

// Shared by the authorization-endpoint and registration security tests (test/security/*):
// raw requests with manual redirects, the checks every OAuth error must pass, and a browser that
// signs in once (the sign-in form limits failed attempts per address and per account).

export interface RawResponse {
  status: number;
  headers: Headers;
  /** The Location header, as sent (may be relative). */
  location: string | null;
  text: string;
}

/** One request, redirects not followed, the body read. */
export async function send(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, location: response.headers.get('location'), text: await response.text() };
}

/** A GET as an API client would send it (asks for JSON errors). */
export function getJson(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return send(url, { headers: { accept: 'application/json', ...headers } });
}

/** RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E (no `"`, `\`, newline). */
export function expectCleanDescription(description: unknown): void {
  if (description === undefined || description === null) return;
  expect(typeof description).toBe('string');
  expect(description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/);
}

/** A JSON OAuth error with this status and code, a clean description, and no redirect. */
export function expectJsonError(response: RawResponse, status: number, error: string): Record<string, unknown> {
  expect(response.status, response.text).toBe(status);
  expect(response.location).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(response.text) as Record<string, unknown>;
  expect(body.error, response.text).toBe(error);
  expectCleanDescription(body.error_description);
  return body;
}

/** The response parameters of a redirect to the client, from the query or (response_mode=fragment) the fragment. */
export function redirectParams(location: string): URLSearchParams {
  const url = new URL(location);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

/**
 * An error sent back to the client's registered redirect_uri: a 302/303 (never 307) whose Location
 * starts with `redirectUri`, carrying `error`, the `state` echoed exactly (or none when `state` is
 * null) and `iss` = our issuer (RFC 9207). Returns the response parameters.
 */
export function expectErrorRedirect(response: RawResponse, expected: { redirectUri: string; error: string; state: string | null; issuer: string }): URLSearchParams {
  expect([302, 303], `${response.status} ${response.location ?? response.text.slice(0, 300)}`).toContain(response.status);
  expect(response.location).not.toBeNull();
  const location = response.location!;
  const target = new URL(location);
  expect(target.origin + target.pathname).toBe(new URL(expected.redirectUri).origin + new URL(expected.redirectUri).pathname);
  const params = redirectParams(location);
  expect(params.get('error'), location).toBe(expected.error);
  expect(params.getAll('state')).toEqual(expected.state === null ? [] : [expected.state]);
  expect(params.getAll('iss')).toEqual([expected.issuer]);
  expect(params.has('code')).toBe(false);
  expectCleanDescription(params.get('error_description') ?? undefined);
  return params;
}

/** The usual authorization request of `authorizeUrl`, with `overrides` applied and the `without` parameters left out. */
export function authorizeUrlWithout(kanban: RunningKanban, client: RegisteredClient, overrides: Record<string, string>, without: string[]): string {
  const url = new URL(authorizeUrl(kanban, client, overrides).url);
  for (const name of without) url.searchParams.delete(name);
  return url.href;
}

/**
 * A browser that signs one account in once and then goes through consent for any number of
 * clients: sign-in happens on the first request only, so the sign-in rate limit is never hit.
 */
export class SessionBrowser {
  readonly browser: BrowserForms;
  private readonly account: { username: string; password: string };

  constructor(kanban: RunningKanban, account: { username: string; password: string }) {
    this.account = account;
    this.browser = new BrowserForms(kanban.url);
  }

  /** Opens `url` and signs in when asked; stops at the next page (consent, error) or at a redirect out. */
  async open(url: string): Promise<Page> {
    const page = await this.browser.open(url);
    if (!isSignInPage(page)) return page;
    return this.browser.submit(page, '/login', { username: this.account.username, password: this.account.password });
  }

  /** Signs in if needed, then allows (or denies) on the consent page if one is shown. */
  async authorize(url: string, options: { deny?: boolean } = {}): Promise<{ page: Page; redirect: URL | undefined }> {
    let page = await this.open(url);
    if (isConsentPage(page)) page = await this.browser.submit(page, options.deny ? '/abort' : '/confirm');
    return { page, redirect: page.html ? undefined : new URL(page.url) };
  }
}

export function isSignInPage(page: Page): boolean {
  return /action="[^"]*\/login"/.test(page.html);
}

export function isConsentPage(page: Page): boolean {
  return /action="[^"]*\/confirm"/.test(page.html);
}

// A self-signed certificate for localhost, 127.0.0.1 and ::1 (EC P-256, valid until 2126), for a
// loopback https server in tests only. Nothing trusts it unless a test turns verification off.
const LOOPBACK_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFZc+NqY3N/6pHXpt
Ec3pGGncFakzSMuJfflaNdhdmmihRANCAARvLBwEe/RRQcxcEvWgMml8GhGkf6uZ
EidwdETDDwgmdt2GrUx8yw2XBgzlCxhZbJBTA0vTRZ2mfcufRCUGqZhU
-----END PRIVATE KEY-----
`;
const LOOPBACK_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBrjCCAVSgAwIBAgIUAlkD13ShBQarNvhiAE2rEZ4ykb0wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyOTE1NTY1NFoYDzIxMjYxMTA1
MTU1NjU0WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARvLBwEe/RRQcxcEvWgMml8GhGkf6uZEidwdETDDwgmdt2GrUx8yw2X
BgzlCxhZbJBTA0vTRZ2mfcufRCUGqZhUo4GBMH8wHQYDVR0OBBYEFOFLbca0qVBu
8rAXnDcxj5x7/wD3MB8GA1UdIwQYMBaAFOFLbca0qVBu8rAXnDcxj5x7/wD3MA8G
A1UdEwEB/wQFMAMBAf8wLAYDVR0RBCUwI4IJbG9jYWxob3N0hwR/AAABhxAAAAAA
AAAAAAAAAAAAAAABMAoGCCqGSM49BAMCA0gAMEUCIFB3YkLVFsVyHPmKCxCYrgsf
xO42ZXMlT82NxrIp2oVSAiEA6wzhi6O8oXHEiy9rA7J3TR5OQCE0IR1yJfcyb+2J
b4U=
-----END CERTIFICATE-----
`;

export interface RecordingHttpsServer {
  port: number;
  /** Every request path it was asked for. */
  requests: string[];
  close(): Promise<void>;
}

/** An https server on 127.0.0.1 that answers every request with `document` (JSON) and records it. */
export async function startRecordingHttpsServer(document: (path: string) => unknown): Promise<RecordingHttpsServer> {
  const requests: string[] = [];
  const server: Server = createServer({ key: LOOPBACK_TLS_KEY, cert: LOOPBACK_TLS_CERT }, (req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(document(req.url ?? '')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Runs `body` with TLS certificate verification off in this process (NODE_TLS_REJECT_UNAUTHORIZED=0,
 * read by Node at each connection), so that any fetch, the issuer's included, *could* reach the
 * self-signed loopback server: a test that expects no request then fails if a guard is missing.
 */
export async function withTlsVerificationOff<T>(body: () => Promise<T>): Promise<T> {
  const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  try {
    return await body();
  } finally {
    if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
  }
}
