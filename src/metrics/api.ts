import type { RequestHandler } from 'express';
import type pg from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import { outboxBacklog } from '../db/outbox';
import type { Logger } from '../logger';
import { matchingRoute, type RouteEntry } from '../api/route-table';
import { boundedRead } from './bounded-read';
import { countCallbacksByStatus } from './callback-statuses';
import { processRegistry } from './registry';

/** The label of a request that matched no route (a 404), so that no raw path, and no id, becomes a label. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface ApiMetrics {
  /** The first middleware: counts every request once answered, by method, route pattern and status code. */
  countRequests: RequestHandler;
  /** GET /metrics: the process's metrics and the API's, in Prometheus' text format. */
  serve: RequestHandler;
}

/**
 * The metrics of one API app: its requests, the callbacks by status and the outbox's entries (read from Postgres at
 * scrape time), in a registry of their own that is served together with the process's. `routes` gives the app's
 * routes (read as each request is counted: the app registers them after this middleware).
 */
export function createApiMetrics(deps: { pool: pg.Pool; logger: Logger; routes: () => RouteEntry[] }): ApiMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: `API requests answered, by method, route pattern (e.g. /v1/conversions/:conversionId; "${UNMATCHED_ROUTE}" for no route) and status code`,
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  // Registered in `registry`; their collect() fills them at each scrape.
  new Gauge({
    name: 'callbacks',
    help: 'Callbacks by delivery status (pending, retrying, sent, failed), counted in Postgres at scrape time; absent when Postgres did not answer in time',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await countCallbacksByStatus(deps.pool);
        for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
      } catch (err) {
        deps.logger.warn('metrics: callbacks by status not counted', { error: err instanceof Error ? err.message : String(err) });
      }
    },
  });
  new Gauge({
    name: 'delivery_outbox_entries',
    help: 'Conversions recorded whose delivery workflow has not started yet (outbox entries), counted in Postgres at scrape time; NaN when Postgres did not answer in time',
    registers: [registry],
    async collect() {
      try {
        this.set((await boundedRead(deps.pool, 'counting outbox entries', (client) => outboxBacklog(client))).entries);
      } catch (err) {
        // A gauge without labels is always exposed (prom-client): NaN, not a 0 that would say the outbox is empty.
        this.set(Number.NaN);
        deps.logger.warn('metrics: outbox entries not counted', { error: err instanceof Error ? err.message : String(err) });
      }
    },
  });

  return {
    countRequests: (req, res, next) => {
      res.once('finish', () => {
        const route = matchingRoute(deps.routes(), req.originalUrl.split('?')[0]) ?? UNMATCHED_ROUTE;
        requests.inc({ method: req.method, route, status_code: String(res.statusCode) });
      });
      next();
    },
    serve: async (_req, res) => {
      const merged = Registry.merge([processRegistry, registry]);
      const text = await merged.metrics();
      // Not res.send, which would rewrite the media type's parameters.
      res.setHeader('Content-Type', merged.contentType);
      res.end(text);
    },
  };
}
