import { createHash, randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { rpcOf, setRequestId, viewerIfKnown } from './request-locals.ts';

/** Who, without saying who: a short hash of a token subject links one user's log lines. */
export function subjectHash(subject: string): string {
  return createHash('sha256').update(subject).digest('base64url').slice(0, 12);
}

/**
 * Gives every request an id (echoed in X-Request-Id, quoted in internal-error messages) and
 * logs one line when it ends: method, path, JSON-RPC method and tool, whether the answer was a
 * replayed one, status, duration.
 * Never bodies, query strings or headers, so tokens and passwords cannot reach the log.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // randomUUID draws on a batch of entropy it keeps: randomBytes was 2 % of a cached answer's CPU.
    const requestId = `req_${randomUUID()}`;
    setRequestId(res, requestId);
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rpc = rpcOf(res);
      const viewer = viewerIfKnown(res);
      const user = viewer?.signedIn ? subjectHash(viewer.subject) : undefined;
      logger.info(
        { requestId, method: req.method, path: req.path, rpc: rpc?.method, tool: rpc?.tool, ...(rpc?.replayed ? { replayed: true } : {}), user, status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    });
    next();
  };
}
