import { Router } from 'express';
import { z } from 'zod';
import type { ConversionView } from '../../db/conversions';
import { formatPayout } from '../../delivery/callback-request';
import { otherMethods } from '../allowed-methods';
import { principalOf } from '../auth';
import { IntakeBatcher } from '../../db/intake-batcher';
import type { ApiDeps } from '../deps';
import { NO_NUL_MESSAGE, externalId, hasNul, resourceId } from '../ids';
import { pageQuery } from '../pagination';
import { decodablePathParam } from '../path-params';
import { requesterOf, requirePermission, scopedPublisherFilter } from '../permissions';
import { recordConversion, recordConversions, type IntakeAnswer, type IntakeDeps } from '../use-cases/record-conversion';
import { conversionDetails, conversionReport } from '../use-cases/reports';
import { resendConversion } from '../use-cases/resend';
import { ValidationError } from '../errors';
import { parseRequest } from '../validation';

/** A payout as a JSON number or decimal string, up to numeric(18, 6); kept as canonical decimal text. */
const payout = z
  .preprocess(
    (value) => (typeof value === 'number' ? String(value) : value),
    z
      .string({ invalid_type_error: 'must be a number or a decimal string' })
      .trim()
      .regex(/^(0|[1-9]\d{0,11})(\.\d{1,6})?$/, 'must be a non-negative decimal with at most 12 integer and 6 fractional digits'),
  )
  .transform(formatPayout);

const MAX_EXTRAS_BYTES = 4096;

export const conversionBody = z
  .object({
    conversionId: resourceId,
    publisherId: resourceId,
    clickId: externalId,
    eventId: externalId,
    offerId: externalId,
    payout,
    userId: externalId,
    extras: z
      .record(z.string(), z.unknown())
      .refine((extras) => Buffer.byteLength(JSON.stringify(extras)) <= MAX_EXTRAS_BYTES, `must be at most ${MAX_EXTRAS_BYTES} bytes of JSON`)
      .refine((extras) => !hasNul(extras), NO_NUL_MESSAGE)
      .default({}),
  })
  .strict();

/** The most conversions one batch request may carry (its body is at most 8 MB). */
export const MAX_BATCH_SIZE = 1_000;

/** Only the envelope is checked here: each conversion is validated, and answered, on its own. */
export const batchBody = z
  .object({ conversions: z.array(z.unknown()).min(1, 'must hold at least one conversion').max(MAX_BATCH_SIZE, `must hold at most ${MAX_BATCH_SIZE} conversions`) })
  .strict();

/** One conversion of a batch, at `index` in the request: recorded (201, or 200 as before), or the error a single POST would answer. */
export type BatchItem =
  | { index: number; status: 201 | 200; conversion: ConversionView }
  | { index: number; status: number; error: { code: string; message: string; [detail: string]: unknown } };

export interface BatchAnswer {
  created: number;
  existing: number;
  rejected: number;
  results: BatchItem[];
}

function batchItem(index: number, answer: IntakeAnswer): BatchItem {
  if ('conversion' in answer) return { index, status: answer.status, conversion: answer.conversion };
  const { error } = answer;
  return { index, status: error.status, error: { code: error.code, message: error.message, ...error.details } };
}

/**
 * Validates each conversion of a batch; the valid ones are recorded together, each invalid one is answered with
 * its own 400 naming `conversions.<index>.<field>`. A conversion id given twice is answered 400 the second time.
 */
