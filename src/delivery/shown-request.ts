import type { CallbackRequest } from './http-sender';
import { requestSecrets } from './redact-secrets';

/** What stands for a secret in a request shown to a person. */
export const MASK = '••••••';

/** A callback request as the API shows it: what is sent, with every secret header value masked. */
export interface ShownRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | null;
}

/**
 * `request` with the value of each header that carries a secret (the publisher's secret header, the signature,
 * any secret-named header) replaced by MASK. The URL and body carry no secret of the service's: the URL is the
 * publisher's own template, shown on its endpoint page, filled with the conversion's values.
 */
export function shownRequest(request: CallbackRequest): ShownRequest {
  const secrets = new Set(requestSecrets(request));
  return {
    url: request.url,
    method: request.method,
    headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, secrets.has(value) ? MASK : value])),
    body: request.body ?? null,
  };
}
