import type { Request, RequestHandler } from 'express';
import { ApiError } from './errors';

/** The methods the matched route was given (Express answers HEAD with the GET handler). */
function allowedMethods(req: Request): string[] {
  const { methods } = req.route as { methods: Record<string, boolean> };
  const names = Object.keys(methods).filter((method) => method !== '_all').map((method) => method.toUpperCase());
  if (names.includes('GET')) names.push('HEAD');
  return [...names, 'OPTIONS'];
}

/**
 * The last handler of every route (`router.route(path).get(...).all(otherMethods)`): OPTIONS answers 204 with
 * `Allow` (Express's own answer would be a text/plain 200), any other method a JSON 405 that lists the right ones.
 */
export const otherMethods: RequestHandler = (req, res, next) => {
  const allowed = allowedMethods(req);
  res.setHeader('Allow', allowed.join(', '));
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  next(new ApiError(405, 'method_not_allowed', `${req.method} is not allowed on ${req.baseUrl}${req.path}; allowed: ${allowed.join(', ')}`));
};
