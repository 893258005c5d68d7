import { Router } from 'express';
import { z } from 'zod';
import { formatPayout } from '../../delivery/callback-request';
import { otherMethods } from '../allowed-methods';
import type { ApiDeps } from '../deps';
import { NO_NUL_MESSAGE, externalId, hasNul, resourceId } from '../ids';
import { pageQuery } from '../pagination';
import { decodablePathParam } from '../path-params';
import { recordConversion } from '../use-cases/record-conversion';
import { conversionDetails, conversionReport } from '../use-cases/reports';
import { resendConversion } from '../use-cases/resend';
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

export function conversionRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.use('/conversions', decodablePathParam('conversionId'));

  router
    .route('/conversions')
    .post(async (req, res) => {
      const input = parseRequest(conversionBody, req.body, 'body');
      const { created, conversion } = await recordConversion(deps, input);
      res.status(created ? 201 : 200).json(conversion);
    })
    .get(async (req, res) => {
      const { limit, cursor, callbackSent, ...filters } = parseRequest(reportQuery, req.query, 'query');
      const sent = callbackSent === undefined ? undefined : callbackSent === 'Yes';
      res.json(await conversionReport(deps, { ...filters, callbackSent: sent }, { limit, cursor }));
    })
    .all(otherMethods);

  router
    .route('/conversions/:conversionId')
    .get(async (req, res) => {
      const { conversionId } = parseRequest(conversionParams, req.params, 'path');
      res.json(await conversionDetails(deps, conversionId));
    })
    .all(otherMethods);

  router
    .route('/conversions/:conversionId/resend')
    .post(async (req, res) => {
      const { conversionId } = parseRequest(conversionParams, req.params, 'path');
      const { requestedBy } = parseRequest(resendBody, req.body ?? {}, 'body');
      res.status(202).json(await resendConversion(deps, conversionId, requestedBy ?? String(res.locals.caller)));
    })
    .all(otherMethods);

  return router;
}
