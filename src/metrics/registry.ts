import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's metrics: prom-client's default ones (CPU, memory, event loop, GC) and the delivery worker's. One
 * registry per process, so that `npm start`, which runs the API and the worker together, serves both at /metrics;
 * `npm run worker` serves it on WORKER_METRICS_PORT (src/metrics/server.ts).
 */
export const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });
