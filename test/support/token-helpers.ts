import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { BrowserForms, type Page } from './browser-forms.ts';
import type { RunningKanban } from './kanban-server.ts';
import { authorizeUrl, postForm, tokenRequest, type RegisteredClient } from './oauth-steps.ts';

// Helpers for the token, refresh and revocation security tests (test/security/*).

export type TokenResponse = Awaited<ReturnType<typeof tokenRequest>>;

/**
 * A browser that signs one account in once and then collects codes for any client: one consent per
 * client, no further sign-ins. The sign-in form allows 10 attempts a minute per address, and these
 * files need far more codes than that. Two codes for the same client from the same browser belong
 * to the same grant (the session remembers it): use a fresh client when grants must be independent.
 */
export class SignedInBrowser {
  readonly browser: BrowserForms;
  private readonly kanban: RunningKanban;
  private readonly account: { username: string; password: string };

  constructor(kanban: RunningKanban, account: { username: string; password: string }) {
    this.kanban = kanban;
    this.account = account;
    this.browser = new BrowserForms(kanban.url);
  }

  /** Follows `url` through sign-in (first time only) and consent; returns the final page or redirect. */
  async authorize(url: string): Promise<{ page: Page; redirect: URL | undefined }> {
    let page = await this.browser.open(url);
    if (page.html.includes('/login')) page = await this.browser.submit(page, '/login', { username: this.account.username, password: this.account.password });
    if (page.html.includes('/confirm')) page = await this.browser.submit(page, '/confirm');
    return { page, redirect: page.html ? undefined : new URL(page.url) };
  }

  /** A fresh authorization code for `client` and its PKCE verifier. */
  async code(client: RegisteredClient, params: Record<string, string> = {}): Promise<{ code: string; verifier: string }> {
    const { url, verifier } = authorizeUrl(this.kanban, client, params);
    const { page, redirect } = await this.authorize(url);
    const code = redirect?.searchParams.get('code');
    if (!code) throw new Error(`no code: ${redirect?.href ?? `${page.status} ${page.html.slice(0, 300)}`}`);
    return { code, verifier };
  }
}

/** The form a public client sends to redeem `code`. */
export function codeForm(kanban: RunningKanban, client: RegisteredClient, code: string, verifier: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: client.client_id, redirect_uri: client.redirect_uris[0]!, resource: kanban.mcpUrl, ...extra };
}

/** A refresh for a public client (add `client_secret` etc. through `extra`). */
export function refresh(kanban: RunningKanban, client: RegisteredClient, refreshToken: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<TokenResponse> {
  return tokenRequest(kanban, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: client.client_id, ...extra }, headers);
}

/** A POST to the revocation endpoint (RFC 7009). */
export function revoke(kanban: RunningKanban, form: Record<string, string>, headers: Record<string, string> = {}) {
  return postForm(kanban, '/oauth/revoke', form, headers);
}

/** A POST to the introspection endpoint (RFC 7662). */
export function introspect(kanban: RunningKanban, form: Record<string, string>, headers: Record<string, string> = {}) {
  return postForm(kanban, '/oauth/introspect', form, headers);
}

/** The SQLite database as it is on disk: the main file, the WAL and the shared-memory index, concatenated. */
export async function databaseBytes(kanban: RunningKanban): Promise<Buffer> {
  const { database } = kanban.runtime;
  if (database.engine === 'sqlite') {
    // The main file, the WAL and the shared-memory index, byte by byte.
    const files = readdirSync(kanban.dataDir).filter((name) => name.startsWith('kanban.sqlite'));
    expect(files).toContain('kanban.sqlite');
    return Buffer.concat(files.map((name) => readFileSync(join(kanban.dataDir, name))));
  }
  // PostgreSQL: every row of every table, as a thief with a dump of the database would see it.
  const tables = await database.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
  expect(tables.map((table) => table.name)).toContain('oauth_store');
  const rows = await Promise.all(tables.map((table) => database.query(`SELECT * FROM "${table.name}"`)));
  return Buffer.from(JSON.stringify(rows));
}

/** The HTTP status of a `whoami` tools/call with `accessToken`: 200 when the resource server accepts it. */
export async function whoamiStatus(kanban: RunningKanban, accessToken: string): Promise<number> {
  const response = await fetch(kanban.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
  });
  await response.body?.cancel();
  return response.status;
}

export function basicAuth(clientId: string, secret: string): string {
  // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** RFC 6749 §5.2 / OAuth 2.1 §3.2.4: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
export const ERROR_DESCRIPTION_CHARSET = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;

/**
 * The shape every OAuth JSON error must have (the general notes of docs/security-cases.md): the status,
 * the `error` code, JSON, `Cache-Control: no-store`, and an `error_description` in the allowed charset.
 */
export function expectOAuthError(response: { status: number; headers: Headers; body: Record<string, any> }, status: number, error: string): void {
  expect({ status: response.status, error: response.body.error }, JSON.stringify(response.body)).toEqual({ status, error });
  expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  if (response.body.error_description !== undefined) {
    expect(response.body.error_description).toEqual(expect.any(String));
    expect(response.body.error_description).toMatch(ERROR_DESCRIPTION_CHARSET);
  }
}

/** How the adapter keys oauth_store rows: sha256(id), base64url. */
export function storeKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** The oauth_store row of one artifact (by its id, e.g. a refresh token or code value), if any; times in ms, payload as JSON text. */
export async function storeRow(kanban: RunningKanban, model: string, id: string): Promise<{ model: string; id: string; grant_id: string | null; expires_at: number | null; consumed_at: number | null; payload: string } | undefined> {
  const { database } = kanban.runtime;
  const { oauthStore } = database.tables;
  const [row] = await database.read((db) => db.select().from(oauthStore).where(and(eq(oauthStore.model, model), eq(oauthStore.id, storeKey(id)))));
  return row && { model: row.model, id: row.id, grant_id: row.grantId, expires_at: row.expiresAt?.getTime() ?? null, consumed_at: row.consumedAt?.getTime() ?? null, payload: JSON.stringify(row.payload) };
}

/** Moves one artifact's timestamps into the past: the way to stand in for "a minute later" without sleeping. */
export async function backdate(kanban: RunningKanban, model: string, id: string, column: 'consumed_at' | 'expires_at', secondsAgo: number): Promise<void> {
  const { database } = kanban.runtime;
  const { oauthStore } = database.tables;
  const when = new Date(Date.now() - secondsAgo * 1000);
  const changed = await database.write((db) =>
    db.update(oauthStore).set(column === 'consumed_at' ? { consumedAt: when } : { expiresAt: when }).where(and(eq(oauthStore.model, model), eq(oauthStore.id, storeKey(id)))).returning({ id: oauthStore.id }),
  );
  if (changed.length !== 1) throw new Error(`no ${model} row to backdate`);
}
