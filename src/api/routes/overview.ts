import { Router } from 'express';
import { z } from 'zod';
import { deliveryOverview } from '../../db/overview';
import { otherMethods } from '../allowed-methods';
import type { ApiDeps } from '../deps';
import { resourceId } from '../ids';
import { parseRequest } from '../validation';

const overviewQuery = z
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
      res.json(await deliveryOverview(pool, parseRequest(overviewQuery, req.query, 'query')));
    })
    .all(otherMethods);

  return router;
}
