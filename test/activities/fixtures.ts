import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { configSchema, type Config } from '../../src/config';
import { workflowIdFor } from '../../src/temporal/callback-scheduler';

/** The service's configuration for tests: defaults, with private targets allowed so receivers on 127.0.0.1 work. */
export function testConfig(env: Record<string, string> = {}): Config {
  return configSchema.parse({ ALLOW_PRIVATE_TARGETS: 'true', CALLBACK_TIMEOUT: '2s', ...env });
}

export interface PublisherFixture {
  callbackUrl: string;
  method?: 'GET' | 'POST';
  secretHeader?: { name: string; value: string };
  signingSecret?: string;
  timeoutMs?: number;
}

/** Inserts a publisher and one conversion of it with its pending callback row; returns the conversion id. */
export async function insertConversion(pool: pg.Pool, publisher: PublisherFixture): Promise<{ conversionId: string; publisherId: string }> {
  const publisherId = `pub-${randomUUID()}`;
  const conversionId = `conv-${randomUUID()}`;
  await pool.query(
    `INSERT INTO publishers (id, callback_url, method, secret_header_name, secret_header_value, signing_secret, timeout_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      publisherId,
      publisher.callbackUrl,
      publisher.method ?? 'POST',
      publisher.secretHeader?.name ?? null,
      publisher.secretHeader?.value ?? null,
      publisher.signingSecret ?? null,
      publisher.timeoutMs ?? 2000,
    ],
  );
  await pool.query(
    `INSERT INTO conversions (id, publisher_id, click_id, event_id, offer_id, payout, user_id, payload_hash, workflow_id)
     VALUES ($1, $2, 'click-1', 'evt-1', 'offer-1', 1.5, 'user-1', 'hash', $3)`,
    [conversionId, publisherId, workflowIdFor(conversionId)],
  );
  await pool.query(`INSERT INTO callbacks (conversion_id, status) VALUES ($1, 'pending')`, [conversionId]);
  return { conversionId, publisherId };
}

export interface CallbackRow {
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_retry_at: Date | null;
  sent_at: Date | null;
  failed_at: Date | null;
}

export async function callbackRow(pool: pg.Pool, conversionId: string): Promise<CallbackRow> {
  const { rows } = await pool.query<CallbackRow>('SELECT * FROM callbacks WHERE conversion_id = $1', [conversionId]);
  return rows[0];
}

export interface AttemptRowFixture {
  attempt_key: string;
  attempt_number: number;
  trigger: string;
  outcome: string;
  status_code: number | null;
  error_class: string | null;
  error_message: string | null;
  response_snippet: string | null;
  duration_ms: number | null;
  next_retry_at: Date | null;
}

export async function attemptRows(pool: pg.Pool, conversionId: string): Promise<AttemptRowFixture[]> {
  const { rows } = await pool.query<AttemptRowFixture>(
    'SELECT * FROM callback_attempts WHERE conversion_id = $1 ORDER BY attempt_number',
    [conversionId],
  );
  return rows;
}
