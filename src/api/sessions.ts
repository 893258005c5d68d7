import { createHash, randomBytes } from 'node:crypto';
import { parse as parseCookies, serialize as serializeCookie, type SerializeOptions } from 'cookie';
import type { Request, Response } from 'express';
import type pg from 'pg';
import { deleteSession, insertSession, touchSession, type StoredSession } from '../db/sessions';
import type { KeyRing, KnownKey } from './api-keys';

export const SESSION_COOKIE = 'cc_session';

/** A session unused for this long is over. */
export const SESSION_IDLE_MS = 12 * 3_600_000;

/** A live session: its id (the cookie's value) and what it was opened with. */
export interface Session extends StoredSession {
  id: string;
}

/** Only the hash of an id is stored: the table cannot be used to sign in. */
function hashId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Console sessions in Postgres; each one is valid only while the key it was opened with is configured. */
export class Sessions {
  constructor(
    private readonly pool: pg.Pool,
    private readonly keys: KeyRing,
  ) {}

  async open(key: KnownKey): Promise<Session> {
    const session: Session = { id: randomToken(), keyFingerprint: key.fingerprint, role: key.role, csrfToken: randomToken() };
    if (key.publisherId !== undefined) session.publisherId = key.publisherId;
    await insertSession(this.pool, hashId(session.id), session, SESSION_IDLE_MS);
    return session;
  }

  /** The live session with this id, or undefined (unknown, expired, or its key removed from API_KEYS: then deleted). */
  async resolve(id: string): Promise<Session | undefined> {
    const stored = await touchSession(this.pool, hashId(id), SESSION_IDLE_MS);
    if (!stored) return undefined;
    if (!this.keys.stillConfigured({ fingerprint: stored.keyFingerprint, role: stored.role, publisherId: stored.publisherId })) {
      await this.close(id);
      return undefined;
    }
    return { id, ...stored };
  }

  async close(id: string): Promise<void> {
    await deleteSession(this.pool, hashId(id));
  }
}

/** The session id the request's cookie carries, if any. */
export function sessionIdOf(req: Request): string | undefined {
  const header = req.get('cookie');
  return header === undefined ? undefined : parseCookies(header)[SESSION_COOKIE] || undefined;
}

/**
 * A session cookie (no Max-Age: the browser drops it when it closes; the server ends it after 12 h idle) that
 * scripts cannot read and other sites never send; Secure when the request came over https.
 */
function cookieOptions(req: Request): SerializeOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: req.secure };
}

export function setSessionCookie(req: Request, res: Response, id: string): void {
  res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, id, cookieOptions(req)));
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { ...cookieOptions(req), expires: new Date(0), maxAge: 0 }));
}
