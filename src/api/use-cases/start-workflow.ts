import { markWorkflowStarted } from '../../db/conversions';
import type { ConversionRef } from '../../temporal/callback-scheduler';
import type { ApiDeps } from '../deps';

/**
 * Starts a conversion's delivery workflow and records that Temporal accepted it. Safe to repeat: the scheduler
 * does nothing for a workflow that exists, and the timestamp keeps its first value.
 */
export async function startWorkflowFor(
  { pool, scheduler }: Pick<ApiDeps, 'pool' | 'scheduler'>,
  conversion: ConversionRef,
): Promise<{ workflowId: string; startedAt: Date }> {
  const { workflowId } = await scheduler.startDelivery(conversion);
  return { workflowId, startedAt: await markWorkflowStarted(pool, conversion.conversionId) };
}
