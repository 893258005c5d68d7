import { loadConfig } from '../config';
import { migrate } from '../db/migrate';
import { API_POOL, createPool, DISPATCH_POOL } from '../db/pool';
import { httpSenderFor } from '../delivery/http-sender';
import { createLogger } from '../logger';
import { connectClient } from '../temporal/connection';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { TemporalCallbackScheduler } from '../temporal/temporal-callback-scheduler';
import { startApiService } from './service';
import { onShutdownSignal } from './shutdown';

/** `npm run api`: the HTTP API in production, against an existing Postgres and Temporal cluster. */
async function main(): Promise<void> {
  const config = loadConfig();
  const { DATABASE_URL, TEMPORAL_ADDRESS } = config;
  if (!DATABASE_URL || !TEMPORAL_ADDRESS) {
    throw new Error('npm run api needs DATABASE_URL and TEMPORAL_ADDRESS (npm start runs everything locally)');
  }
  if (config.API_KEYS.length === 0) throw new Error('API_KEYS is not set: the API refuses to start without keys');
  const logger = createLogger({ level: config.LOG_LEVEL });
  const pool = createPool(DATABASE_URL, logger, API_POOL);
  const dispatchPool = createPool(DATABASE_URL, logger, DISPATCH_POOL);
  await migrate(pool);
  const client = await connectClient({ ...config, TEMPORAL_ADDRESS });
  await ensureSearchAttributes(client.connection, config.TEMPORAL_NAMESPACE);
  const scheduler = new TemporalCallbackScheduler(client, config);
  const api = await startApiService({ pool, scheduler, http: httpSenderFor(config), config, logger }, { dispatchPool });
  logger.info('API listening', { url: api.url });

  onShutdownSignal(logger, async () => {
    await api.stop();
    await client.connection.close();
    await Promise.all([pool.end(), dispatchPool.end()]);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
