import { createServer, type ServerResponse } from 'node:http';
import { removeDataDir, startKanban, type RunningKanban } from './kanban-server.ts';

// A stand-in for a client's own website (https://client.example): what it serves comes from a
// loopback server, and the issuer's `fetch` hook sends https://client.example/* there, so
// nothing leaves the machine. The hook drops oidc-provider's SSRF-guarding dispatcher, which
// would (rightly) refuse loopback.

export interface Served {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** Or a function that writes the response itself (a stream that never ends, say). */
export type Answer = Served | ((res: ServerResponse) => void);

export interface ClientOrigin {
  /** Every path requested, in order. */
  requested: string[];
  /** For startKanban({ issuer: { fetch } }). */
  fetch: typeof fetch;
  close(): Promise<void>;
}

export async function startClientOrigin(serve: (path: string) => Answer | undefined): Promise<ClientOrigin> {
  const requested: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    requested.push(path);
    const served = serve(path);
    if (typeof served === 'function') return served(res);
    res.writeHead(served?.status ?? (served ? 200 : 404), { 'content-type': 'application/json', ...served?.headers });
    res.end(served ? JSON.stringify(served.body) : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const local = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const loopbackFetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin !== 'https://client.example') return Promise.reject(new Error(`unexpected fetch of ${url}`));
    return fetch(`${local}${url.pathname}`, { ...init, dispatcher: undefined } as RequestInit);
  };
  return {
    requested,
    fetch: loopbackFetch,
    close: () => {
      server.closeAllConnections(); // a response that never ends included
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The real server, its issuer fetching through a client origin that serves `serve`; stop() ends both. */
export async function startKanbanWithClientOrigin(serve: Parameters<typeof startClientOrigin>[0]): Promise<{ origin: ClientOrigin; kanban: RunningKanban; stop(): Promise<void> }> {
  const origin = await startClientOrigin(serve);
  const kanban = await startKanban({ issuer: { fetch: origin.fetch } });
  return {
    origin,
    kanban,
    async stop() {
      await kanban.stop();
      removeDataDir(kanban.dataDir);
      await origin.close();
    },
  };
}
