import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';

// Real Chromium for the few tests that need a browser: the system's binary (Debian's `chromium`
// package on CI), driven by playwright-core. Playwright gives each launch a fresh temporary
// profile. Tests skip when the binary is missing, so a machine without Chromium still runs the rest.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);
export const chromiumMissingMessage = `no Chromium at ${CHROMIUM_PATH}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to run the browser tests`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface CspViolation {
  directive: string;
  blockedURI: string;
  sample: string;
}

// Console events do not carry CSP reports, so every document records its own violations in a
// window variable, from before its first byte of markup is parsed. A string, not a function: the
// test transform may add helpers to a function's source that do not exist in the page.
const CSP_COUNTER = `
  window.__cspViolations = [];
  window.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push({ directive: event.effectiveDirective, blockedURI: event.blockedURI, sample: event.sample });
  }, true);
`;

/** Makes every page of `context` record CSP violations; read them with `cspViolations(page)`. */
export async function recordCspViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: CSP_COUNTER });
}

/** The CSP violations of the page's (or frame's) current document so far, after queued events fired. */
export async function cspViolations(target: Pick<Page | Frame, 'evaluate'>): Promise<CspViolation[]> {
  await target.evaluate('new Promise((resolve) => setTimeout(resolve, 50))');
  return (await target.evaluate('window.__cspViolations ?? null')) as CspViolation[];
}

/** How wide the document is against the viewport: wider means a horizontal scrollbar. */
export function pageWidth(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
}
