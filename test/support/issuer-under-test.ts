import { beforeAll, expect } from 'vitest';
import { useKanban, type RunningKanban } from './kanban-server.ts';
import { makeAccount, registerClient, tokenRequest, type RegisteredClient } from './oauth-steps.ts';
import { codeForm, SignedInBrowser, storeRow } from './token-helpers.ts';

// The server a test/security/ file questions, started once for the file. The bindings below are
// live (ES modules): a test reads them as plain variables, set by the hooks before the file's tests run.

export let kanban: RunningKanban;
export let account: Awaited<ReturnType<typeof makeAccount>>;
/** Signed in as `account` once; every code of the file comes through it (the sign-in form is rate limited). */
export let browser: SignedInBrowser;

/** One server for the file, with `env` on top of the test defaults. */
export function useIssuer(env: Record<string, string> = {}): void {
  const shared = useKanban({ env });
  beforeAll(() => {
    kanban = shared.kanban;
  });
}

/** useIssuer, plus one account and a browser signed in as it. */
export function useSignedInIssuer(env: Record<string, string> = {}): void {
  useIssuer(env);
  beforeAll(async () => {
    account = await makeAccount(kanban);
    browser = new SignedInBrowser(kanban, account);
  });
}

export type Confidential = RegisteredClient & { client_secret: string };

/** A client registered to authenticate with a secret by `method`. */
export async function registerConfidential(method: 'client_secret_post' | 'client_secret_basic'): Promise<Confidential> {
  const client = await registerClient(kanban, { token_endpoint_auth_method: method });
  expect(client.token_endpoint_auth_method).toBe(method);
  expect(client.client_secret).toEqual(expect.any(String));
  return client as Confidential;
}

/** The token endpoint's answer to a code or a refresh. */
export interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
  [key: string]: unknown;
}

/**
 * A code for `client` (by default a fresh one registered with `metadata`: public unless it says
 * otherwise) from `via` (by default the file's browser), redeemed, with the client's secret if it
 * has one: the code, its verifier and the tokens. Anything but 200 fails the test.
 */
export async function redeemedCode(options: { client?: RegisteredClient; metadata?: Record<string, unknown>; params?: Record<string, string>; via?: SignedInBrowser } = {}) {
  const client = options.client ?? (await registerClient(kanban, options.metadata ?? {}));
  const { code, verifier } = await (options.via ?? browser).code(client, options.params);
  const secret: Record<string, string> = typeof client.client_secret === 'string' ? { client_secret: client.client_secret } : {};
  const response = await tokenRequest(kanban, codeForm(kanban, client, code, verifier, secret));
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return { client, code, verifier, tokens: response.body as Tokens };
}

/** oauth_store rows that belong to a grant (the grant itself has grant_id NULL and is keyed by its id). */
export async function grantRows(grantId: string): Promise<number> {
  const [{ n: members }] = (await kanban.runtime.database.query('SELECT CAST(count(*) AS INTEGER) AS n FROM oauth_store WHERE grant_id = ?', [grantId])) as [{ n: number }];
  const grant = (await storeRow(kanban, 'Grant', grantId)) ? 1 : 0;
  return members + grant;
}

/** Whether anything of the grant is still stored: the grant itself or a token or code of it. */
export async function grantExists(grantId: string): Promise<boolean> {
  return (await grantRows(grantId)) > 0;
}

export async function grantIdOf(refreshToken: string): Promise<string> {
  const row = await storeRow(kanban, 'RefreshToken', refreshToken);
  if (!row?.grant_id) throw new Error('refresh token row not found');
  return row.grant_id;
}
