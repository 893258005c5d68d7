/**
 * Errors the API answers with a specific status. Each carries a stable `code` for clients and, when useful, the
 * data a client needs to act (the fields that failed, the conflicting candidates). The error middleware maps them.
 */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface FieldProblem {
  /** Where the field is: body, query or path. */
  in: 'body' | 'query' | 'path';
  /** Dotted path of the field, e.g. `secretHeader.name`; empty for the whole body. */
  field: string;
  reason: string;
}

/** The request is malformed: a field is missing, of the wrong type or out of range (400). */
export class ValidationError extends ApiError {
  override readonly name = 'ValidationError';
  constructor(readonly problems: FieldProblem[]) {
    super(400, 'validation_failed', problems.map((p) => `${p.field || p.in}: ${p.reason}`).join('; '), { fields: problems });
  }
}

/** The request is well-formed but refers to something that cannot be used, e.g. an unknown publisher (422). */
export class UnprocessableError extends ApiError {
  override readonly name = 'UnprocessableError';
  constructor(problem: FieldProblem) {
    super(422, 'unprocessable', `${problem.field}: ${problem.reason}`, { fields: [problem] });
  }
}

export class NotFoundError extends ApiError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class ConflictError extends ApiError {
  override readonly name = 'ConflictError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(409, 'conflict', message, details);
  }
}

/** A dependency is down; the request did no harm and can be retried as is (503). */
export class ServiceUnavailableError extends ApiError {
  override readonly name = 'ServiceUnavailableError';
  constructor(code: 'temporal_unavailable' | 'database_unavailable', message: string) {
    super(503, code, message);
  }
}

/** Checked by name, not instanceof: the scheduler's errors may come from another module realm (jest, Temporal). */
export function isTemporalUnavailable(err: unknown): err is Error {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'TemporalUnavailableError';
}
