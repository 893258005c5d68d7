import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { configSchema, type Config } from '../../src/config';
import type { AttemptRow } from '../../src/activities/attempt-log';
import type { ConversionRow, NewConversion } from '../../src/db/conversions';
import { insertConversions } from '../../src/db/intake';
import { upsertPublisher } from '../../src/db/publishers';
import type { SuccessRule } from '../../src/delivery/success-rule';
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
  successRule?: SuccessRule | null;
}

/** A conversion row as intake writes it, for `publisherId` (with a fresh id unless given). */
export function newConversion(publisherId: string, overrides: Partial<NewConversion> = {}): NewConversion {
  const id = overrides.id ?? `conv-${randomUUID()}`;
  return {
    id,
    publisherId,
    clickId: 'click-1',
    eventId: 'evt-1',
    offerId: 'offer-1',
    payout: '1.5',
    userId: 'user-1',
    extras: {},
    payloadHash: 'hash',
    workflowId: workflowIdFor(id),
    ...overrides,
  };
}

/**
 * Stores a publisher and one conversion of it (with its pending callback) through the service's own writes;
 * returns their ids.
 */
export async function insertConversion(pool: pg.Pool, publisher: PublisherFixture): Promise<{ conversionId: string; publisherId: string }> {
  const publisherId = `pub-${randomUUID()}`;
  await upsertPublisher(pool, { id: publisherId, method: 'POST', timeoutMs: 2000, successRule: null, ...publisher });
  const conversion = newConversion(publisherId);
  await insertConversions(pool, [conversion]);
  return { conversionId: conversion.id, publisherId };
}

export type CallbackRow = Pick<
  ConversionRow,
  'status' | 'attempts' | 'last_status_code' | 'last_error' | 'next_retry_at' | 'sent_at' | 'failed_at'
> & { updated_at: Date };

export async function callbackRow(pool: pg.Pool, conversionId: string): Promise<CallbackRow> {
  const { rows } = await pool.query<CallbackRow>('SELECT * FROM callbacks WHERE conversion_id = $1', [conversionId]);
  return rows[0];
}

export interface AttemptRowFixture extends AttemptRow {
  attempt_key: string;
  cause: string | null;
}

export async function attemptRows(pool: pg.Pool, conversionId: string): Promise<AttemptRowFixture[]> {
  const { rows } = await pool.query<AttemptRowFixture>(
    'SELECT * FROM callback_attempts WHERE conversion_id = $1 ORDER BY attempt_number',
    [conversionId],
  );
  return rows;
}
