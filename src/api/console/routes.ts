import { Router, type Response } from 'express';
import { otherMethods } from '../allowed-methods';
import { NotFoundError } from '../errors';
import { consoleAssets } from './assets';

/**
 * Scripts, styles and data only from this origin, no inline script or style, no framing: the page renders
 * publisher-controlled text (URLs, response snippets), and this is the second line of defence behind escaping it.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secure(res: Response): Response {
  return res
    .set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    .set('X-Content-Type-Options', 'nosniff')
    .set('X-Frame-Options', 'DENY')
    .set('Referrer-Policy', 'no-referrer');
}

/** GET /console: the single-page console; `/` leads there. Its assets are served at /console/assets/<hashed name>. */
export function consoleRoutes(): Router {
  const router = Router();

  router
    .route('/')
    .get((_req, res) => res.redirect(302, '/console'))
    .all(otherMethods);

  router
    .route('/console')
    .get(async (_req, res) => {
      const { page } = await consoleAssets();
      // Always revalidated: it names the current assets.
      secure(res).set('Cache-Control', 'no-cache').type('html').send(page);
    })
    .all(otherMethods);

  router
    .route('/console/assets/:name')
    .get(async (req, res) => {
      const asset = (await consoleAssets()).assets.get(req.params.name);
      if (!asset) throw new NotFoundError(`No console asset ${req.params.name}`);
      // The name holds a hash of the content: a new build has new names, so a cached copy is never stale.
      secure(res).set('Cache-Control', 'public, max-age=31536000, immutable').set('Content-Type', asset.contentType).send(asset.body);
    })
    .all(otherMethods);

  return router;
}
