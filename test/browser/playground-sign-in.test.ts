import { describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumMissingMessage } from '../support/chromium.ts';
import { runCli } from '../support/cli.ts';
import { callTool, connected, PLAYGROUND_VIEWPORT, signInThroughPopup, usePlaygroundServer } from '../support/playground.ts';

// The playground's sign-in beyond ChatGPT's own way (playground-walkthrough.test.ts): as a spec
// client meets it (the 2026-07-28 era, no ChatGPT hints, an HTTP 401), a refused token refreshed,
// sign-out; and on an https URL, registration by the playground's client metadata document.

if (!chromiumAvailable) console.warn(`Skipping the playground sign-in tests: ${chromiumMissingMessage}`);

describe.skipIf(!chromiumAvailable)('the playground as a spec client: 2026-07-28, no ChatGPT hints, the HTTP challenge', () => {
  const shared = usePlaygroundServer();

  it('meets the 401, signs in through the popup, retries the call, and signs out', { timeout: 90_000 }, async () => {
    const { kanban } = shared;
    const context = await shared.browser.newContext({ viewport: PLAYGROUND_VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${kanban.url}/dev`);
    await connected(page, '2025-11-25');
    await page.getByLabel('Protocol').selectOption('2026-07-28');
    await connected(page, '2026-07-28');
    await page.getByLabel("Send ChatGPT's hints").uncheck();
    const call = await callTool(page, 'create_card', { 'title (required)': 'From a spec client' });
    await call.getByRole('group', { name: 'Sign-in needed' }).waitFor();
    // No tool result: the server refused at the HTTP level, and the challenge came in the header.
    await expect(call.getByRole('alert').innerText()).resolves.toMatch(/^HTTP challenge: Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp", scope="kanban.write"$/);
    await expect(call.locator('.model-text').count()).resolves.toBe(0);
    const log = page.getByRole('region', { name: 'Message log' });
    await log.getByRole('listitem').filter({ hasText: 'server → playground' }).filter({ hasText: 'HTTP 401' }).first().waitFor();

    await signInThroughPopup(context, call, { username: 'grace', displayName: 'Grace Hopper' });
    await expect.poll(() => call.locator('.status').innerText(), { timeout: 15_000 }).toBe('done');
    await expect(call.locator('.model-text').innerText()).resolves.toMatch(/^Added "From a spec client"/);
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toMatch(/^Signed in as Grace Hopper/);

    // A refusal that is no challenge (a body over the 1 MiB limit: 413) fails that call; it is not
    // taken for the sign-in the 401 above asked for.
    await page.getByRole('region', { name: 'Tools' }).getByRole('button', { name: 'create_card', exact: true }).click();
    const form = page.getByRole('form', { name: 'Call create_card' });
    await form.getByRole('button', { name: 'Edit as JSON' }).click();
    await form.getByLabel('Arguments (JSON)').fill(JSON.stringify({ title: 'x'.repeat(1_100_000) }));
    const calls = page.getByRole('article', { name: 'create_card call' });
    const before = await calls.count();
    await form.getByRole('button', { name: 'Call create_card' }).click();
    await expect.poll(() => calls.count()).toBe(before + 1);
    const tooLarge = calls.last();
    await expect.poll(() => tooLarge.locator('.status').innerText()).toBe('failed');
    await expect(tooLarge.getByRole('group', { name: 'Sign-in needed' }).count()).resolves.toBe(0);
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toMatch(/^Signed in as Grace Hopper/);

    // A token the server no longer accepts (its signing key revoked, as when one leaks) is refreshed
    // by the playground, and the call goes through on the retry: the person stays signed in.
    const jwks = async () => ((await (await fetch(`${kanban.url}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    const [oldKid] = await jwks();
    const revoked = await runCli('signing-keys', ['revoke', oldKid!], kanban.dataDir);
    expect(revoked.code, revoked.stderr).toBe(0);
    await expect.poll(jwks, { timeout: 15_000 }).not.toContain(oldKid);
    const refusalsBefore = await log.getByRole('listitem').filter({ hasText: 'HTTP 401' }).count();
    const whoami = await callTool(page, 'whoami');
    await expect.poll(() => whoami.locator('.status').innerText(), { timeout: 15_000 }).toBe('done');
    await expect(whoami.locator('.model-text').innerText()).resolves.toMatch(/^Signed in as Grace Hopper/);
    await expect(log.getByRole('listitem').filter({ hasText: 'HTTP 401' }).count()).resolves.toBe(refusalsBefore + 1);
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toMatch(/^Signed in as Grace Hopper/);

    // Sign-out drops the token: the next write meets the challenge again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByLabel('Who is signed in').innerText()).resolves.toBe('Not signed in');
    const again = await callTool(page, 'create_card', { 'title (required)': 'After signing out' });
    await again.getByRole('group', { name: 'Sign-in needed' }).waitFor();
    await context.close();
  });
});

describe.skipIf(!chromiumAvailable)('the playground on an https URL (a tunnel, stood in for by the browser): registration by its client metadata document', () => {
  const PUBLIC = 'https://kanban-playground.example';
  const documentsFetched: string[] = [];
  // The issuer fetches the playground's document from PUBLIC; it lives on this server, on loopback.
  const loopbackFetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== PUBLIC) return Promise.reject(new Error(`unexpected fetch of ${url}`));
    documentsFetched.push(url.pathname);
    return fetch(`${shared.kanban.url}${url.pathname}`, { ...init, dispatcher: undefined } as RequestInit);
  };
  const shared = usePlaygroundServer({ env: { PUBLIC_URL: PUBLIC }, issuer: { fetch: loopbackFetch } });

  it('signs in with client_id = the document URL, no dynamic registration, and retries the call', { timeout: 90_000 }, async () => {
    const { kanban } = shared;
    const context = await shared.browser.newContext({ viewport: PLAYGROUND_VIEWPORT });
    // The tunnel: every request for PUBLIC goes to the server on loopback, with PUBLIC's host.
    await context.route(`${PUBLIC}/**`, async (route) => {
      const url = new URL(route.request().url());
      const response = await route.fetch({ url: `${kanban.url}${url.pathname}${url.search}`, headers: { ...route.request().headers(), host: new URL(PUBLIC).host }, maxRedirects: 0 });
      await route.fulfill({ response });
    });
    const page = await context.newPage();
    await page.goto(`${PUBLIC}/dev`);
    await connected(page);
    await page.getByLabel('Widget source').selectOption('built'); // the reload socket does not go through the stand-in
    await page.getByLabel('Client registration').selectOption('metadata-document');
    const call = await callTool(page, 'create_card', { 'title (required)': 'Registered by document' });
    await call.getByRole('group', { name: 'Sign-in needed' }).waitFor();
    await signInThroughPopup(context, call, { username: 'hedy', displayName: 'Hedy Lamarr' });
    await expect.poll(() => call.locator('.status').innerText(), { timeout: 15_000 }).toBe('done');
    expect(documentsFetched).toContain('/dev/oauth/client.json');
    // No dynamic registration was made: the only client is the document.
    const registered = await runCli('clients', ['list'], kanban.dataDir);
    expect(registered.stdout).toBe(`${PUBLIC}/dev/oauth/client.json  (client metadata document)  grants 1\n`);
    await context.close();
  });
});

