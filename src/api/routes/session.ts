import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Config } from '../../config';
import { otherMethods } from '../allowed-methods';
import type { KeyRing } from '../api-keys';
import { principalOf, principalFor, sessionOf } from '../auth';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { may, type Principal } from '../permissions';
import { clearSessionCookie, sessionIdOf, setSessionCookie, type Sessions } from '../sessions';
import { parseRequest } from '../validation';

export const signInBody = z.object({ apiKey: z.string().min(1).max(4096) }).strict();

/** What the console needs to know about who signed in; never the key. */
export interface SessionView {
  role: Principal['role'];
  publisherId: string | null;
  caller: string;
  /** Send it as X-CSRF-Token with every cookie request that changes state; null with a Bearer key. */
  csrfToken: string | null;
  /** Only for the roles that may open it. */
  temporalUiUrl: string | null;
  temporalNamespace: string;
  /** Where callbacks come from, for publishers to allow in their firewall. */
  outboundIps: string[];
}

function sessionView(config: Config, principal: Principal, csrfToken: string | null): SessionView {
  return {
    role: principal.role,
    publisherId: principal.publisherId ?? null,
    caller: principal.caller,
    csrfToken,
    temporalUiUrl: may(principal, 'openTemporalUi') ? (config.TEMPORAL_UI_URL ?? null) : null,
    temporalNamespace: config.TEMPORAL_NAMESPACE,
    outboundIps: config.OUTBOUND_IPS,
  };
}

export interface SessionRouteDeps {
  keys: KeyRing;
  sessions: Sessions;
  /** The authentication of every other /v1 route; signing in is the one request without it. */
  authenticated: RequestHandler;
  /** The JSON body reader; signing in reads the body before any key is known. */
  body: RequestHandler;
}

/** POST /v1/session signs in with a key (sets the cookie), GET tells who is signed in, DELETE signs out. */
export function sessionRoutes({ config }: ApiDeps, { keys, sessions, authenticated, body }: SessionRouteDeps): Router {
  const router = Router();

  router
    .route('/session')
    .post(body, async (req, res) => {
      const { apiKey } = parseRequest(signInBody, req.body, 'body');
      const key = keys.match(apiKey);
      if (!key) throw new ApiError(401, 'unauthorized', 'The API key is not valid');
      // Signing in again (another key, say) ends the session this browser had.
      const previous = sessionIdOf(req);
      if (previous !== undefined) await sessions.close(previous);
      const session = await sessions.open(key);
      setSessionCookie(req, res, session.id);
      res.json(sessionView(config, principalFor(key), session.csrfToken));
    })
    .get(authenticated, (_req, res) => {
      res.json(sessionView(config, principalOf(res), sessionOf(res)?.csrfToken ?? null));
    })
    .delete(authenticated, async (req, res) => {
      const session = sessionOf(res);
      if (session) await sessions.close(session.id);
      clearSessionCookie(req, res);
      res.status(204).end();
    })
    .all(authenticated, otherMethods);

  return router;
}
