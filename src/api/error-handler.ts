import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/errors';
import type { Logger } from '../logger';
import { ApiError, NotFoundError, ServiceUnavailableError, isTemporalUnavailable } from './errors';

/**
 * Errors from Express and its parsers carry the HTTP status they mean (http-errors style), e.g. the URIError of a
 * path it cannot decode. A 4xx one is the client's mistake and its message is meant to be shown.
 */
function clientErrorStatus(err: unknown): number | undefined {
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** Maps anything thrown or passed to next() to the API error it means; unknown errors become undefined. */
function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const clientStatus = clientErrorStatus(err);
  if (clientStatus !== undefined) return new ApiError(clientStatus, 'bad_request', err instanceof Error ? err.message : 'Bad request');
  if (isTemporalUnavailable(err)) {
    return new ServiceUnavailableError('temporal_unavailable', `${err.message}. Retry the request.`);
  }
  if (isDatabaseUnavailable(err)) {
    // Not "nothing was changed": a connection that dies during COMMIT leaves that unknown. Every write is idempotent.
    return new ServiceUnavailableError('database_unavailable', 'The database is unavailable. Retry the request: repeating it is safe.');
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
