-- Sign-in sessions of the console. The session id lives only in the browser's cookie: a row holds its SHA-256, so
-- a copy of this table cannot be replayed. The key is never stored either, only its non-secret fingerprint and
-- role, checked against API_KEYS on every request (removing a key ends its sessions).
CREATE TABLE console_sessions (
  id_hash         text PRIMARY KEY,
  key_fingerprint text NOT NULL,
  role            text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer', 'publisher')),
  publisher_id    text,
  csrf_token      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  -- last_seen_at plus the idle timeout, moved forward by every request.
  expires_at      timestamptz NOT NULL,
  CHECK ((role = 'publisher') = (publisher_id IS NOT NULL))
);
CREATE INDEX console_sessions_expires_at_idx ON console_sessions (expires_at);
