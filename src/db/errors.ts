/** SQLSTATE classes and codes meaning "the database is not reachable right now", as opposed to a bad query. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/** pg reports these without a code. */
const UNAVAILABLE_MESSAGES = [/connection terminated/i, /timeout exceeded when trying to connect/i, /connection timeout/i];

/**
 * The fields of a pg or socket error. Read by shape, not `instanceof Error`: socket errors come from Node's own
 * realm, which differs from the code's under jest.
 */
function fieldsOf(err: unknown): { code?: unknown; message?: unknown; constraint?: unknown } {
  return typeof err === 'object' && err !== null ? err : {};
}

/** True when `err` says Postgres is down or refusing connections: the API answers 503 and the caller may retry. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const { code, message } = fieldsOf(err);
  if (typeof code === 'string') {
    if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NETWORK_CODES.has(code)) return true;
  }
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}

/** Postgres' foreign_key_violation, with the constraint that failed. */
export function foreignKeyViolation(err: unknown): string | undefined {
  const { code, constraint } = fieldsOf(err);
  return code === '23503' && typeof constraint === 'string' ? constraint : undefined;
}
