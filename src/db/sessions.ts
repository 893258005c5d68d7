import type pg from 'pg';
import type { Role } from '../api/api-keys';

/** A console session as stored: the key it was opened with, by fingerprint and role only. */
export interface StoredSession {
  keyFingerprint: string;
  role: Role;
  publisherId?: string;
  csrfToken: string;
}

interface SessionRow {
  key_fingerprint: string;
  role: Role;
  publisher_id: string | null;
  csrf_token: string;
}

function toSession(row: SessionRow): StoredSession {
  return {
    keyFingerprint: row.key_fingerprint,
    role: row.role,
    ...(row.publisher_id === null ? {} : { publisherId: row.publisher_id }),
    csrfToken: row.csrf_token,
  };
}

/**
 * Stores a new session, and drops the expired ones on the way, in the same statement (sign-ins are rare; no sweep
 * is needed).
 */
export async function insertSession(db: pg.Pool, idHash: string, session: StoredSession, idleMs: number): Promise<void> {
  await db.query(
    `WITH expired AS (DELETE FROM console_sessions WHERE expires_at < now())
     INSERT INTO console_sessions (id_hash, key_fingerprint, role, publisher_id, csrf_token, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond')`,
    [idHash, session.keyFingerprint, session.role, session.publisherId ?? null, session.csrfToken, idleMs],
  );
}

/** The session if it has not expired, its idle expiry moved forward (one statement: a read that also touches). */
export async function touchSession(db: pg.Pool, idHash: string, idleMs: number): Promise<StoredSession | undefined> {
  const { rows } = await db.query<SessionRow>(
    `UPDATE console_sessions SET last_seen_at = now(), expires_at = now() + $2 * interval '1 millisecond'
     WHERE id_hash = $1 AND expires_at > now()
     RETURNING key_fingerprint, role, publisher_id, csrf_token`,
    [idHash, idleMs],
  );
  return rows[0] && toSession(rows[0]);
}

export async function deleteSession(db: pg.Pool, idHash: string): Promise<void> {
  await db.query('DELETE FROM console_sessions WHERE id_hash = $1', [idHash]);
}
