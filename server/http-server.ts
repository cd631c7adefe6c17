import { createServer, type RequestListener, type Server } from 'node:http';

// Node's defaults let a client drip headers for a minute and a body for five; these close
// slow or idle connections early (408 on a slow request), so they cannot pile up.
export const HTTP_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 };

export function createHttpServer(listener?: RequestListener, timeouts: Partial<typeof HTTP_TIMEOUTS> = {}): Server {
  const server = createServer({ ...HTTP_TIMEOUTS, ...timeouts });
  if (listener) server.on('request', listener);
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
