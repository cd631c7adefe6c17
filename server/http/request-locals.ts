import type { Response } from 'express';
import type { Viewer } from '../viewer.ts';

// What one request carries from middleware to handler. res.locals is untyped in Express; these
// accessors are the only way in or out, so every key has one owner and one type.

/** What the MCP route learns about a request, for its log line. */
export interface RpcSummary {
  method?: string;
  tool?: string;
  /** Answered with an answer the SDK made for an earlier request of the same shape (mcp/replayed-answers.ts). */
  replayed?: boolean;
}

export function setRequestId(res: Response, requestId: string): void {
  res.locals.requestId = requestId;
}

export function requestIdOf(res: Response): string {
  return res.locals.requestId as string;
}

export function recordRpc(res: Response, summary: RpcSummary): void {
  res.locals.rpc = summary;
}

export function markReplayed(res: Response): void {
  res.locals.rpc = { ...(res.locals.rpc as RpcSummary | undefined), replayed: true };
}

export function rpcOf(res: Response): RpcSummary | undefined {
  return res.locals.rpc as RpcSummary | undefined;
}

export function setViewer(res: Response, viewer: Viewer): void {
  res.locals.viewer = viewer;
}

/** The viewer the bearer middleware set (auth/bearer.ts, the one place a request gets one): only routes behind it ask. */
export function viewerOf(res: Response): Viewer {
  const viewer = res.locals.viewer as Viewer | undefined;
  if (viewer === undefined) throw new Error('no viewer for this request: auth/bearer.ts did not run before this handler');
  return viewer;
}

/** For the request log, on any route: the viewer, where the bearer middleware ran. */
export function viewerIfKnown(res: Response): Viewer | undefined {
  return res.locals.viewer as Viewer | undefined;
}

/** A request over one of its budgets (mcp/rate-limits.ts): when to try again, and the rule it broke. */
export interface OverBudget {
  retryAfterSeconds: number;
  rule: string;
}

export function setOverBudget(res: Response, over: OverBudget): void {
  res.locals.overBudget = over;
}

/** Undefined while the request is within its budgets. */
export function overBudgetOf(res: Response): OverBudget | undefined {
  return res.locals.overBudget as OverBudget | undefined;
}
