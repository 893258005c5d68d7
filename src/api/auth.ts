import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A short, non-secret name for a key (for logs and "requested by"); the key itself is never logged. */
export function keyFingerprint(key: string): string {
  return `key:${digest(key).toString('hex').slice(0, 8)}`;
}

/**
 * Requires `Authorization: Bearer <key>` with one of `keys`. Keys are compared as SHA-256 digests with
 * timingSafeEqual, so neither the content nor the length of a key leaks through response times. With no keys
 * configured every request is refused. Sets `res.locals.caller` to the key's fingerprint.
 */
export function requireApiKey(keys: readonly string[]): RequestHandler {
  const known = keys.map((key) => ({ digest: digest(key), fingerprint: keyFingerprint(key) }));
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const presented = match ? digest(match[1]) : undefined;
    // Compare against every key (no early exit) so timing does not reveal which one matched.
    let caller: string | undefined;
    for (const key of known) {
      if (presented && timingSafeEqual(presented, key.digest)) caller = key.fingerprint;
    }
    if (!caller) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      next(new ApiError(401, 'unauthorized', 'Authorization: Bearer <API key> is missing or the key is not valid'));
      return;
    }
    res.locals.caller = caller;
    next();
  };
}
