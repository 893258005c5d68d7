import { createHash } from 'node:crypto';
import { findConversion, insertConversion, type ConversionFields, type ConversionView } from '../../db/conversions';
import { foreignKeyViolation, isDatabaseUnavailable } from '../../db/errors';
import { withTransaction } from '../../db/transaction';
import { workflowIdFor } from '../../temporal/callback-scheduler';
import type { ApiDeps } from '../deps';
import { ConflictError, ServiceUnavailableError, UnprocessableError, isTemporalUnavailable } from '../errors';
import { startWorkflowFor } from './start-workflow';

/** The payout is canonical decimal text ("1.5"), so that 1.5 and "1.50" are the same payload. */
export interface ConversionInput extends ConversionFields {
  conversionId: string;
}

/** JSON with object keys sorted at every level: equal payloads serialise equally whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function payloadHash(input: ConversionInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

/**
 * Records a conversion and starts its delivery. The conversion and its pending callback are written in one
 * transaction first, so a conversion is never lost; the workflow is started after the commit. If Temporal is
 * down the caller gets a 503, the row keeps `workflow_started_at` NULL, and either a re-POST (same payload) or the
 * periodic sweep starts the workflow later. Re-posting the same payload never starts a second delivery.
 */
export async function recordConversion(
  deps: ApiDeps,
  input: ConversionInput,
): Promise<{ created: boolean; conversion: ConversionView }> {
  const hash = payloadHash(input);
  const result = await withTransaction(deps.pool, (client) =>
    insertConversion(client, { ...input, id: input.conversionId, payloadHash: hash, workflowId: workflowIdFor(input.conversionId) }),
  ).catch((err: unknown) => {
    if (foreignKeyViolation(err) === 'conversions_publisher_id_fkey') {
      throw new UnprocessableError({
        in: 'body',
        field: 'publisherId',
        reason: `no publisher ${input.publisherId}; create it with PUT /v1/publishers/${input.publisherId}`,
      });
    }
    throw err;
  });
  if (!result.inserted && result.payloadHash !== hash) {
    throw new ConflictError(`Conversion ${input.conversionId} was already recorded with a different payload`, {
      conversionId: input.conversionId,
    });
  }

  try {
    return { created: result.inserted, conversion: await deliveryOf(deps, input) };
  } catch (err) {
    // The conversion is committed: whatever fails now must not be answered as if it were not.
    if (!isDatabaseUnavailable(err)) throw err;
    deps.logger.warn('conversion recorded, then the database became unavailable', { conversionId: input.conversionId });
    throw new ServiceUnavailableError(
      'database_unavailable',
      `Conversion ${input.conversionId} is recorded, but the database became unavailable before the answer was complete; ` +
        'its delivery is scheduled by the service once the database is back. Retry the same request to read it.',
    );
  }
}

/** The recorded conversion, its delivery workflow started if it was not yet. */
async function deliveryOf(deps: ApiDeps, input: ConversionInput): Promise<ConversionView> {
  const conversion = await findConversion(deps.pool, input.conversionId);
  if (!conversion) throw new Error(`conversion ${input.conversionId} vanished after it was recorded`);
  if (conversion.workflowStartedAt === null) {
    try {
      conversion.workflowStartedAt = (await startWorkflowFor(deps, { conversionId: input.conversionId, publisherId: input.publisherId })).startedAt;
    } catch (err) {
      if (isTemporalUnavailable(err)) {
        deps.logger.warn('conversion recorded, workflow not started: Temporal unavailable', { conversionId: input.conversionId });
        throw new ServiceUnavailableError(
          'temporal_unavailable',
          `Conversion ${input.conversionId} is recorded, but its delivery could not be scheduled because Temporal is ` +
            'unavailable. Retry the same request; the service also schedules it by itself within a minute of Temporal ' +
            'coming back.',
        );
      }
      throw err;
    }
  }
  return conversion;
}
