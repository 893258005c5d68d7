-- Publishers: where and how their callbacks are sent. Secrets are stored here and never returned by the API.
CREATE TABLE publishers (
  id                  text PRIMARY KEY,
  callback_url        text NOT NULL,
  method              text NOT NULL CHECK (method IN ('GET', 'POST')),
  secret_header_name  text,
  secret_header_value text,
  signing_secret      text,
  timeout_ms          integer NOT NULL CHECK (timeout_ms > 0),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((secret_header_name IS NULL) = (secret_header_value IS NULL))
);

-- Conversions are immutable once recorded; payload_hash detects a re-POST of the same id with other data.
CREATE TABLE conversions (
  id                  text PRIMARY KEY,
  publisher_id        text NOT NULL REFERENCES publishers(id),
  click_id            text NOT NULL,
  event_id            text NOT NULL,
  offer_id            text NOT NULL,
  payout              numeric(18, 6) NOT NULL,
  user_id             text NOT NULL,
  extras              jsonb NOT NULL DEFAULT '{}'::jsonb,
  payload_hash        text NOT NULL,
  workflow_id         text NOT NULL UNIQUE,
  -- NULL until Temporal accepted the workflow; until then the conversion has an entry in delivery_outbox (002).
  workflow_started_at timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversions_created_at_idx ON conversions (created_at, id);
CREATE INDEX conversions_publisher_idx ON conversions (publisher_id, created_at);
CREATE INDEX conversions_event_id_idx ON conversions (event_id);
CREATE INDEX conversions_click_id_idx ON conversions (click_id);

-- One callback per conversion: its current delivery state (the "Conversion Callback" report).
CREATE TABLE callbacks (
  conversion_id    text PRIMARY KEY REFERENCES conversions(id),
  status           text NOT NULL CHECK (status IN ('pending', 'retrying', 'sent', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error       text,
  next_retry_at    timestamptz,
  sent_at          timestamptz,
  failed_at        timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX callbacks_status_idx ON callbacks (status, updated_at);

-- Append-only log of every delivery attempt. attempt_key = "<workflow run id>/<activity id>/<activity attempt>"
-- makes the write idempotent when an activity is retried after its worker died.
CREATE TABLE callback_attempts (
  id               bigserial PRIMARY KEY,
  conversion_id    text NOT NULL REFERENCES conversions(id),
  attempt_key      text NOT NULL UNIQUE,
  attempt_number   integer NOT NULL,
  trigger          text NOT NULL CHECK (trigger IN ('automatic', 'manual')),
  outcome          text NOT NULL CHECK (outcome IN ('in_flight', 'succeeded', 'failed', 'abandoned')),
  started_at       timestamptz NOT NULL,
  duration_ms      integer,
  status_code      integer,
  error_class      text,
  error_message    text,
  response_snippet text,
  next_retry_at    timestamptz,
  UNIQUE (conversion_id, attempt_number)
);
