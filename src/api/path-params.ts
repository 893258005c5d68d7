import type { RequestHandler } from 'express';
import { ValidationError } from './errors';

/**
 * Express decodes a `:name` path segment while it matches routes, and a malformed percent-encoding there (`%ff`,
 * the overlong `%C0%AF`) throws a URIError before any handler runs. Mounted on the prefix that precedes the
 * parameter (`router.use('/publishers', ...)`), this refuses such a segment first, naming the parameter.
 */
export function decodablePathParam(name: string): RequestHandler {
  return (req, _res, next) => {
    const segment = req.path.split('/')[1] ?? '';
    try {
      decodeURIComponent(segment);
      next();
    } catch {
      next(new ValidationError([{ in: 'path', field: name, reason: 'has a malformed percent-encoding (each %XX must encode UTF-8 bytes)' }]));
    }
  };
}
