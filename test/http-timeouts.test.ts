import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHttpServer, HTTP_TIMEOUTS, listen } from '../server/http/http-server.ts';

// AV-06 / AV-07: slow clients are cut off with 408 instead of holding sockets open. The real
// limits are seconds; here the same server factory runs with short ones so the test is quick.

function dripped(port: number, chunks: string[], everyMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
    let index = 0;
    const timer = setInterval(() => {
      if (index >= chunks.length || socket.destroyed) return clearInterval(timer);
      socket.write(chunks[index++]!);
    }, everyMs);
  });
}

describe('slow clients', () => {
  it('the production server has tight timeouts (Node defaults are 60 s for headers, 300 s for a request)', () => {
    const server = createHttpServer();
    expect({ headersTimeout: server.headersTimeout, requestTimeout: server.requestTimeout, keepAliveTimeout: server.keepAliveTimeout }).toEqual({
      headersTimeout: HTTP_TIMEOUTS.headersTimeout,
      requestTimeout: HTTP_TIMEOUTS.requestTimeout,
      keepAliveTimeout: HTTP_TIMEOUTS.keepAliveTimeout,
    });
    expect(HTTP_TIMEOUTS.headersTimeout).toBeLessThanOrEqual(10_000);
  });

  it('drip-fed headers get 408 once headersTimeout passes', async () => {
    const server = createHttpServer((_req, res) => res.end('ok'), { headersTimeout: 600, requestTimeout: 1200, connectionsCheckingInterval: 100 });
    const port = await listen(server, 0, '127.0.0.1');
    try {
      const chunks = ['GET / HTTP/1.1\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Drip-${i}: 1\r\n`)];
      expect(await dripped(port, chunks, 100)).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      server.close();
    }
  });

  it('a drip-fed body gets 408 once requestTimeout passes', async () => {
    const server = createHttpServer((req, res) => req.resume().on('end', () => res.end('ok')), { headersTimeout: 600, requestTimeout: 1200, connectionsCheckingInterval: 100 });
    const port = await listen(server, 0, '127.0.0.1');
    try {
      const chunks = ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n', ...Array.from({ length: 40 }, () => 'x')];
      expect(await dripped(port, chunks, 100)).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      server.close();
    }
  });
});
