import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/errors';
import type { Logger } from '../logger';
import { ApiError, NotFoundError, ServiceUnavailableError, ValidationError, isTemporalUnavailable } from './errors';

/** body-parser's errors carry a `type` and the status it suggests (400 for bad JSON, 413 for too large). */
interface BodyParserError extends Error {
  type: string;
  status: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  const { type, status } = (typeof err === 'object' && err !== null ? err : {}) as Partial<BodyParserError>;
  return typeof type === 'string' && typeof status === 'number';
}

/** Maps anything thrown or passed to next() to the API error it means; unknown errors become undefined. */
function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (isBodyParserError(err)) {
    if (err.type === 'entity.parse.failed') {
      return new ValidationError([{ in: 'body', field: '', reason: `is not valid JSON (${err.message})` }]);
    }
    if (err.type === 'entity.too.large') return new ApiError(413, 'payload_too_large', 'The request body is too large');
    return new ApiError(err.status, 'bad_request', err.message);
  }
  if (isTemporalUnavailable(err)) {
    return new ServiceUnavailableError('temporal_unavailable', `${err.message}. Retry the request.`);
  }
  if (isDatabaseUnavailable(err)) {
    return new ServiceUnavailableError('database_unavailable', 'The database is unavailable; nothing was changed. Retry the request.');
  }
  return undefined;
}

/** The last middleware: every error becomes `{ error: { code, message, ... } }`; no stack ever leaves the server. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const apiError = toApiError(err);
    if (!apiError) {
      logger.error('request failed', { method: req.method, path: req.path, error: err });
      res.status(500).json({ error: { code: 'internal_error', message: 'Internal server error' } });
      return;
    }
    if (apiError.status >= 500) logger.warn('dependency unavailable', { method: req.method, path: req.path, code: apiError.code });
    res.status(apiError.status).json({ error: { code: apiError.code, message: apiError.message, ...apiError.details } });
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route ${req.method} ${req.path}`));
};
