/**
 * Docker health check of the worker (`tsx scripts/healthcheck-worker.ts`): healthy when a worker polled the task
 * queue recently. The worker has no HTTP port; a poller seen by Temporal is the proof that it is connected and
 * taking work. Exit code 0 healthy, 1 not.
 */
import { temporal } from '@temporalio/proto';
import { loadConfig } from '../src/config';
import { connectClient } from '../src/temporal/connection';

/** Temporal's pollers long-poll for up to a minute, so "recent" allows a little more. */
const RECENT_MS = 90_000;

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is not set');
  const client = await connectClient({ ...config, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS });
  try {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    // `seconds` is a protobuf Long (or a number); its decimal text converts either.
    const lastSeenMs = (seconds: { toString(): string } | null | undefined) => Number(String(seconds ?? 0)) * 1000;
    const recent = (pollers ?? []).filter((p) => Date.now() - lastSeenMs(p.lastAccessTime?.seconds) < RECENT_MS);
    if (recent.length === 0) throw new Error(`no worker polled ${config.TEMPORAL_TASK_QUEUE} in the last ${RECENT_MS / 1000} s`);
  } finally {
    await client.connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
