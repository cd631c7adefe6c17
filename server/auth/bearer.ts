import type { RequestHandler, Response } from 'express';
import { ANONYMOUS } from '../viewer.ts';
import type { Logger } from '../logger.ts';
import { setViewer } from '../http/request-locals.ts';
import { formatBearerChallenge, type BearerChallenge } from './challenge.ts';
import { InvalidTokenError, TokenCheckUnavailableError, type VerifyAccessToken } from './verify-token.ts';
import { AUTHORIZATION_REQUIRED, jsonRpcError, SERVER_REFUSAL } from '../http/json-rpc.ts';

// Optional bearer authentication: no Authorization header is an anonymous viewer; a header
// that is present must be a valid bearer token, or the client hears 401 and learns to refresh.
// Ours, not the SDK's requireBearerAuth: that one refuses every request without a token, and our
// public tools are for anyone; per-tool scopes are decided from the catalogue (mcp/guard.ts).

// RFC 6750 §2.1 b64token, one of them, after exactly one space.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
/** When to ask again after the issuer's keys could not be had. */
const RETRY_AFTER_SECONDS = 5;

export interface BearerOptions {
  verify: VerifyAccessToken;
  resourceMetadataUrl: string;
  logger: Logger;
}

function refuse(res: Response, status: 400 | 401, challenge: BearerChallenge, message: string): void {
  res.setHeader('WWW-Authenticate', formatBearerChallenge(challenge));
  res.status(status).json(jsonRpcError(AUTHORIZATION_REQUIRED, message));
}

/**
 * The token could not be checked (RV-11): not a 401, which tells clients to throw the token away
 * (RFC 6750 §3.1), but a 503 to retry, worded like the other "try again" refusals of /mcp.
 */
function tryAgainLater(res: Response): void {
  res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.status(503).json(jsonRpcError(SERVER_REFUSAL, `Sign-in is temporarily unavailable: the access token could not be checked. Try again in ${RETRY_AFTER_SECONDS} seconds.`));
}

export function bearerAuth(options: BearerOptions): RequestHandler {
  const { resourceMetadataUrl } = options;
  return async (req, res, next) => {
    // The MCP spec forbids tokens in URLs: they end up in logs and Referer headers.
    if (Object.hasOwn(req.query, 'access_token')) {
      const description = 'Send the access token in the Authorization header, never in the URL';
      refuse(res, 400, { resourceMetadataUrl, error: 'invalid_request', description }, description);
      return;
    }
    const header = req.headers.authorization;
    if (header === undefined) {
      setViewer(res, ANONYMOUS);
      return next();
    }
    if (!/^Bearer(\s|$)/i.test(header)) {
      // An unsupported scheme gets a plain challenge (RFC 6750 §3.1: no error code).
      refuse(res, 401, { resourceMetadataUrl }, 'Only Bearer tokens are accepted here');
      return;
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      const description = 'The Authorization header must be "Bearer" followed by one token';
      refuse(res, 401, { resourceMetadataUrl, error: 'invalid_token', description }, description);
      return;
    }
    try {
      setViewer(res, await options.verify(token));
      next();
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        refuse(res, 401, { resourceMetadataUrl, error: 'invalid_token', description: error.message }, error.message);
      } else if (error instanceof TokenCheckUnavailableError) {
        options.logger.warn({ err: error }, 'could not verify an access token');
        tryAgainLater(res);
      } else {
        next(error);
      }
    }
  };
}
