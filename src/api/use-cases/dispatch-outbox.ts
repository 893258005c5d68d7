import type pg from 'pg';
import { claimDueEntries, markDispatched, postponeEntries } from '../../db/outbox';
import type { Logger } from '../../logger';
import type { CallbackScheduler, ConversionRef } from '../../temporal/callback-scheduler';
import { isTemporalUnavailable } from '../errors';

export interface DispatchDeps {
  pool: pg.Pool;
  scheduler: CallbackScheduler;
  logger: Logger;
}

export interface DispatchSettings {
  /** Entries claimed per round (one transaction). */
  batchSize: number;
  /** Workflow starts in flight at once within a round. */
  concurrency: number;
}

export interface DispatchRound {
  claimed: number;
  started: number;
  /** Refused by Temporal for a reason of their own: postponed with a growing delay. */
  postponed: number;
  /** Temporal could not be reached: the round stopped, and the entries it had not started stay due. */
  temporalUnavailable: boolean;
}

/**
 * One round of the dispatcher: claims a batch of due outbox entries, starts their workflows `concurrency` at a
 * time, and in the same transaction deletes the entries Temporal accepted. Starting is idempotent (the workflow id
 * is the conversion's, and an existing workflow is left alone), so an entry started twice, by a round whose
 * commit was lost or by a resend in between, delivers once.
 */
export async function dispatchOutbox(deps: DispatchDeps, settings: DispatchSettings): Promise<DispatchRound> {
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
    const entries = await claimDueEntries(client, settings.batchSize);
    const { started, refused, temporalUnavailable } = await startWorkflows(deps, entries, settings.concurrency);
    if (started.length > 0) await markDispatched(client, started);
    if (refused.length > 0) await postponeEntries(client, refused);
    await client.query('COMMIT');
    return { claimed: entries.length, started: started.length, postponed: refused.length, temporalUnavailable };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function startWorkflows(
  { scheduler, logger }: DispatchDeps,
  entries: readonly ConversionRef[],
  concurrency: number,
): Promise<{ started: string[]; refused: string[]; temporalUnavailable: boolean }> {
  const started: string[] = [];
  const refused: string[] = [];
  let temporalUnavailable = false;
  let next = 0;
  // `concurrency` lanes take entries in order; once Temporal is found down none takes another (each would wait for
  // its own deadline).
  const lane = async (): Promise<void> => {
    while (!temporalUnavailable && next < entries.length) {
      const entry = entries[next++];
      try {
        await scheduler.startDelivery(entry);
        started.push(entry.conversionId);
      } catch (err) {
        if (isTemporalUnavailable(err)) {
          temporalUnavailable = true;
        } else {
          refused.push(entry.conversionId);
          logger.error('Temporal refused a delivery workflow; it is tried again later', { conversionId: entry.conversionId, error: err });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, lane));
  return { started, refused, temporalUnavailable };
}
