import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startupBanner } from '../server/banner.ts';
import { loadConfig } from '../server/config.ts';
import { removeDataDir, startKanban, type RunningKanban } from './support/kanban-server.ts';

// The dev playground's routes without a browser: never in production, first in the banner, only on
// the public origin, Vite serving nothing but what the playground and the widget load, and the
// playground's client metadata document.

const WEB = fileURLToPath(new URL('../web/', import.meta.url));

describe('the playground outside the browser: production, the banner, its origin, its client document', () => {
  let kanban: RunningKanban;
  beforeAll(async () => {
    // Production's own floor for password hashing (nothing is hashed here).
    kanban = await startKanban({ env: { NODE_ENV: 'production', PASSWORD_HASH_COST: '17' } });
  });
  afterAll(async () => {
    await kanban?.stop();
    if (kanban) removeDataDir(kanban.dataDir);
  });

  it('NODE_ENV=production answers 404 at /dev and everywhere under it', async () => {
    for (const path of ['/dev', '/dev/', '/dev/oauth/callback', '/dev/oauth/client.json', '/dev/playground/src/main.tsx', '/dev/@vite/client']) {
      const response = await fetch(`${kanban.url}${path}`);
      expect([path, response.status]).toEqual([path, 404]);
    }
  });

  it('the banner names the playground first outside production, and not at all in production', () => {
    const development = startupBanner(loadConfig({ PUBLIC_URL: 'https://kanban-demo.example' }), { port: 3000, accounts: 1 }).split('\n');
    expect(development.slice(1, 3)).toEqual(['  kanban-mcp is running', '  Playground: https://kanban-demo.example/dev  (a local ChatGPT: call the tools, see the widget, sign in)']);
    expect(startupBanner(kanban.config, { port: 3000, accounts: 1 })).not.toContain('Playground');
  });

  it('outside production: the page, on the public origin only, and its client metadata document', async () => {
    const development = await startKanban();
    try {
      const page = await fetch(`${development.url}/dev`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>kanban-mcp playground</title>');
      // localhost is this machine too, but another origin than the one tokens are issued for.
      const elsewhere = await fetch(`${development.url.replace('127.0.0.1', 'localhost')}/dev?x=1`, { redirect: 'manual' });
      expect([elsewhere.status, elsewhere.headers.get('location')]).toEqual([302, `${development.url}/dev?x=1`]);
      // Vite serves the playground, the widget's sources and their packages: nothing else of the
      // project or the machine, the data directory least of all.
      writeFileSync(join(development.dataDir, 'secret.txt'), 'the data directory');
      for (const path of [`/dev/@fs${development.dataDir}/secret.txt`, `/dev/@fs${fileURLToPath(new URL('../server/config.ts', import.meta.url))}`, `/dev/@fs${fileURLToPath(new URL('../package.json', import.meta.url))}`]) {
        const response = await fetch(`${development.url}${path}`);
        const body = await response.text();
        expect([path, response.status === 200, body.includes('the data directory') || body.includes('loadConfig')]).toEqual([path, false, false]);
      }
      // The widget's sandboxed frame (Origin: null) may load the widget's modules, never the playground's.
      const widgetModule = await fetch(`${development.url}/dev/src/main.tsx`, { headers: { origin: 'null' } });
      expect([widgetModule.status, widgetModule.headers.get('access-control-allow-origin')]).toEqual([200, 'null']);
      const viteClient = await fetch(`${development.url}/dev/@vite/client`, { headers: { origin: 'null' } });
      expect([viteClient.status, viteClient.headers.get('access-control-allow-origin')]).toEqual([200, 'null']);
      for (const path of ['/dev/playground/src/main.tsx', `/dev/@fs${WEB}playground/src/main.tsx`]) {
        const playgroundModule = await fetch(`${development.url}${path}`, { headers: { origin: 'null' } });
        expect([path, playgroundModule.status, playgroundModule.headers.get('access-control-allow-origin')]).toEqual([path, 200, null]);
      }
      // Nor does any other site's origin (Vite's own CORS, which lets in *.localhost, is off).
      const otherSite = await fetch(`${development.url}/dev/src/main.tsx`, { headers: { origin: 'http://evil.localhost:3000' } });
      expect(otherSite.headers.get('access-control-allow-origin')).toBeNull();
      const documentUrl = `${development.url}/dev/oauth/client.json`;
      const metadata = await (await fetch(documentUrl)).json();
      expect(metadata).toEqual({
        client_id: documentUrl,
        client_name: 'kanban-mcp playground',
        client_uri: `${development.url}/dev`,
        redirect_uris: [`${development.url}/dev/oauth/callback`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      });
    } finally {
      await development.stop();
      removeDataDir(development.dataDir);
    }
  });
});

