import { createServer, type RequestListener, type Server } from 'node:http';

// Node's defaults let a client drip headers for a minute and a body for five; these close
// slow or idle connections early (408 on a slow request), so they cannot pile up.
export const HTTP_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 };

export const MAX_HEADER_BYTES = 16 * 1024;

export function createHttpServer(listener?: RequestListener, timeouts: Partial<typeof HTTP_TIMEOUTS> = {}): Server {
  // Headers over 16 KiB get 431 (Node's default, stated here so it is a decision, not an accident).
  const server = createServer({ ...HTTP_TIMEOUTS, ...timeouts, maxHeaderSize: MAX_HEADER_BYTES });
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
