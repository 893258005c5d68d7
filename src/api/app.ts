import express, { type Express, type RequestHandler } from 'express';
import { createApiMetrics } from '../metrics/api';
import { otherMethods } from './allowed-methods';
import { KeyRing } from './api-keys';
import { authenticate } from './auth';
import { consoleRoutes } from './console/routes';
import type { ApiDeps } from './deps';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthCheck } from './health';
import { jsonBody } from './json-body';
import { openApiDocument } from './openapi/document';
import { routeTable, type RouteEntry } from './route-table';
import { callbackRoutes } from './routes/callbacks';
import { conversionRoutes } from './routes/conversions';
import { overviewRoutes } from './routes/overview';
import { publisherRoutes } from './routes/publishers';
import { sessionRoutes } from './routes/session';
import { Sessions } from './sessions';

/** Request bodies are small JSON objects: a conversion with at most 4 KB of extras, or a publisher. */
const BODY_LIMITS = { maxBytes: 64 * 1024, maxDepth: 32 };
/** A batch holds up to 1,000 conversions, two levels deeper (the envelope and its array). */
const BATCH_BODY_LIMITS = { maxBytes: 8 * 1024 * 1024, maxDepth: BODY_LIMITS.maxDepth + 2 };

/** The batch route's body limits (its path matched as Express matches routes: any case), every other route's (`small`) otherwise. */
function requestBody(small: RequestHandler): RequestHandler {
  const batch = jsonBody(BATCH_BODY_LIMITS);
  return (req, res, next) => (req.method === 'POST' && req.path.replace(/\/$/, '').toLowerCase() === '/conversions/batch' ? batch : small)(req, res, next);
}

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

  // The console's page and assets need no key: the page signs in with one (POST /v1/session).
  app.use(consoleRoutes());

  const keys = new KeyRing(deps.config.API_KEYS);
  const sessions = new Sessions(deps.pool, keys);
  const authenticated = authenticate(keys, sessions);
  const body = jsonBody(BODY_LIMITS);

  app.use('/v1', sessionRoutes(deps, { keys, sessions, authenticated, body }));
  // The key is checked before the body is read: a caller without one gets 401, never a parse error or a 413.
  app.use(
    '/v1',
    authenticated,
    requestBody(body),
    publisherRoutes(deps),
    conversionRoutes(deps),
    callbackRoutes(deps),
    overviewRoutes(deps),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  // Read once every route is registered (and here, so that an Express without route introspection fails at start).
  routes = routeTable(app);
  return app;
}
