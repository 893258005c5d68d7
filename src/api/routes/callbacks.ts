import { Router } from 'express';
import { z } from 'zod';
import { CALLBACK_STATUSES } from '../../db/conversions';
import { otherMethods } from '../allowed-methods';
import { principalOf } from '../auth';
import type { ApiDeps } from '../deps';
import { externalId, resourceId } from '../ids';
import { pageQuery } from '../pagination';
import { requesterOf, requirePermission, scopedPublisherFilter } from '../permissions';
import { callbackReport } from '../use-cases/reports';
import { resendByIdentifiers } from '../use-cases/resend';
import { parseRequest } from '../validation';
import { resendBody } from './conversions';

export const callbackQuery = z
  .object({
    status: z.enum(CALLBACK_STATUSES).optional(),
    publisherId: resourceId.optional(),
    ...pageQuery,
  })
  .strict();

export const resendByIdentifiersBody = resendBody
  .extend({ conversionId: resourceId.optional(), eventId: externalId.optional(), clickId: externalId.optional() })
  .refine((body) => body.conversionId !== undefined || body.eventId !== undefined, {
    message: 'give conversionId and/or eventId (clickId only narrows them down)',
    path: ['conversionId'],
  });

export function callbackRoutes(deps: ApiDeps): Router {
  const router = Router();

  router
    .route('/callbacks')
    .get(async (req, res) => {
      const { limit, cursor, publisherId, ...filters } = parseRequest(callbackQuery, req.query, 'query');
      const scoped = { ...filters, publisherId: scopedPublisherFilter(principalOf(res), publisherId) };
      res.json(await callbackReport(deps, scoped, { limit, cursor }));
    })
    .all(otherMethods);

  router
    .route('/callbacks/resend')
    .post(async (req, res) => {
      const principal = principalOf(res);
      requirePermission(principal, 'resend');
      const { requestedBy, ...ids } = parseRequest(resendByIdentifiersBody, req.body, 'body');
      res.status(202).json(await resendByIdentifiers(deps, ids, principal, requesterOf(principal, requestedBy)));
    })
    .all(otherMethods);

  return router;
}
