import type { SendOutcome } from './http-sender';

/**
 * Why a callback attempt failed, in the words of the platform's help page, with what the publisher can do about it.
 * The code is stored on each failed attempt (`callback_attempts.cause`, counted by the overview); the label and the
 * remedy are computed from it when read, so their wording can change without touching stored rows.
 */
export const FAILURE_CAUSE_CODES = [
  'server_downtime',
  'firewall_or_permission',
  'ip_not_whitelisted',
  'invalid_authentication',
  'malformed_response',
  'other',
] as const;

export type FailureCauseCode = (typeof FAILURE_CAUSE_CODES)[number];

export interface FailureCause {
  code: FailureCauseCode;
  label: string;
  remedy: string;
}

/** A failed attempt as stored: an HTTP status, or the error class of an attempt that got no answer. */
export interface FailedAttempt {
  statusCode: number | null;
  errorClass: string | null;
  responseSnippet: string | null;
}

/** What is stored of an attempt's outcome. */
export function failedAttemptOf(outcome: SendOutcome): FailedAttempt {
  return outcome.kind === 'response'
    ? { statusCode: outcome.status, errorClass: null, responseSnippet: outcome.bodySnippet }
    : { statusCode: null, errorClass: outcome.errorClass, responseSnippet: null };
}

// The body of a refusal that names the caller's address: "IP 203.0.113.9 is not whitelisted", "Forbidden: your IP
// is not allowed", "Access denied for IP", "not in allowlist". Each gap is bounded, so a 4 KB body is read in
// linear time.
const SUBJECT = String.raw`(?:\bip\b|\bip[- ]?address|\bsource address|\bclient address|\bremote address|\b\d{1,3}(?:\.\d{1,3}){3}\b)`;
const REFUSAL = String.raw`(?:not (?:allowed|whitelisted|permitted|authori[sz]ed|recogni[sz]ed|trusted)|\bblocked\b|\bbanned\b|\bdenied\b|\brefused\b|\bforbidden\b|\bblacklisted\b|\brejected\b|\bunknown\b|\bunauthori[sz]ed\b|\binvalid\b)`;
const IP_REFUSED = new RegExp(
  `${SUBJECT}[^\\n]{0,60}?${REFUSAL}|${REFUSAL}[^\\n]{0,40}?${SUBJECT}|\\b(?:white|allow)[- ]?list(?:ed)?\\b`,
  'i',
);

/** A 403 whose body names a credential is an authentication problem, not a firewall. */
const NAMES_CREDENTIAL = /\b(?:token|signature|auth\w*|api[- _]?key|credentials?|bearer|jwt|hmac|secret|expired|unauthori[sz]ed|login)\b/i;

const DOWNTIME_ERRORS = new Set(['timeout', 'connection_refused', 'dns', 'network']);
const FIREWALL_ERRORS = new Set(['connection_reset', 'blocked_target']);

/** The cause of a failed attempt: exactly one, for any stored values. */
export function failureCauseCode(attempt: FailedAttempt): FailureCauseCode {
  const { statusCode: status, errorClass } = attempt;
  const body = attempt.responseSnippet ?? '';
  if (status !== null) {
    // A failed 2xx broke the publisher's success rule: nothing else fails an attempt that got one.
    if (status >= 200 && status < 300) return 'malformed_response';
    if (status >= 500 && status < 600) return 'server_downtime';
    if (status >= 400 && status < 500 && IP_REFUSED.test(body)) return 'ip_not_whitelisted';
    if (status === 401 || (status === 403 && NAMES_CREDENTIAL.test(body))) return 'invalid_authentication';
    if (status === 403) return 'firewall_or_permission';
    return 'other';
  }
  if (errorClass !== null && DOWNTIME_ERRORS.has(errorClass)) return 'server_downtime';
  if (errorClass !== null && FIREWALL_ERRORS.has(errorClass)) return 'firewall_or_permission';
  return 'other';
}

const LABELS: Record<FailureCauseCode, string> = {
  server_downtime: 'Server downtime',
  firewall_or_permission: 'Firewall or permission rules',
  ip_not_whitelisted: 'IP not whitelisted',
  invalid_authentication: 'Invalid or expired authentication',
  malformed_response: 'Malformed response',
  other: 'Other',
};

const REMEDIES: Record<FailureCauseCode, string> = {
  server_downtime:
    'Your endpoint was unavailable (a 5xx answer, a refused connection, a timeout or a host name that does not resolve): make sure your server is up and reachable at the callback URL, then resend.',
  firewall_or_permission:
    'A firewall or permission rule refused the request (403 or connection reset): allow our callbacks to reach the callback URL in your firewall or web server rules, then resend.',
  ip_not_whitelisted:
    "Your endpoint refuses our IP addresses: allow the service's outbound IP addresses, listed on your endpoint page, in your system's network settings, then resend.",
  invalid_authentication:
    'Your endpoint refused our credentials: check the secret header (token) and the signing secret on your endpoint page, renew the token if it expired, then resend.',
  malformed_response:
    'Your endpoint answered 2xx, but not what your success rule expects: make it answer as the rule says, or correct the rule on your endpoint page, then resend.',
  other: 'Check the callback URL and what your endpoint expects, then resend.',
};

const OTHER_ERRORS: Record<string, { label: string; remedy: string }> = {
  tls: {
    label: 'Other: TLS error',
    remedy: "The secure connection to your endpoint failed: check its TLS certificate (valid, not expired, for the URL's host name), then resend.",
  },
  invalid_url: {
    label: 'Other: invalid callback URL',
    remedy: 'The callback URL is not a valid http(s) URL once its macros are filled: correct it on your endpoint page, then resend.',
  },
};

const BLOCKED_TARGET_REMEDY =
  'The callback URL points to a private or internal address, which the service never calls: use a public address for your endpoint, then resend.';

/**
 * The label and remedy of a cause. With the attempt, they are specific to it (the status code of `other`, the
 * error class); without it, they are the cause's general wording (the overview's totals).
 */
export function describeFailureCause(code: FailureCauseCode, attempt?: Pick<FailedAttempt, 'statusCode' | 'errorClass'>): FailureCause {
  if (code === 'other' && attempt) {
    if (attempt.statusCode !== null) {
      return {
        code,
        label: `Other: HTTP ${attempt.statusCode}`,
        remedy: `Your endpoint answered HTTP ${attempt.statusCode}: check the callback URL and what your endpoint expects, then resend.`,
      };
    }
    const known = attempt.errorClass === null ? undefined : OTHER_ERRORS[attempt.errorClass];
    if (known) return { code, ...known };
    return { code, label: `Other: ${attempt.errorClass ?? 'unknown error'}`, remedy: REMEDIES.other };
  }
  if (code === 'firewall_or_permission' && attempt?.errorClass === 'blocked_target') {
    return { code, label: LABELS[code], remedy: BLOCKED_TARGET_REMEDY };
  }
  return { code, label: LABELS[code], remedy: REMEDIES[code] };
}

/** The cause of a failed attempt, with its label and remedy. */
export function failureCause(attempt: FailedAttempt): FailureCause {
  return describeFailureCause(failureCauseCode(attempt), attempt);
}

/** The cause of a stored failed attempt: the code it recorded, or, for a row recorded without one, computed now. */
export function storedFailureCause(attempt: FailedAttempt & { cause: string | null }): FailureCause {
  const recorded = FAILURE_CAUSE_CODES.find((code) => code === attempt.cause);
  return recorded ? describeFailureCause(recorded, attempt) : failureCause(attempt);
}
