import type { NetworkErrorClass, SendOutcome } from '../delivery/http-sender';

export type Trigger = 'automatic' | 'manual';
export type AttemptOutcome = 'in_flight' | 'succeeded' | 'failed' | 'abandoned';

/**
 * One attempt as the Temporal Web UI shows it (heartbeat details, failure details) and as Postgres stores it in
 * `callback_attempts`. Secrets never appear here: no URL, no headers.
 */
export interface AttemptLogEntry {
  attempt: number;
  trigger: Trigger;
  requestedBy: string | null;
  outcome: AttemptOutcome;
  startedAt: string;
  durationMs: number | null;
  statusCode: number | null;
  errorClass: string | null;
  error: string | null;
  responseSnippet: string | null;
  nextRetryAt: string | null;
}

/** A `callback_attempts` row as pg returns it. */
export interface AttemptRow {
  attempt_number: number;
  trigger: Trigger;
  requested_by: string | null;
  outcome: AttemptOutcome;
  started_at: Date;
  duration_ms: number | null;
  status_code: number | null;
  error_class: string | null;
  error_message: string | null;
  response_snippet: string | null;
  next_retry_at: Date | null;
}

/** The log keeps a shorter snippet than Postgres: it is repeated in every heartbeat and in the final failure. */
const LOG_SNIPPET_CHARS = 256;

export function toLogEntry(row: AttemptRow): AttemptLogEntry {
  return {
    attempt: row.attempt_number,
    trigger: row.trigger,
    requestedBy: row.requested_by,
    outcome: row.outcome,
    startedAt: row.started_at.toISOString(),
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    errorClass: row.error_class,
    error: row.error_message,
    responseSnippet: row.response_snippet === null ? null : row.response_snippet.slice(0, LOG_SNIPPET_CHARS),
    nextRetryAt: row.next_retry_at?.toISOString() ?? null,
  };
}

/** The outcome an already finished attempt recorded, to answer a re-run of that attempt without sending again. */
export function recordedOutcome(row: AttemptRow): SendOutcome | undefined {
  if (row.outcome !== 'succeeded' && row.outcome !== 'failed') return undefined;
  const durationMs = row.duration_ms ?? 0;
  if (row.status_code !== null) {
    return { kind: 'response', status: row.status_code, bodySnippet: row.response_snippet ?? '', durationMs };
  }
  return { kind: 'error', errorClass: (row.error_class ?? 'network') as NetworkErrorClass, message: row.error_message ?? '', durationMs };
}
