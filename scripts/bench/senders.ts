/** The senders the measurements drive, connected to the running stack (closed by the teardown). */
import { Client, Connection } from '@temporalio/client';
import type { ServiceStack } from '../chaos/stack';
import { ApiClient } from './api-client';
import type { Arrivals } from './arrivals';
import { BARE_TASK_QUEUE, BARE_WORKFLOW } from './bare-delivery';
import { IntakeBacklog } from './intake-backlog';
import type { Senders } from './plan';
import { ScratchInserts } from './scratch-inserts';
import type { BenchSettings } from './settings';
import type { Teardown } from './teardown';

/** A publisher registered for the bench, and the receiver's record of its callbacks. */
export interface BenchPublisher {
  id: string;
  receiverUrl: string;
  arrivals: Arrivals;
}

export async function connectSenders(
  stack: ServiceStack,
  publishers: { delivered: BenchPublisher; parked: BenchPublisher },
  settings: BenchSettings,
  teardown: Teardown,
): Promise<Senders> {
  const { delivered, parked } = publishers;
  const api = new ApiClient(stack.apiUrl, stack.headers, settings.concurrency);
  teardown.add('close the API client', () => api.close());
  const connection = await Connection.connect({ address: stack.temporal?.address });
  teardown.add('close the Temporal connection', () => connection.close());
  const client = new Client({ connection, namespace: 'default' });
  const inserts = await ScratchInserts.create(stack.postgres?.url ?? '');
  teardown.add('drop the scratch table', () => inserts.close());
  const backlog = IntakeBacklog.create(stack.postgres?.url ?? '');
  teardown.add('close the outbox pool', () => backlog.close());
  return {
    conversion: (key) => api.postConversion(key, delivered.id),
    batch: (keys) => api.postBatch(keys, delivered.id),
    parkedBatch: (keys) => api.postBatch(keys, parked.id),
    bareWorkflow: async (key) => {
      const args = [`${delivered.receiverUrl}/bare`, key];
      await client.workflow.start(BARE_WORKFLOW, { workflowId: `bench-bare/${key}`, taskQueue: BARE_TASK_QUEUE, args });
    },
    insert: (key) => inserts.insert(key),
    insertMany: (keys) => inserts.insertMany(keys),
    arrivals: delivered.arrivals,
    parkedArrivals: parked.arrivals,
    backlog,
    temporal: client,
  };
}
