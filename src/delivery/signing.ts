import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the receiver recomputes
 * HMAC-SHA256(secret, "<id>.<timestamp>.<body>") and compares it with the `v1,` value of `webhook-signature`.
 */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks secrets are often shared as `whsec_<base64>`; those are decoded to their key bytes. Any other
 * secret is used as its UTF-8 bytes.
 */
function secretKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/** `id` is stable for every attempt of a callback, so a receiver can drop duplicates by it. */
export function signCallback(secret: string, id: string, timestampSeconds: number, body: string): SignatureHeaders {
  const timestamp = String(Math.floor(timestampSeconds));
  const signature = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
