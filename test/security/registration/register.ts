import { expect } from 'vitest';
import { kanban } from '../../support/issuer-under-test.ts';
import type { RegisteredClient } from '../../support/oauth-steps.ts';
import { expectJsonError, send, type RawResponse } from '../../support/security-helpers.ts';

// What the registration tests (this folder) share: a registration as a client sends it, and what
// a refusal and a success must look like.

export const REDIRECT = 'https://client.example/cb';

export function register(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<RawResponse> {
  return send(`${kanban.url}/oauth/register`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A registration refused with this code: 400, JSON, clean description, Cache-Control: no-store. */
export function expectRefused(response: RawResponse, error: string): Record<string, unknown> {
  const body = expectJsonError(response, 400, error);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(body).not.toHaveProperty('client_id');
  return body;
}

export function expectRegistered(response: RawResponse): RegisteredClient & Record<string, unknown> {
  expect(response.status, response.text).toBe(201);
  return JSON.parse(response.text) as RegisteredClient & Record<string, unknown>;
}
