/** The JSON the console reads from the API (times are ISO 8601 strings on the wire). */

export interface Session {
  role: 'admin' | 'operator' | 'viewer' | 'publisher';
  /** Set for a `publisher:<id>` key: everything the console shows is that publisher's. */
  publisherId: string | null;
  /** Who acts, e.g. "operator key:1a2b3c4d"; what a resend records. */
  caller: string;
  /** Null only when the API was called with a bearer key instead of the session cookie. */
  csrfToken: string | null;
  /** The Temporal Web UI, for admin and operator keys only. */
  temporalUiUrl: string | null;
  temporalNamespace: string;
  /** The service's outbound IPs, which publishers allow in their firewalls. */
  outboundIps: string[];
}

export interface Cause {
  code: string;
  label: string;
  remedy: string;
}

export type CallbackStatus = 'pending' | 'retrying' | 'sent' | 'failed';

export interface CallbackView {
  status: CallbackStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextRetryAt: string | null;
  sentAt: string | null;
  failedAt: string | null;
  updatedAt: string;
  lastFailureCause?: Cause | null;
}

export interface ConversionView {
  conversionId: string;
  publisherId: string;
  clickId: string;
  eventId: string;
  offerId: string;
  payout: string;
  userId: string;
  extras: Record<string, unknown>;
  workflowId: string;
  createdAt: string;
  callbackSent: 'Yes' | 'No';
  callback: CallbackView;
}

export interface CallbackRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface Attempt {
  attemptNumber: number;
  trigger: 'automatic' | 'manual';
  requestedBy?: string | null;
  outcome: 'in_flight' | 'succeeded' | 'failed' | 'abandoned';
  startedAt: string;
  durationMs: number | null;
  statusCode: number | null;
  errorClass: string | null;
  errorMessage: string | null;
  responseSnippet: string | null;
  nextRetryAt: string | null;
  cause?: Cause | null;
}

export interface ConversionDetails extends ConversionView {
  attempts: Attempt[];
  request?: CallbackRequest;
}

export interface CallbackRow extends CallbackView {
  conversionId: string;
  publisherId: string;
  clickId: string;
  eventId: string;
  workflowId: string;
  conversionCreatedAt: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type SuccessRule =
  | { type: 'equals'; value: string }
  | { type: 'regex'; pattern: string }
  | { type: 'jsonField'; path: string; value: string | number | boolean | null };

export interface PublisherView {
  publisherId: string;
  callbackUrl: string;
  method: 'GET' | 'POST';
  timeoutMs: number;
  secretHeader: { name: string; valueSet: true } | null;
  signingSecretSet: boolean;
  successRule?: SuccessRule | null;
  createdAt: string;
  updatedAt: string;
}

export interface TestCallbackResult {
  request: CallbackRequest;
  outcome: { statusCode: number | null; errorClass: string | null; durationMs: number; responseSnippet: string | null };
  verdict: 'success' | 'retryable' | 'final';
  cause: Cause | null;
}

export interface Overview {
  from: string;
  to: string;
  hourly: { hour: string; sent: number; retrying: number; failed: number }[];
  failedLast24h: number;
  causesByPublisher: { publisherId: string; cause: string; label: string; count: number }[];
}

export interface ResendAccepted {
  conversionId: string;
  workflowId: string;
}

export interface Candidate {
  conversionId: string;
  publisherId: string;
  clickId: string;
  eventId: string;
  createdAt: string;
}
