import type { Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchChromium } from './chromium.ts';
import { removeDataDir, startKanban, type RunningKanban } from './kanban-server.ts';

// What the playground tests (test/browser/playground-*.test.ts) do as a person at the page: open
// it, call a tool from its form, find a call in the transcript and its widget, sign up in the popup.

export const PLAYGROUND_VIEWPORT = { width: 1400, height: 1000 };

type StartOptions = Parameters<typeof startKanban>[0];

/** A server of its own and a Chromium for one test file; read the getters inside tests. `options` may be made when the file starts. */
export function usePlaygroundServer(options?: StartOptions | (() => StartOptions)): { readonly kanban: RunningKanban; readonly browser: Browser } {
  let kanban: RunningKanban | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    kanban = await startKanban(typeof options === 'function' ? options() : options);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await kanban?.stop();
    if (kanban) removeDataDir(kanban.dataDir);
  });
  return {
    get kanban() {
      return kanban!;
    },
    get browser() {
      return browser!;
    },
  };
}

/** Waits until the page has connected to /mcp (in `protocol`, when given). */
export async function connected(page: Page, protocol = ''): Promise<void> {
  await page.getByRole('status').filter({ hasText: `Connected to /mcp${protocol ? ` (${protocol})` : ''}` }).waitFor({ timeout: 60_000 });
}

/** The newest entry of the transcript that is a call of `tool`. */
export function lastCall(page: Page, tool: string): Locator {
  return page.getByRole('article', { name: `${tool} call` }).last();
}

export function widgetOf(call: Locator): FrameLocator {
  return call.frameLocator('iframe.widget');
}

/** Picks `tool`, fills its form's fields (by label), calls it; returns its new transcript entry. */
export async function callTool(page: Page, tool: string, fields: Record<string, string> = {}): Promise<Locator> {
  const before = await page.getByRole('article', { name: `${tool} call` }).count();
  await page.getByRole('region', { name: 'Tools' }).getByRole('button', { name: tool, exact: true }).click();
  const form = page.getByRole('form', { name: `Call ${tool}` });
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label).fill(value);
  await form.getByRole('button', { name: `Call ${tool}` }).click();
  await expect.poll(() => page.getByRole('article', { name: `${tool} call` }).count()).toBe(before + 1);
  return lastCall(page, tool);
}

export interface PopupPerson {
  username: string;
  displayName: string;
  /** Where the popup's sign-up and consent pages are saved, if anywhere. */
  screenshots?: string;
}

/**
 * Presses the challenged call's sign-in button; in the popup, signs up (or, remembered by the
 * issuer, only consents) and allows. Resolves once the popup has closed itself.
 */
export async function signInThroughPopup(context: BrowserContext, call: Locator, person: PopupPerson, remembered = false): Promise<void> {
  const [popup] = await Promise.all([context.waitForEvent('page'), call.getByRole('button', { name: 'Sign in to kanban-mcp' }).click()]);
  const closed = popup.waitForEvent('close');
  const consent = popup.getByRole('heading', { name: /^Allow .+ to use Kanban\?$/ });
  if (remembered) {
    await consent.waitFor();
    await expect(popup.locator('main').innerText()).resolves.toContain(`Signed in as ${person.displayName}.`);
  } else {
    await popup.getByRole('heading', { name: 'Sign in to Kanban' }).waitFor();
    await popup.getByRole('button', { name: 'Create an account' }).click();
    await popup.getByRole('heading', { name: 'Create a Kanban account' }).waitFor();
    await popup.getByLabel('Username').fill(person.username);
    await popup.getByLabel('Display name').fill(person.displayName);
    await popup.getByLabel('Password').fill('correct horse battery');
    if (person.screenshots) await popup.screenshot({ path: `${person.screenshots}-popup-sign-up.png` });
    await popup.getByRole('button', { name: 'Create account and continue' }).click();
    await consent.waitFor();
    if (person.screenshots) await popup.screenshot({ path: `${person.screenshots}-popup-consent.png` });
  }
  await popup.getByRole('button', { name: 'Allow' }).click();
  await closed;
}
