import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Router, type Request, type Response } from 'express';
import type { ViteDevServer } from 'vite';
import { checkSubmission, unreadable, type CheckAnswer } from './submission-check.ts';

// The dev playground at /dev: a page that does what ChatGPT does, minus the model (web/playground/).
// Vite's dev server serves it from source, in this process, so the page hot-reloads. Never in
// production: boot.ts makes this router only outside NODE_ENV=production, and Vite (a dev
// dependency) is imported here only when the first /dev request arrives.

const PLAYGROUND_PATH = '/dev';

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const TEST_OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
/** The two HTML pages, by their path under /dev. */
const PAGES: Record<string, string> = { '': 'playground/index.html', '/': 'playground/index.html', '/oauth/callback': 'playground/callback.html' };

/** What the playground says of itself as an OAuth client, in its metadata document. */
function playgroundClientMetadata(publicUrl: string) {
  return {
    client_id: `${publicUrl}${PLAYGROUND_PATH}/oauth/client.json`,
    client_name: 'kanban-mcp playground',
    client_uri: `${publicUrl}${PLAYGROUND_PATH}`,
    redirect_uris: [`${publicUrl}${PLAYGROUND_PATH}/oauth/callback`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

/**
 * Where Vite keeps the packages it pre-bundles: under node_modules for pnpm dev, kept across starts.
 * Test servers (NODE_ENV=test) run in parallel processes, whose bundling would race in one folder:
 * each process gets its own under test-output/, removed when it exits.
 */
let testCacheDir: string | undefined;
function cacheDirFor(env: string): string {
  if (env !== 'test') return `${NODE_MODULES}.vite/playground/`;
  if (!testCacheDir) {
    const dir = (testCacheDir = `${TEST_OUTPUT}vite-playground-${process.pid}/`);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return testCacheDir;
}

export interface PlaygroundOptions {
  /** NODE_ENV: where Vite's cache goes. */
  env: string;
  /** The widget's sources (index.html and src/), hot-reloaded in the playground: web/ unless a test copies them. */
  widgetRoot?: string;
  /** This server as clients reach it: the playground must run on that origin (tokens are issued for its /mcp). */
  publicUrl: string;
  /** Host names the app answers to: Vite checks them again on its own routes and its socket. */
  allowedHostnames: readonly string[];
  /** The HTTP server, for Vite's hot-reload socket (its upgrade requests). */
  httpServer(): Server | undefined;
}

export interface Playground {
  router: Router;
  /** Stops Vite (its file watchers and socket), if it was started. */
  close(): Promise<void>;
}

export function playground(options: PlaygroundOptions): Playground {
  const widgetRoot = (options.widgetRoot ?? WEB_ROOT).replace(/\/?$/, '/');
  // How Vite names the widget's entry: under its root (web/) by path, elsewhere through /@fs/.
  const widgetEntry = widgetRoot === WEB_ROOT ? '/src/main.tsx' : `/@fs${widgetRoot}src/main.tsx`;
  const cacheDir = cacheDirFor(options.env);
  let vite: Promise<ViteDevServer> | undefined;
  const start = async (): Promise<ViteDevServer> => {
    const { createServer } = await import('vite');
    const { default: react } = await import('@vitejs/plugin-react');
    const server = options.httpServer();
    return createServer({
      configFile: false,
      root: WEB_ROOT,
      base: `${PLAYGROUND_PATH}/`,
      appType: 'custom',
      logLevel: 'warn',
      clearScreen: false,
      plugins: [react()],
      cacheDir,
      // Every package the two pages import, bundled before the first load: one found later (the
      // widget imports its bridge dynamically) would make Vite bundle again and reload the pages.
      optimizeDeps: {
        entries: ['playground/index.html', `${widgetRoot}index.html`],
        include: ['react', 'react-dom/client', 'react/jsx-dev-runtime', 'react/jsx-runtime', '@modelcontextprotocol/client', '@modelcontextprotocol/ext-apps', '@modelcontextprotocol/ext-apps/app-bridge', 'zod/v4/core'],
      },
      server: {
        middlewareMode: true,
        cors: false,
        // The socket shares our port (no second port to expose), or is off without a server to share.
        hmr: server ? { server } : false,
        allowedHosts: [...options.allowedHostnames],
        // Only the page's sources and the packages they import: never the data directory, the
        // server's code or anything else under the project (Vite's default allows it all).
        fs: { strict: true, allow: [`${WEB_ROOT}playground`, `${widgetRoot}src`, NODE_MODULES], deny: ['.env', '.env.*', '*.sqlite*', '*.{crt,pem,key}'] },
      },
    });
  };
  const devServer = () => (vite ??= start());
  /** An HTML file as Vite serves it in development (its client, React's refresh preamble), never cached. */
  const sendPage = async (res: Response, url: string, html: string, headers: Record<string, string> = {}) => {
    const page = await (await devServer()).transformIndexHtml(url, html);
    res.set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers }).send(page);
  };

  const router = Router();
  const publicHost = new URL(options.publicUrl).host;
  // The playground's client metadata document (CIMD): its client_id is this URL. Issuers fetch it
  // only over https (a tunnel's URL); on plain http the playground registers dynamically.
  router.get(`${PLAYGROUND_PATH}/oauth/client.json`, (_req, res) => {
    res.set('cache-control', 'no-cache').json(playgroundClientMetadata(options.publicUrl));
  });
  router.get([PLAYGROUND_PATH, `${PLAYGROUND_PATH}/`, `${PLAYGROUND_PATH}/oauth/callback`], async (req: Request, res: Response, next) => {
    // Another name for this machine (127.0.0.1 for localhost, say) would be another origin than the
    // one the tokens and the issuer's cookies are for: go to the public one.
    if (req.get('host') !== publicHost) return res.redirect(302, `${options.publicUrl}${req.originalUrl}`);
    // Express matches these paths whatever their case or a trailing slash: only the exact ones are pages.
    const page = PAGES[req.path.slice(PLAYGROUND_PATH.length)];
    if (page === undefined) return next();
    try {
      await sendPage(res, `/${page}`, await readFile(`${WEB_ROOT}${page}`, 'utf8'), { 'referrer-policy': 'no-referrer' });
    } catch (error) {
      next(error);
    }
  });
  // pnpm check:app's rows, for the playground: this server read at its public URL, as ChatGPT reads it.
  router.get(`${PLAYGROUND_PATH}/check`, async (_req, res) => {
    try {
      res.set('cache-control', 'no-store').json({ url: options.publicUrl, rows: await checkSubmission(options.publicUrl) } satisfies CheckAnswer);
    } catch (error) {
      res.status(502).json({ url: options.publicUrl, error: unreadable(options.publicUrl, error) } satisfies CheckAnswer);
    }
  });
  // The widget from source, for hot reload: its index.html as Vite serves it, with the React
  // refresh preamble and Vite's client, each loaded from here by the widget's frame.
  router.get(`${PLAYGROUND_PATH}/widget.html`, async (_req, res, next) => {
    try {
      await sendPage(res, '/index.html', (await readFile(`${widgetRoot}index.html`, 'utf8')).replace('./src/main.tsx', widgetEntry));
    } catch (error) {
      next(error);
    }
  });
  // The widget's frame is sandboxed (an opaque origin): its module requests say `Origin: null` and
  // need CORS to load. Only what the widget loads answers so (its sources, the packages they import,
  // Vite's client with its reload-socket token): any page's sandboxed frame can read those, never
  // the playground's own page; and only outside production. Vite's own CORS is off.
  const widgetModules = ['/src/', `/@fs${widgetRoot}src/`, '/@vite/client', '/@react-refresh', '/@id/', `/@fs${NODE_MODULES}`, `/@fs${cacheDir}`];
  router.use(PLAYGROUND_PATH, (req, res, next) => {
    if (req.headers.origin === 'null' && widgetModules.some((prefix) => req.path.startsWith(prefix))) res.set({ 'access-control-allow-origin': 'null', vary: 'Origin' });
    next();
  });
  router.use(PLAYGROUND_PATH, async (req, res, next) => {
    try {
      // Vite's middlewares expect the full URL (its base included): put back what Express took off.
      req.url = req.originalUrl;
      (await devServer()).middlewares(req, res, next);
    } catch (error) {
      next(error);
    }
  });
  return {
    router,
    /** Once closed, stays closed: a request still arriving as the server stops starts no new Vite. */
    async close() {
      const started = vite;
      vite = Promise.reject(new Error('the playground has stopped'));
      vite.catch(() => undefined);
      await started?.then((server) => server.close(), () => undefined);
    },
  };
}
