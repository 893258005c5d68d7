import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { toTemporalUnavailable } from './temporal-errors';

/** A client connected to Temporal; the caller closes `client.connection` when done. */
export async function connectClient(
  config: Pick<Config, 'TEMPORAL_NAMESPACE'> & { TEMPORAL_ADDRESS: string },
  connectTimeoutMs = 10_000,
): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: connectTimeoutMs });
    return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  } catch (err) {
    throw toTemporalUnavailable(err);
  }
}
