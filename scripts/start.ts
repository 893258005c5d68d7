/**
 * `npm start`: the whole service on one machine. Starts what is missing (an embedded Temporal dev server when
 * TEMPORAL_ADDRESS is unset, an embedded Postgres when DATABASE_URL is unset), runs the migrations, the worker and
 * the API, and prints where each listens. Ctrl-C stops everything it started, in reverse order.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { NativeConnection } from '@temporalio/worker';
import type { ApiKey } from '../src/api/api-keys';
import { startApiService } from '../src/api/service';
import { onShutdownSignal } from '../src/api/shutdown';
import { loadConfig, type Config } from '../src/config';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { migrate } from '../src/db/migrate';
import { API_POOL, createPool, DISPATCH_POOL, WORKER_POOL } from '../src/db/pool';
import { httpSenderFor } from '../src/delivery/http-sender';
import { createLogger, type Logger } from '../src/logger';
import { connectClient } from '../src/temporal/connection';
import { startDevServer } from '../src/temporal/dev-server';
import { installTemporalRuntime } from '../src/temporal/runtime-logging';
import { ensureSearchAttributes } from '../src/temporal/search-attributes';
import { TemporalCallbackScheduler } from '../src/temporal/temporal-callback-scheduler';
import { createWorker } from '../src/worker';

/** Things to stop on the way out, most recent first. */
class Stack {
  private readonly steps: { name: string; stop: () => Promise<void> }[] = [];

  push(name: string, stop: () => Promise<void>): void {
    this.steps.unshift({ name, stop });
  }

  async stopAll(logger: Logger): Promise<void> {
    for (const step of this.steps.splice(0)) {
      await step.stop().catch((err: unknown) => logger.error(`could not stop ${step.name}`, { error: err }));
    }
  }
}

/** API keys from API_KEYS; outside production a fresh admin key is generated when none is set. */
function apiKeys(config: Config): { keys: ApiKey[]; generated?: string } {
  if (config.API_KEYS.length > 0) return { keys: config.API_KEYS };
  if (config.NODE_ENV === 'production') throw new Error('API_KEYS is not set: the service refuses to start without keys in production');
  const generated = randomBytes(24).toString('base64url');
  return { keys: [{ key: generated, role: 'admin' }], generated };
}

interface BannerLines {
  api: string;
  temporal: string;
  /** The dev server's Web UI, when npm start runs one. */
  temporalUi?: string;
  postgres: string;
  generatedKey?: string;
}

function banner(lines: BannerLines): string {
  return [
    '',
    'conversion-callbacks is running',
    `  Console    ${lines.api}/console   (open it in a browser; sign in with ${lines.generatedKey ? 'the API key below' : 'a key of API_KEYS'})`,
    `  API        ${lines.api}   (health: ${lines.api}/healthz)`,
    `  Temporal   ${lines.temporal}`,
    ...(lines.temporalUi ? [`  Web UI     ${lines.temporalUi}   (find a delivery with: ConversionId = "<conversion id>")`] : []),
    `  Postgres   ${lines.postgres}`,
    ...(lines.generatedKey
      ? ['', `  API key (generated for this run, shown once; sign in to the console with it; set API_KEYS to choose your own):`, `    ${lines.generatedKey}`]
      : []),
    '',
    '  Try:',
    `    curl -H 'Authorization: Bearer ${lines.generatedKey ?? '<your API key>'}' ${lines.api}/v1/callbacks`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

/** Adds what the user can do about a failure to its message, when `hint` knows (e.g. a port in use). */
async function withHint<T>(work: Promise<T>, hint: (err: unknown) => string | undefined): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const advice = hint(err);
    const message = err instanceof Error ? err.message : String(err);
    throw advice ? new Error(`${message}\n${advice}`, { cause: err }) : err;
  }
}

/** `advice` for a server that could not start because its port is taken (it says so in its own words). */
function whenPortTaken(advice: string) {
  return (err: unknown): string | undefined => (/address already in use/i.test(String(err)) ? advice : undefined);
}

/** Why the API could not listen on HOST:PORT, in terms of the variable to change. */
function listenHint(config: Config) {
  return (err: unknown): string | undefined => {
    switch ((err as NodeJS.ErrnoException).code) {
      case 'EADDRINUSE':
        return `Port ${config.PORT} is in use (another npm start?): stop that process, or set PORT to a free port.`;
      case 'EACCES':
        return `Port ${config.PORT} needs privileges on this machine: set PORT to 1024 or above.`;
      case 'EADDRNOTAVAIL':
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `HOST=${config.HOST} is not an address of this machine: set HOST to one (127.0.0.1, or 0.0.0.0 for every interface).`;
      default:
        return undefined;
    }
  };
}