async function recordBatch(deps: IntakeDeps, conversions: unknown[]): Promise<BatchItem[]> {
  const items: (BatchItem | undefined)[] = [];
  const valid: { index: number; input: z.infer<typeof conversionBody> }[] = [];
  const firstIndexOf = new Map<string, number>();
  conversions.forEach((candidate, index) => {
    try {
      const input = parseRequest(conversionBody, candidate, 'body');
      const first = firstIndexOf.get(input.conversionId);
      if (first !== undefined) {
        throw new ValidationError([{ in: 'body', field: 'conversionId', reason: `repeats conversions.${first}; give each conversion once` }]);
      }
      firstIndexOf.set(input.conversionId, index);
      valid.push({ index, input });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const fields = err.problems.map((problem) => ({ ...problem, field: `conversions.${index}${problem.field ? `.${problem.field}` : ''}` }));
      items[index] = batchItem(index, { status: 400, error: new ValidationError(fields) });
    }
  });
  if (valid.length > 0) {
    const answers = await recordConversions(
      deps,
      valid.map(({ input }) => input),
      (i) => `conversions.${valid[i].index}.publisherId`,
    );
    answers.forEach((answer, i) => {
      items[valid[i].index] = batchItem(valid[i].index, answer);
    });
  }
  return items as BatchItem[];
}

const isoTime = z
  .string()
  .datetime({ offset: true, message: 'must be an ISO 8601 time with a time zone, e.g. 2026-01-31T00:00:00Z' })
  .transform((text) => new Date(text))
  // zod checks the date and the clock time but takes any two-digit offset: +24:00 or +00:60 make an Invalid Date.
  .refine((time) => !Number.isNaN(time.getTime()), 'has a zone offset out of range (from -23:59 to +23:59)');

export const reportQuery = z
  .object({
    from: isoTime.optional(),
    to: isoTime.optional(),
    publisherId: resourceId.optional(),
    callbackSent: z.enum(['Yes', 'No']).optional(),
    ...pageQuery,
  })
  .strict();

export const conversionParams = z.object({ conversionId: resourceId });
export const resendBody = z
  .object({ requestedBy: z.string().trim().min(1).max(100).refine((name) => !hasNul(name), NO_NUL_MESSAGE).optional() })
  .strict();

export function conversionRoutes(apiDeps: ApiDeps): Router {
  // One batcher per app: concurrent intake requests share its statements.
  const deps: IntakeDeps = { ...apiDeps, intake: new IntakeBatcher(apiDeps.pool) };
  const router = Router();
  router.use('/conversions', decodablePathParam('conversionId'));

  router
    .route('/conversions')
    .post(async (req, res) => {
      requirePermission(principalOf(res), 'recordConversion');
      const input = parseRequest(conversionBody, req.body, 'body');
      const { created, conversion } = await recordConversion(deps, input);
      res.status(created ? 201 : 200).json(conversion);
    })
    .get(async (req, res) => {
      const { limit, cursor, callbackSent, publisherId, ...filters } = parseRequest(reportQuery, req.query, 'query');
      const sent = callbackSent === undefined ? undefined : callbackSent === 'Yes';
      const scoped = { ...filters, publisherId: scopedPublisherFilter(principalOf(res), publisherId), callbackSent: sent };
      res.json(await conversionReport(deps, scoped, { limit, cursor }));
    })
    .all(otherMethods);

  // Before /conversions/:conversionId, and POST only: a GET of a conversion whose id is "batch" goes on to that route.
  router.post('/conversions/batch', async (req, res) => {
    requirePermission(principalOf(res), 'recordConversion');
    const { conversions } = parseRequest(batchBody, req.body, 'body');
    const results = await recordBatch(deps, conversions);
    const count = (status: number) => results.filter((item) => item.status === status).length;
    const answer: BatchAnswer = { created: count(201), existing: count(200), rejected: results.length - count(201) - count(200), results };
    res.json(answer);
  });

  router
    .route('/conversions/:conversionId')
    .get(async (req, res) => {
      const { conversionId } = parseRequest(conversionParams, req.params, 'path');
      res.json(await conversionDetails(deps, conversionId, principalOf(res)));
    })
    .all(otherMethods);

  router
    .route('/conversions/:conversionId/resend')
    .post(async (req, res) => {
      const principal = principalOf(res);
      requirePermission(principal, 'resend');
      const { conversionId } = parseRequest(conversionParams, req.params, 'path');
      const { requestedBy } = parseRequest(resendBody, req.body ?? {}, 'body');
      res.status(202).json(await resendConversion(deps, conversionId, principal, requesterOf(principal, requestedBy)));
    })
    .all(otherMethods);

  return router;
}
