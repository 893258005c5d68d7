/**
 * What the API needs from Temporal, and nothing more. The real implementation (Temporal client) lives beside
 * this file; the API receives one through its factory.
 */
export interface ConversionRef {
  conversionId: string;
  publisherId: string;
}

export interface CallbackScheduler {
  /**
   * Starts the delivery workflow of a new conversion. Idempotent: when the workflow already exists (running or
   * closed) nothing new is started and no callback is sent again. Throws TemporalUnavailableError when Temporal
   * cannot be reached.
   */
  startDelivery(conversion: ConversionRef): Promise<{ workflowId: string }>;
  /**
   * Asks for a manual resend with signal-with-start: a running workflow is signalled (a backoff wait is cut short),
   * a closed one is started again. Throws TemporalUnavailableError when Temporal cannot be reached.
   */
  requestResend(conversion: ConversionRef, requestedBy: string): Promise<{ workflowId: string }>;
  /** Resolves when Temporal answers; rejects (soon) when it does not. For the health check. */
  ping(): Promise<void>;
}

/** Temporal could not be reached or refused the call for a transient reason: the API answers 503. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}

export function workflowIdFor(conversionId: string): string {
  return `conversion-callback/${conversionId}`;
}