/** Binds HOST on a free port and lets go: a HOST that is not this machine's fails here, before anything starts. */
function checkHost(host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => probe.close(() => resolve()));
  });
}

/** "postgres://user:secret@host:port/db" → "host:port/db": never print a password. */
function describeDatabase(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const { keys, generated } = apiKeys(config);
  const logger = createLogger({ level: config.LOG_LEVEL });
  // Our own signal handler stops the API before the worker; the Temporal runtime must not act on signals itself.
  installTemporalRuntime(logger, { level: config.LOG_LEVEL, shutdownSignals: [] });
  await withHint(checkHost(config.HOST), listenHint(config));
  const stack = new Stack();
  const fail = onShutdownSignal(logger, () => stack.stopAll(logger));

  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const postgres = await withHint(
        startEmbeddedPostgres({
          dataDir: config.EMBEDDED_POSTGRES_DIR,
          port: config.EMBEDDED_POSTGRES_PORT,
          log: (line) => logger.debug(line, { component: 'postgres' }),
          // Nothing works without it: stop the rest in order and exit non-zero, saying why.
          onUnexpectedExit: (reason) => {
            logger.error(reason, { component: 'postgres' });
            fail('embedded Postgres stopped');
          },
        }),
        whenPortTaken('Set EMBEDDED_POSTGRES_PORT to a free port, or DATABASE_URL to use a running Postgres.'),
      );
      stack.push('embedded Postgres', () => postgres.stop());
      databaseUrl = postgres.url;
    }

    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUi: string | undefined;
    if (!temporalAddress) {
      const devServer = await withHint(
        startDevServer({
          port: config.EMBEDDED_TEMPORAL_PORT,
          uiPort: config.EMBEDDED_TEMPORAL_UI_PORT,
          dbFile: config.EMBEDDED_TEMPORAL_DB,
          namespace: config.TEMPORAL_NAMESPACE,
          logger,
        }),
        whenPortTaken('Set EMBEDDED_TEMPORAL_PORT and EMBEDDED_TEMPORAL_UI_PORT to free ports, or TEMPORAL_ADDRESS to use a running Temporal.'),
      );
      stack.push('Temporal dev server', () => devServer.stop());
      temporalAddress = devServer.address;
      temporalUi = devServer.uiUrl;
    }

    // One pool each: under load, the worker's attempts, the API's requests and the dispatcher must not starve each
    // other (an attempt whose outcome cannot be written in time would be sent again; a burst must not stall dispatch).
    const workerPool = createPool(databaseUrl, logger, WORKER_POOL);
    stack.push('worker Postgres pool', () => workerPool.end());
    const apiPool = createPool(databaseUrl, logger, API_POOL);
    stack.push('API Postgres pool', () => apiPool.end());
    const dispatchPool = createPool(databaseUrl, logger, DISPATCH_POOL);
    stack.push('dispatcher Postgres pool', () => dispatchPool.end());
    const applied = await migrate(apiPool);
    if (applied.length > 0) logger.info('migrations applied', { versions: applied });

    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    stack.push('worker connection', () => workerConnection.close());
    const worker = await createWorker({ connection: workerConnection, config, pool: workerPool, logger });
    const running = worker.run();
    stack.push('worker', async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    running.catch((err: unknown) => {
      logger.error('worker stopped unexpectedly', { error: err });
      fail('worker stopped');
    });

    const client = await connectClient({ ...config, TEMPORAL_ADDRESS: temporalAddress });
    stack.push('Temporal client', () => client.connection.close());
    await ensureSearchAttributes(client.connection, config.TEMPORAL_NAMESPACE);
    const scheduler = new TemporalCallbackScheduler(client, config);
    const api = await withHint(
      // The console links each conversion to the dev server's Web UI, unless TEMPORAL_UI_URL names another.
      startApiService(
        {
          pool: apiPool,
          scheduler,
          http: httpSenderFor(config),
          config: { ...config, API_KEYS: keys, TEMPORAL_UI_URL: config.TEMPORAL_UI_URL ?? temporalUi },
          logger,
        },
        { dispatchPool },
      ),
      listenHint(config),
    );
    stack.push('API', () => api.stop());

    console.log(
      banner({
        api: api.url,
        temporal: config.TEMPORAL_ADDRESS ? temporalAddress : `${temporalAddress} (dev server, data in ${config.EMBEDDED_TEMPORAL_DB})`,
        temporalUi,
        postgres: config.DATABASE_URL ? describeDatabase(databaseUrl) : `127.0.0.1:${config.EMBEDDED_POSTGRES_PORT} (embedded, data in ${config.EMBEDDED_POSTGRES_DIR})`,
        generatedKey: generated,
      }),
    );
  } catch (err) {
    await stack.stopAll(logger);
    throw err;
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
