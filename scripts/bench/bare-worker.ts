/**
 * The bare delivery's worker, run as its own process like `npm run worker` and with the same settings: the same
 * environment, the Temporal runtime installed the same way, and Worker.create given only what the service's
 * createWorker gives it (connection, namespace, task queue, workflows, activities).
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { installTemporalRuntime } from '../../src/temporal/runtime-logging';
import { BARE_TASK_QUEUE, postCallback } from './bare-delivery';

async function main(): Promise<void> {
  const { LOG_LEVEL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE } = loadConfig();
  if (!TEMPORAL_ADDRESS) throw new Error('the bare worker needs TEMPORAL_ADDRESS');
  installTemporalRuntime(createLogger({ level: LOG_LEVEL }), { level: LOG_LEVEL });
  const connection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
  try {
    const workflowsPath = require.resolve('./bare-workflow');
    const worker = await Worker.create({ connection, namespace: TEMPORAL_NAMESPACE, taskQueue: BARE_TASK_QUEUE, workflowsPath, activities: { postCallback } });
    await worker.run(); // until SIGTERM
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
