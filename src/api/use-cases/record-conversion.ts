import { createHash } from 'node:crypto';
import { findConversions, type ConversionFields, type ConversionView } from '../../db/conversions';
import { isDatabaseUnavailable } from '../../db/errors';
import type { IntakeBatcher } from '../../db/intake-batcher';
import { workflowIdFor } from '../../temporal/callback-scheduler';
import type { ApiDeps } from '../deps';
import { ApiError, ConflictError, ServiceUnavailableError, UnprocessableError } from '../errors';

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

/** What intake answers for one conversion: recorded now (201), recorded before with this payload (200), or why not. */
export type IntakeAnswer = { status: 201 | 200; conversion: ConversionView } | { status: number; error: ApiError };

/** A just-recorded conversion as the API shows it, without reading it back: nothing has happened to it yet. */
function newConversionView(input: ConversionInput, createdAt: Date): ConversionView {
  const { conversionId, ...fields } = input;
  return {
    conversionId,
    ...fields,
    workflowId: workflowIdFor(conversionId),
    workflowStartedAt: null,
    createdAt,
    callbackSent: 'No',
    callback: {
      status: 'pending',
      attempts: 0,
      lastStatusCode: null,
      lastError: null,
      nextRetryAt: null,
      sentAt: null,
      failedAt: null,
      updatedAt: createdAt,
      lastFailureCause: null,
    },
  };
}

const unknownPublisher = (input: ConversionInput, field: string) =>
  new UnprocessableError({
    in: 'body',
    field,
    reason: `no publisher ${input.publisherId}; create it with PUT /v1/publishers/${input.publisherId}`,
  });

const otherPayload = (input: ConversionInput) =>
  new ConflictError(`Conversion ${input.conversionId} was already recorded with a different payload`, { conversionId: input.conversionId });

/** What intake needs: the API's dependencies and the app's intake statements (one batcher per app). */
export type IntakeDeps = ApiDeps & { intake: IntakeBatcher };

/**
 * Records conversions (distinct ids): each with its pending callback and its outbox entry, all in one statement
 * (shared with concurrent requests: see IntakeBatcher), then answers at once. The outbox's dispatcher starts the
 * delivery workflows (nudged here), so intake never waits for Temporal, and a stored conversion is never answered
 * 5xx because Temporal is down. Re-posting a payload never starts a second delivery. `publisherField(index)` names
 * an input's publisher field in an error (it differs in a batch). The answers come in the order of `inputs`.
 */
export async function recordConversions(
  deps: IntakeDeps,
  inputs: readonly ConversionInput[],
  publisherField: (index: number) => string = () => 'publisherId',
): Promise<IntakeAnswer[]> {
  const hashes = inputs.map(payloadHash);
  const outcomes = await deps.intake.insert(
    inputs.map((input, index) => ({ ...input, id: input.conversionId, payloadHash: hashes[index], workflowId: workflowIdFor(input.conversionId) })),
  );
  if (outcomes.some((outcome) => outcome.kind === 'created')) deps.outbox?.nudge();

  // A re-post of the recorded payload answers with the stored conversion: its delivery may have moved on.
  const repostedIds = inputs
    .filter((_, index) => {
      const outcome = outcomes[index];
      return outcome.kind === 'existing' && outcome.payloadHash === hashes[index];
    })
    .map((input) => input.conversionId);
  const stored = repostedIds.length > 0 ? await readStored(deps, repostedIds) : new Map<string, ConversionView>();

  return inputs.map((input, index): IntakeAnswer => {
    const outcome = outcomes[index];
    if (outcome.kind === 'unknown_publisher') return { status: 422, error: unknownPublisher(input, publisherField(index)) };
    if (outcome.kind === 'created') return { status: 201, conversion: newConversionView(input, outcome.createdAt) };
    if (outcome.payloadHash !== hashes[index]) return { status: 409, error: otherPayload(input) };
    const conversion = stored.get(input.conversionId);
    if (!conversion) throw new Error(`conversion ${input.conversionId} vanished after it was recorded`);
    return { status: 200, conversion };
  });
}

/** The stored conversions; the intake is committed, so a failure here must not be answered as if it were not. */
async function readStored(deps: ApiDeps, ids: string[]): Promise<Map<string, ConversionView>> {
  try {
    return new Map((await findConversions(deps.pool, ids)).map((view) => [view.conversionId, view]));
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    deps.logger.warn('conversions recorded, then the database became unavailable', { conversions: ids.length });
    const recorded = ids.length === 1 ? `Conversion ${ids[0]} is recorded` : `${ids.length} of the conversions are recorded`;
    throw new ServiceUnavailableError(
      'database_unavailable',
      `${recorded}, but the database became unavailable before the answer was complete; delivery is scheduled by ` +
        'the service. Retry the same request to read the answer.',
    );
  }
}

/** POST /v1/conversions: one conversion; its error is thrown as the request's answer. */
export async function recordConversion(deps: IntakeDeps, input: ConversionInput): Promise<{ created: boolean; conversion: ConversionView }> {
  const [answer] = await recordConversions(deps, [input]);
  if ('error' in answer) throw answer.error;
  return { created: answer.status === 201, conversion: answer.conversion };
}
