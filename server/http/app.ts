import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import { hostHeaderValidation } from '@modelcontextprotocol/node';
import type { KanbanDatabase } from '../../db/database.ts';
import { resourceMetadataRouter } from '../auth/resource-metadata.ts';
import type { ResourceAuth } from '../auth/setup.ts';
import type { AppConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { mcpRouter } from '../mcp/route.ts';
import type { McpDependencies } from '../mcp/server.ts';
import type { RequestBudgets } from '../rate-limits/budgets.ts';
import { requestIdOf } from './request-locals.ts';
import { requestLog } from './request-log.ts';

export interface AppDependencies {
  config: AppConfig;
  database: KanbanDatabase;
  logger: Logger;
  mcp: McpDependencies;
  auth: ResourceAuth;
  requestBudgets: RequestBudgets;
  /** The dev playground's routes (/dev), outside production only. */
  playground?: Router;
}

function healthCheck(database: KanbanDatabase): RequestHandler {
  return async (_req, res) => {
    try {
      await database.query('select 1');
      res.json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'error' });
    }
  };
}

const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `Nothing here. The MCP endpoint is POST /mcp.` });
};

// Last resort: log the stack with the request id, answer without internals.
function internalError(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    const requestId = requestIdOf(res);
    logger.error({ err: error, requestId, path: req.path }, 'request failed');
    if (res.headersSent) return next(error);
    res.status(500).json({ error: 'internal_error', message: `Something went wrong on our side (request ${requestId}).` });
  };
}

/** A proxy in front (ngrok, a load balancer) that TRUST_PROXY does not name: say once what it costs. */
function warnOnceAboutUntrustedProxy(logger: Logger): RequestHandler {
  let warned = false;
  return (req, _res, next) => {
    if (!warned && req.headers['x-forwarded-for'] !== undefined) {
      warned = true;
      logger.warn('requests come through a proxy (X-Forwarded-For) but TRUST_PROXY is not set: all its clients share one rate-limit budget. Set TRUST_PROXY (loopback for ngrok on this machine).');
    }
    next();
  };
}

/** Wires every route; does not listen, so main.ts and the tests mount it on their own servers. */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  // req.ip (the per-address rate limits) believes X-Forwarded-For only from the proxies TRUST_PROXY names.
  const { trustProxy } = deps.config;
  app.set('trust proxy', trustProxy === false ? false : typeof trustProxy === 'number' ? trustProxy : [...trustProxy]);
  if (trustProxy === false) app.use(warnOnceAboutUntrustedProxy(deps.logger));
  app.use(requestLog(deps.logger));
  // Before the Host check: load balancers and orchestrators probe by IP address.
  app.get('/healthz', healthCheck(deps.database));
  // DNS-rebinding protection: answer only to our own names (localhost and PUBLIC_URL's host).
  const validHost = hostHeaderValidation([...deps.config.allowedHostnames]); // the SDK's guard: 403 with a JSON-RPC error
  app.use((req, res, next) => {
    if (validHost(req, res)) next();
  });
  // /mcp first: the busiest route need not walk past every route of the issuer.
  app.use(mcpRouter(deps.mcp, { allowedHostnames: deps.config.allowedHostnames, verify: deps.auth.verify, usage: deps.config.usage, requestBudgets: deps.requestBudgets }));
  app.use(resourceMetadataRouter(deps.config, deps.auth.issuer));
  if (deps.auth.router) app.use(deps.auth.router);
  if (deps.playground) app.use(deps.playground);
  app.use(notFound);
  app.use(internalError(deps.logger));
  return app;
}
