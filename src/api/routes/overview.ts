import { Router } from 'express';
import { z } from 'zod';
import { deliveryOverview } from '../../db/overview';
import { otherMethods } from '../allowed-methods';
import { principalOf } from '../auth';
import type { ApiDeps } from '../deps';
import { resourceId } from '../ids';
import { scopedPublisherFilter } from '../permissions';
import { parseRequest } from '../validation';

export const overviewQuery = z
  .object({
    hours: z.coerce.number().int().min(1).max(168).default(24),
    publisherId: resourceId.optional(),
  })
  .strict();

export function overviewRoutes({ pool }: ApiDeps): Router {
  const router = Router();

  router
    .route('/overview')
    .get(async (req, res) => {
      const { publisherId, ...query } = parseRequest(overviewQuery, req.query, 'query');
      // A publisher key's overview is its own publisher's.
      res.json(await deliveryOverview(pool, { ...query, publisherId: scopedPublisherFilter(principalOf(res), publisherId) }));
    })
    .all(otherMethods);

  return router;
}
