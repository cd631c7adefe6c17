import type { RequestHandler } from 'express';
import type { Options } from 'express-rate-limit';
import type { UsageLimits } from '../config.ts';
import { jsonRpcError, SERVER_REFUSAL } from '../http/json-rpc.ts';
import type { RequestBudgets } from '../rate-limits/budgets.ts';
import { overBudgetOf, setOverBudget, viewerOf } from '../http/request-locals.ts';
import { challengeStyle, type ChallengeMode } from './guard.ts';

// Request budgets on /mcp, a minute each: per user when signed in, per address otherwise.
// ChatGPT calls from a few shared addresses for all its users, so a signed-in call is counted
// against its user only. Counted before the body is read (a malformed body counts too); once it
// is read, a request over budget gets HTTP 429 with Retry-After, except a tools/call from ChatGPT,
// which gets a tool result that says when to retry (it shows tool results, not HTTP errors).

const WINDOW_MS = 60_000;

/** A single tools/call that should hear its refusal in-band (the same rule as the sign-in challenge). */
function isInbandToolCall(body: unknown, mode: ChallengeMode, userAgent: string | undefined): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const call = body as { method?: unknown; params?: { _meta?: unknown } };
  return call.method === 'tools/call' && challengeStyle(mode, { userAgent, meta: call.params?._meta }) === 'inband';
}

function secondsUntil(reset: Date | undefined): number {
  return reset === undefined ? WINDOW_MS / 1000 : Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000));
}

/** Marks the request over budget and lets it on: refuseOverBudget answers once the body is read. */
function markOverBudget(per: string): Options['handler'] {
  return (req, res, next, options) => {
    const retryAfterSeconds = secondsUntil((req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime);
    setOverBudget(res, { retryAfterSeconds, rule: `the limit is ${options.limit} a minute ${per}` });
    next();
  };
}

/** The budgets, to mount before the body is read. */
export function mcpBudgets(limits: UsageLimits, budgets: RequestBudgets): RequestHandler[] {
  return [
    budgets.budget('mcp-user', {
      windowMs: WINDOW_MS,
      limit: limits.mcpRequestsPerUser,
      skip: (_req, res) => !viewerOf(res).signedIn,
      keyGenerator: (_req, res) => {
        const viewer = viewerOf(res);
        return viewer.signedIn ? viewer.subject : '';
      },
      handler: markOverBudget('for each user'),
    }),
    budgets.budget('mcp-address', {
      windowMs: WINDOW_MS,
      limit: limits.mcpRequestsPerAddress,
      skip: (_req, res) => viewerOf(res).signedIn,
      handler: markOverBudget('for each address not signed in'),
    }),
  ];
}

/** After the body is read: 429 for a request over budget, unless it is to hear it in its tool result (server.ts). */
export function refuseOverBudget(mode: ChallengeMode): RequestHandler {
  return (req, res, next) => {
    const over = overBudgetOf(res);
    if (over === undefined || isInbandToolCall(req.body, mode, req.headers['user-agent'])) return next();
    const id = (req.body as { id?: unknown } | undefined)?.id ?? null;
    res.status(429).json(jsonRpcError(SERVER_REFUSAL, `Too many requests: ${over.rule}. Try again in ${over.retryAfterSeconds} seconds.`, id));
  };
}
