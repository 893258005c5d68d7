import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type pg from 'pg';
import { createActivities } from './activities';
import { loadConfig, type Config } from './config';
import { createPool, WORKER_POOL } from './db/pool';
import type { HttpSender } from './delivery/http-sender';
import { createLogger, type Logger } from './logger';
import { startMetricsServer, type MetricsServer } from './metrics/server';
import { installTemporalRuntime } from './temporal/runtime-logging';

export interface WorkerDeps {
  connection: NativeConnection;
  config: Config;
  pool: pg.Pool;
  logger?: Logger;
  http?: HttpSender;
  /** A pre-built bundle (tests bundle once per file); by default the worker bundles src/workflows itself. */
  workflowBundle?: WorkflowBundle;
}

/** The delivery worker: the workflows, and the activities built on the pool and the configuration. */
export function createWorker({ connection, config, pool, logger, http, workflowBundle }: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    activities: createActivities({ pool, config, logger, ...(http ? { http } : {}) }),
  });
}

/** `npm run worker`: production entry point, against an existing Postgres and Temporal cluster. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new Error('npm run worker needs DATABASE_URL and TEMPORAL_ADDRESS (npm start runs everything locally)');
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  // Before the first connection: the SDK would otherwise create its default runtime, which logs plain text.
  installTemporalRuntime(logger, { level: config.LOG_LEVEL });
  const pool = createPool(config.DATABASE_URL, logger, WORKER_POOL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  let metrics: MetricsServer | undefined;
  try {
    const worker = await createWorker({ connection, config, pool, logger });
    if (config.WORKER_METRICS_PORT !== undefined) {
      metrics = await startMetricsServer(config.WORKER_METRICS_PORT, config.HOST);
      logger.info('worker metrics listening', { url: metrics.url });
    }
    logger.info('worker started', { taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE });
    await worker.run(); // until SIGINT/SIGTERM, which the Temporal runtime turns into a graceful shutdown
  } finally {
    await metrics?.stop();
    await connection.close();
    await pool.end();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
