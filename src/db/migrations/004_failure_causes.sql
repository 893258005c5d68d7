-- Why each failed attempt failed (src/delivery/failure-cause.ts): counted per publisher by the overview. NULL for
-- attempts that did not fail; a failed row recorded before this column gets its cause computed when read.
ALTER TABLE callback_attempts ADD COLUMN cause text CHECK (cause IN (
  'server_downtime', 'firewall_or_permission', 'ip_not_whitelisted', 'invalid_authentication', 'malformed_response', 'other'
));

-- A publisher's success rule (src/delivery/success-rule.ts): besides a 2xx, what the answer's body must be. NULL: any 2xx.
ALTER TABLE publishers ADD COLUMN success_rule jsonb;

-- The overview counts attempts per hour over a window of started_at, and the callbacks failed in the last 24 hours.
CREATE INDEX callback_attempts_started_at_idx ON callback_attempts (started_at);
CREATE INDEX callbacks_failed_at_idx ON callbacks (failed_at) WHERE status = 'failed';
