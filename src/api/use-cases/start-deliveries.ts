import { listConversionsWithoutWorkflow, type BatchKey } from '../../db/conversions';
import type { ApiDeps } from '../deps';
import { isTemporalUnavailable } from '../errors';
import { startWorkflowFor } from './start-workflow';

export interface StartDeliveriesResult {
  started: number;
  failed: number;
  /** True when the run stopped early because Temporal is unreachable; the next run picks up the rest. */
  temporalUnavailable: boolean;
}

const BATCH_SIZE = 100;

export type SchedulingDeps = Pick<ApiDeps, 'pool' | 'scheduler' | 'logger'>;

/**
 * The sweep (run at start-up and every 30 s): conversions recorded while Temporal was down get their workflow, in
 * batches, oldest first. Starting is idempotent (an existing workflow is left alone), so a run that overlaps a
 * POST or another run does no harm.
 */
export async function startMissingWorkflows(deps: SchedulingDeps): Promise<StartDeliveriesResult> {
  const result: StartDeliveriesResult = { started: 0, failed: 0, temporalUnavailable: false };
  let after: BatchKey | undefined;
  for (;;) {
    const batch = await listConversionsWithoutWorkflow(deps.pool, after, BATCH_SIZE);
    for (const ref of batch.refs) {
      try {
        await startWorkflowFor(deps, ref);
        result.started += 1;
      } catch (err) {
        if (isTemporalUnavailable(err)) {
          return { ...result, temporalUnavailable: true };
        }
        result.failed += 1;
        deps.logger.error('could not start delivery workflow', { conversionId: ref.conversionId, error: err });
      }
    }
    if (!batch.last || batch.refs.length < BATCH_SIZE) return result;
    after = batch.last;
  }
}
