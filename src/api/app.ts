import express, { type Express } from 'express';
import { requireApiKey } from './auth';
import type { ApiDeps } from './deps';
import { errorHandler, notFoundHandler } from './error-handler';
import { callbackRoutes } from './routes/callbacks';
import { conversionRoutes } from './routes/conversions';
import { publisherRoutes } from './routes/publishers';

/** The HTTP API. It does not listen: the entry points (src/api/server.ts, scripts/start.ts) and tests do. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', async (_req, res) => {
    await deps.pool.query('SELECT 1');
    res.json({ status: 'ok' });
  });

  // The key is checked before the body is read: a caller without one gets 401, never a parse error or a 413.
  app.use(
    '/v1',
    requireApiKey(deps.config.API_KEYS),
    express.json({ limit: '64kb' }),
    publisherRoutes(deps),
    conversionRoutes(deps),
    callbackRoutes(deps),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
