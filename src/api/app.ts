import express, { type Express } from 'express';
import { createApiMetrics } from '../metrics/api';
import { otherMethods } from './allowed-methods';
import { requireApiKey } from './auth';
import type { ApiDeps } from './deps';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthCheck } from './health';
import { jsonBody } from './json-body';
import { openApiDocument } from './openapi/document';
import { routeTable, type RouteEntry } from './route-table';
import { callbackRoutes } from './routes/callbacks';
import { conversionRoutes } from './routes/conversions';
import { publisherRoutes } from './routes/publishers';

/** Request bodies are small JSON objects: a conversion with at most 4 KB of extras, or a publisher. */
const BODY_LIMITS = { maxBytes: 64 * 1024, maxDepth: 32 };

/** The HTTP API. It does not listen: the entry points (src/api/server.ts, scripts/start.ts) and tests do. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  let routes: RouteEntry[] = [];
  const metrics = createApiMetrics({ pool: deps.pool, logger: deps.logger, routes: () => routes });
  app.use(metrics.countRequests);

  app
    .route('/healthz')
    .get(healthCheck(deps))
    .all(otherMethods);

  // No key needed for these two: neither holds any conversion, publisher or secret.
  const document = openApiDocument(deps.config);
  app
    .route('/openapi.json')
    .get((_req, res) => void res.json(document))
    .all(otherMethods);
  app
    .route('/metrics')
    .get(metrics.serve)
    .all(otherMethods);

  // The key is checked before the body is read: a caller without one gets 401, never a parse error or a 413.
  app.use(
    '/v1',
    requireApiKey(deps.config.API_KEYS),
    jsonBody(BODY_LIMITS),
    publisherRoutes(deps),
    conversionRoutes(deps),
    callbackRoutes(deps),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  // Read once every route is registered (and here, so that an Express without route introspection fails at start).
  routes = routeTable(app);
  return app;
}
