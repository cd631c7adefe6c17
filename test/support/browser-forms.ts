// Plays the browser in an OAuth flow with plain HTTP: follows redirects by hand, keeps cookies,
// reads our sign-in and consent forms, and submits them as a person would.

export class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface Page {
  url: string;
  status: number;
  html: string;
  headers: Headers;
}

export class BrowserForms {
  readonly jar = new CookieJar();
  private readonly ourOrigin: string;
  constructor(ourOrigin: string) {
    this.ourOrigin = ourOrigin;
  }

  /** Requests `url` and follows redirects within our origin; stops at the first page or at a redirect elsewhere. */
  async open(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let current = url;
    let method = init.method ?? 'GET';
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hops = 0; hops < 10; hops++) {
      const response = await fetch(current, {
        method,
        redirect: 'manual',
        headers: { cookie: this.jar.header(), accept: 'text/html', ...(body ? { 'content-type': 'application/x-www-form-urlencoded', origin: this.ourOrigin } : {}) },
        body,
      });
      this.jar.take(response);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        const next = new URL(location, current).href;
        if (!next.startsWith(this.ourOrigin)) return { url: next, status: response.status, html: '', headers: response.headers };
        current = next;
        method = 'GET';
        body = undefined;
        continue;
      }
      return { url: current, status: response.status, html: await response.text(), headers: response.headers };
    }
    throw new Error('too many redirects');
  }

  /** Submits the form whose action ends with `suffix` on `page`. */
  submit(page: Page, suffix: string, form: Record<string, string> = {}): Promise<Page> {
    const forms = [...page.html.matchAll(/<form([^>]*)>/g)].map((match) => ({
      action: /action="([^"]*)"/.exec(match[1]!)?.[1] ?? '',
      method: (/method="([^"]*)"/.exec(match[1]!)?.[1] ?? 'get').toUpperCase(),
    }));
    const target = forms.find((candidate) => candidate.action.endsWith(suffix));
    if (!target) throw new Error(`no form ending in ${suffix} on ${page.url}: ${page.html.slice(0, 500)}`);
    const url = new URL(target.action.replaceAll('&amp;', '&'), page.url).href;
    return this.open(url, target.method === 'POST' ? { method: 'POST', form } : {});
  }
}

/** Signs in (or signs up) and consents; returns the URL the browser is finally sent to (the client's redirect). */
export async function signInAndConsent(
  authorizationUrl: URL | string,
  ourOrigin: string,
  account: { username: string; password: string; signUp?: boolean },
): Promise<{ redirect: URL; pages: Page[] }> {
  const browser = new BrowserForms(ourOrigin);
  const pages: Page[] = [];
  let page = await browser.open(String(authorizationUrl));
  pages.push(page);
  if (account.signUp) {
    page = await browser.submit(page, '/signup');
    pages.push(page);
    page = await browser.submit(page, '/signup', { username: account.username, password: account.password, displayName: account.username });
  } else {
    page = await browser.submit(page, '/login', { username: account.username, password: account.password });
  }
  pages.push(page);
  if (page.html.includes('/confirm')) {
    page = await browser.submit(page, '/confirm');
    pages.push(page);
  }
  if (page.html) throw new Error(`expected a redirect to the client, got ${page.status} at ${page.url}: ${page.html.slice(0, 800)}`);
  return { redirect: new URL(page.url), pages };
}
