import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from './logger.ts';

/** What the MCP route learns about a request, for its log line. */
export interface RpcSummary {
  method?: string;
  tool?: string;
}

/** Who, without saying who: a short hash of a token subject links one user's log lines. */
export function subjectHash(subject: string): string {
  return createHash('sha256').update(subject).digest('base64url').slice(0, 12);
}

// res.locals is untyped in Express; these two accessors are the only way in or out.
export function requestIdOf(res: Response): string {
  return res.locals.requestId as string;
}

export function recordRpc(res: Response, summary: RpcSummary): void {
  res.locals.rpc = summary;
}

/**
 * Gives every request an id (echoed in X-Request-Id, quoted in internal-error messages) and
 * logs one line when it ends: method, path, JSON-RPC method and tool, status, duration.
 * Never bodies, query strings or headers, so tokens and passwords cannot reach the log.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestId = `req_${randomBytes(9).toString('base64url')}`;
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rpc = res.locals.rpc as RpcSummary | undefined;
      const subject = (res.locals.viewer as { subject?: string } | undefined)?.subject;
      const user = subject === undefined ? undefined : subjectHash(subject);
      logger.info(
        { requestId, method: req.method, path: req.path, rpc: rpc?.method, tool: rpc?.tool, user, status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    });
    next();
  };
}
