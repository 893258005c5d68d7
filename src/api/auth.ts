import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { digest, type KeyRing, type KnownKey } from './api-keys';
import { ApiError } from './errors';
import type { Principal } from './permissions';
import { clearSessionCookie, sessionIdOf, type Session, type Sessions } from './sessions';

/** Methods that change nothing: a cookie-authenticated request with any other needs the session's CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const CSRF_HEADER = 'X-CSRF-Token';

/** The principal a key (or a session opened with it) acts as; its caller label names the role and the fingerprint. */
export function principalFor(key: Pick<KnownKey, 'role' | 'publisherId' | 'fingerprint'>): Principal {
  const role = key.role === 'publisher' ? `publisher:${String(key.publisherId)}` : key.role;
  return { role: key.role, ...(key.publisherId === undefined ? {} : { publisherId: key.publisherId }), caller: `${role} ${key.fingerprint}` };
}

function unauthorized(res: Response): ApiError {
  res.setHeader('WWW-Authenticate', 'Bearer');
  return new ApiError(401, 'unauthorized', 'Authorization: Bearer <API key> or a session cookie (POST /v1/session) is missing or not valid');
}

function sameToken(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Authenticates a request by `Authorization: Bearer <key>` or, without that header, by the session cookie, and sets
 * `res.locals.principal` (and `res.locals.session` for a cookie). A request with an Authorization header is judged
 * by it alone. Cookie requests that change state must carry the session's CSRF token in X-CSRF-Token (the browser
 * sends the cookie by itself; a Bearer key is never ambient, so it needs none). With no keys configured every request
 * is refused.
 */
export function authenticate(keys: KeyRing, sessions: Sessions): RequestHandler {
  return async (req, res, next) => {
    const authorization = req.get('authorization');
    if (authorization !== undefined) {
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
      const key = presented === undefined ? undefined : keys.match(presented);
      if (!key) throw unauthorized(res);
      res.locals.principal = principalFor(key);
      next();
      return;
    }
    const sessionId = sessionIdOf(req);
    const session = sessionId === undefined ? undefined : await sessions.resolve(sessionId);
    if (!session) {
      // A stale cookie is cleared, so the browser stops sending it.
      if (sessionId !== undefined) clearSessionCookie(req, res);
      throw unauthorized(res);
    }
    if (!SAFE_METHODS.has(req.method) && !sameToken(req.get(CSRF_HEADER), session.csrfToken)) {
      throw new ApiError(403, 'csrf_token_invalid', `${req.method} with the session cookie needs the session's csrfToken in ${CSRF_HEADER}`);
    }
    res.locals.principal = principalFor({ ...session, fingerprint: session.keyFingerprint });
    res.locals.session = session;
    next();
  };
}

/** The principal `authenticate` set; a route outside it is a programming error. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('principalOf: the route is not behind authenticate()');
  return principal;
}

/** The session of a cookie-authenticated request; undefined with a Bearer key. */
export function sessionOf(res: Response): Session | undefined {
  return res.locals.session as Session | undefined;
}
