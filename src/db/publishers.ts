import type pg from 'pg';
import type { PublisherEndpoint } from '../delivery/callback-request';
import type { SuccessRule } from '../delivery/success-rule';
import type { PageRequest } from './reports';

export interface PublisherInput {
  id: string;
  callbackUrl: string;
  method: 'GET' | 'POST';
  timeoutMs: number;
  /** undefined keeps the stored header, null removes it. */
  secretHeader?: { name: string; value: string } | null;
  /** undefined keeps the stored secret, null removes it. */
  signingSecret?: string | null;
  successRule: SuccessRule | null;
}

/** A publisher as the API shows it: whether secrets are set, never their values. */
export interface PublisherView {
  publisherId: string;
  callbackUrl: string;
  method: 'GET' | 'POST';
  timeoutMs: number;
  secretHeader: { name: string; valueSet: true } | null;
  signingSecretSet: boolean;
  successRule: SuccessRule | null;
  createdAt: Date;
  updatedAt: Date;
}

interface PublisherRow {
  id: string;
  callback_url: string;
  method: 'GET' | 'POST';
  timeout_ms: number;
  secret_header_name: string | null;
  signing_secret_set: boolean;
  success_rule: SuccessRule | null;
  created_at: Date;
  updated_at: Date;
  inserted: boolean;
}

/** The columns of a PublisherView; the secret values are never selected. */
const VIEW_COLUMNS = `id, callback_url, method, timeout_ms, secret_header_name, signing_secret IS NOT NULL AS signing_secret_set,
  success_rule, created_at, updated_at`;

export function toPublisherView(row: PublisherRow): PublisherView {
  return {
    publisherId: row.id,
    callbackUrl: row.callback_url,
    method: row.method,
    timeoutMs: row.timeout_ms,
    secretHeader: row.secret_header_name === null ? null : { name: row.secret_header_name, valueSet: true },
    signingSecretSet: row.signing_secret_set,
    successRule: row.success_rule,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Inserts or replaces a publisher; secrets follow the keep/remove rules of PublisherInput. */
export async function upsertPublisher(db: pg.Pool, input: PublisherInput): Promise<{ created: boolean; publisher: PublisherView }> {
  const keepHeader = input.secretHeader === undefined;
  const keepSigning = input.signingSecret === undefined;
  const { rows } = await db.query<PublisherRow>(
    `INSERT INTO publishers AS p (id, callback_url, method, timeout_ms, secret_header_name, secret_header_value, signing_secret, success_rule)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $10)
     ON CONFLICT (id) DO UPDATE SET
       callback_url = EXCLUDED.callback_url,
       method = EXCLUDED.method,
       timeout_ms = EXCLUDED.timeout_ms,
       secret_header_name = CASE WHEN $8 THEN p.secret_header_name ELSE EXCLUDED.secret_header_name END,
       secret_header_value = CASE WHEN $8 THEN p.secret_header_value ELSE EXCLUDED.secret_header_value END,
       signing_secret = CASE WHEN $9 THEN p.signing_secret ELSE EXCLUDED.signing_secret END,
       success_rule = EXCLUDED.success_rule,
       updated_at = now()
     RETURNING ${VIEW_COLUMNS}, (xmax = 0) AS inserted`,
    [
      input.id,
      input.callbackUrl,
      input.method,
      input.timeoutMs,
      input.secretHeader?.name ?? null,
      input.secretHeader?.value ?? null,
      input.signingSecret ?? null,
      keepHeader,
      keepSigning,
      input.successRule === null ? null : JSON.stringify(input.successRule),
    ],
  );
  const row = rows[0];
  return { created: row.inserted, publisher: toPublisherView(row) };
}

export async function findPublisher(db: pg.Pool, id: string): Promise<PublisherView | undefined> {
  const { rows } = await db.query<PublisherRow>(`SELECT ${VIEW_COLUMNS}, false AS inserted FROM publishers WHERE id = $1`, [id]);
  return rows[0] && toPublisherView(rows[0]);
}

export interface PublisherListRow extends PublisherRow {
  /** The keyset pagination key: created_at in microseconds since the epoch, as digits. */
  page_created_at: string;
}

/** Publishers newest first, keyset-paginated like the reports (`limit + 1` rows); only `publisherId`'s when given. */
export async function listPublishers(db: pg.Pool, filters: { publisherId?: string }, page: PageRequest): Promise<PublisherListRow[]> {
  const { rows } = await db.query<PublisherListRow>(
    `SELECT ${VIEW_COLUMNS}, false AS inserted, (extract(epoch FROM created_at) * 1000000)::bigint::text AS page_created_at
     FROM publishers
     WHERE ($1::text IS NULL OR id = $1)
       AND ($2::bigint IS NULL OR (created_at, id) < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::text))
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [filters.publisherId ?? null, page.after?.createdAt ?? null, page.after?.id ?? null, page.limit + 1],
  );
  return rows;
}

/** The columns of a publisher's endpoint, secrets included: for sending, never for showing. */
export const ENDPOINT_COLUMNS = `p.callback_url, p.method, p.secret_header_name, p.secret_header_value, p.signing_secret, p.timeout_ms,
  p.success_rule`;

/** A row with ENDPOINT_COLUMNS. */
export interface EndpointRow {
  callback_url: string;
  method: 'GET' | 'POST';
  secret_header_name: string | null;
  secret_header_value: string | null;
  signing_secret: string | null;
  timeout_ms: number;
  success_rule: SuccessRule | null;
}

export function toPublisherEndpoint(id: string, row: EndpointRow): PublisherEndpoint {
  return {
    id,
    callbackUrl: row.callback_url,
    method: row.method,
    ...(row.secret_header_name && row.secret_header_value
      ? { secretHeader: { name: row.secret_header_name, value: row.secret_header_value } }
      : {}),
    ...(row.signing_secret ? { signingSecret: row.signing_secret } : {}),
    timeoutMs: row.timeout_ms,
    ...(row.success_rule ? { successRule: row.success_rule } : {}),
  };
}

/** A publisher's endpoint with its secrets, to send a callback with (never to answer with). */
export async function findPublisherEndpoint(db: pg.Pool, id: string): Promise<PublisherEndpoint | undefined> {
  const { rows } = await db.query<EndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM publishers p WHERE p.id = $1`, [id]);
  return rows[0] && toPublisherEndpoint(id, rows[0]);
}
