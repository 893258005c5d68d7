/** The three senders the measurements drive, connected to the running stack (closed by the teardown). */
import { Client, Connection } from '@temporalio/client';
import type { ServiceStack } from '../chaos/stack';
import { ApiClient } from './api-client';
import type { Arrivals } from './arrivals';
import { BARE_TASK_QUEUE, BARE_WORKFLOW } from './bare-delivery';
import type { Senders } from './plan';
import { ScratchInserts } from './scratch-inserts';
import type { BenchSettings } from './settings';
import type { Teardown } from './teardown';

export async function connectSenders(
  stack: ServiceStack,
  publisher: { id: string; receiverUrl: string; arrivals: Arrivals },
  settings: BenchSettings,
  teardown: Teardown,
): Promise<Senders> {
  const api = new ApiClient(stack.apiUrl, stack.headers, settings.concurrency);
  teardown.add('close the API client', () => api.close());
  const connection = await Connection.connect({ address: stack.temporal?.address });
  teardown.add('close the Temporal connection', () => connection.close());
  const client = new Client({ connection, namespace: 'default' });
  const inserts = await ScratchInserts.create(stack.postgres?.url ?? '');
  teardown.add('drop the scratch table', () => inserts.close());
  return {
    conversion: (key) => api.postConversion(key, publisher.id),
    bareWorkflow: async (key) => {
      const args = [`${publisher.receiverUrl}/bare`, key];
      await client.workflow.start(BARE_WORKFLOW, { workflowId: `bench-bare/${key}`, taskQueue: BARE_TASK_QUEUE, args });
    },
    insert: (key) => inserts.insert(key),
    arrivals: publisher.arrivals,
  };
}
