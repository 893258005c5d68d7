import { loadConfig } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createHttpSender } from '../delivery/http-sender';
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
  const pool = createPool(DATABASE_URL, logger);
  await migrate(pool);
  const client = await connectClient({ ...config, TEMPORAL_ADDRESS });
  await ensureSearchAttributes(client.connection, config.TEMPORAL_NAMESPACE);
  const scheduler = new TemporalCallbackScheduler(client, config);
  const http = createHttpSender({ allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS });
  const api = await startApiService({ pool, scheduler, http, config, logger });
  logger.info('API listening', { url: api.url });

  onShutdownSignal(logger, async () => {
    await api.stop();
    await client.connection.close();
    await pool.end();
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
