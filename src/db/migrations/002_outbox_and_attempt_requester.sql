-- The outbox of intake: a conversion, its callback and its outbox entry are written in one statement, and the POST
-- is answered at once. The dispatcher starts each entry's delivery workflow at the rate Temporal takes and deletes
-- the entry in the same statement that sets conversions.workflow_started_at. Replaces the sweep over
-- `workflow_started_at IS NULL`.
CREATE TABLE delivery_outbox (
  conversion_id   text PRIMARY KEY REFERENCES conversions(id),
  publisher_id    text NOT NULL,
  enqueued_at     timestamptz NOT NULL DEFAULT now(),
  -- An entry Temporal refused for a reason of its own (not an outage) waits before it is tried again, so that it
  -- cannot hold back the entries behind it.
  failures        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivery_outbox_due_idx ON delivery_outbox (next_attempt_at, enqueued_at);

-- Conversions recorded before the outbox whose workflow was never started.
INSERT INTO delivery_outbox (conversion_id, publisher_id, enqueued_at, next_attempt_at)
SELECT id, publisher_id, created_at, now() FROM conversions WHERE workflow_started_at IS NULL;

-- Who asked for a manual attempt (the caller of the resend); NULL for automatic attempts.
ALTER TABLE callback_attempts ADD COLUMN requested_by text;
