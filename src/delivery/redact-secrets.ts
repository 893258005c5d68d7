import { isSecretName, REDACTED } from '../logger';
import type { CallbackRequest, SendOutcome } from './http-sender';

/**
 * An attempt's outcome is stored in Postgres, returned by the API, logged and carried into Temporal's history
 * (heartbeats, failures). A publisher endpoint that echoes what it received would put the request's secrets there,
 * so every secret the request carried is replaced by `[redacted]` in the outcome, before anything sees it.
 */

/** Parts of a credential (`Bearer <token>`, `v1,<signature>`) shorter than this are the scheme, not the secret. */
const MIN_PART_CHARS = 8;
/** A snippet cut off in the middle of a secret ends with its first characters: this many are enough to redact. */
const MIN_TAIL_CHARS = 4;

/** The secret values `request` carried: those it names, and those of secret-named headers and query parameters. */
export function requestSecrets(request: CallbackRequest): string[] {
  const values = [...(request.secrets ?? [])];
  for (const [name, value] of Object.entries(request.headers)) if (isSecretName(name)) values.push(value);
  try {
    const url = new URL(request.url);
    for (const [name, value] of url.searchParams) if (isSecretName(name)) values.push(value);
    // Refused by the API's validation, but a URL's credentials would go out in an Authorization header.
    values.push(...[url.username, url.password].map(decodedOrAsIs));
  } catch {
    // A URL that does not parse was never requested: it carried nothing.
  }
  // The credential of `Bearer <token>` or `v1,<signature>` may also be quoted alone (e.g. "bad signature <sig>").
  const parts = values.flatMap((value) => value.split(/[\s,]+/).filter((part) => part.length >= MIN_PART_CHARS));
  return [...values, ...parts].filter((value) => value.length > 0);
}

function decodedOrAsIs(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** URL-encoded in either hex case, and with `+` for spaces as in a form. */
function urlEncodedForms(secret: string): string[] {
  try {
    const encoded = encodeURIComponent(secret);
    return [encoded, encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()), encoded.replace(/%20/g, '+')];
  } catch {
    // A lone surrogate cannot be URL-encoded: no echo can show it that way either.
    return [];
  }
}

/** How an echo may show `secret`: as sent, URL-encoded, JSON-escaped (PHP's `\/` too), in base64. */
function secretForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  return [
    secret,
    ...urlEncodedForms(secret),
    json,
    json.replace(/\//g, '\\/'),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(secret, 'utf8').toString('base64url'),
  ];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where `text` ends with the start of one of `forms` (a snippet cut off inside a secret), or -1. */
function cutOffSecretAt(text: string, forms: readonly string[]): number {
  let cut = -1;
  for (const form of forms) {
    // Only where the form's first characters occur, and shorter than the form (whole ones are replaced already).
    const head = form.slice(0, MIN_TAIL_CHARS);
    for (let start = text.indexOf(head, text.length - form.length + 1); start !== -1; start = text.indexOf(head, start + 1)) {
      if (form.startsWith(text.slice(start))) {
        if (cut === -1 || start < cut) cut = start;
        break;
      }
    }
  }
  return cut;
}

/** A function that replaces every form of every secret in a text, and a secret cut off at its end. */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  // Longest first: where one form contains another, the whole of it is replaced.
  const forms = [...new Set(secrets.flatMap(secretForms))].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(forms.map(escapeRegExp).join('|'), 'g');
  const tailForms = forms.filter((form) => form.length > MIN_TAIL_CHARS);
  return (text) => {
    const redacted = text.replace(pattern, REDACTED);
    const cut = tailForms.length === 0 ? -1 : cutOffSecretAt(redacted, tailForms);
    return cut === -1 ? redacted : `${redacted.slice(0, cut)}${REDACTED}`;
  };
}

/** `outcome` without the secrets of the request it answers: its body snippet and its error message. */
export function redactOutcome(outcome: SendOutcome, request: CallbackRequest): SendOutcome {
  const redact = secretRedactor(requestSecrets(request));
  return outcome.kind === 'response'
    ? { ...outcome, bodySnippet: redact(outcome.bodySnippet) }
    : { ...outcome, message: redact(outcome.message) };
}
