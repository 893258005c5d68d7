import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { Express } from 'express';
import request from 'supertest';
import type { Config } from '../../src/config';
import { createLogger, silentLogger } from '../../src/logger';
import { installTemporalRuntime } from '../../src/temporal/runtime-logging';
import { connectClient } from '../../src/temporal/connection';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { TemporalCallbackScheduler } from '../../src/temporal/temporal-callback-scheduler';
import { createWorker } from '../../src/worker';
import { startDispatcher } from '../../src/api/dispatcher';
import { AUTH, testApp, testConfig } from './api';
import { freePort } from './ports';
import { createTestDatabase, type TestDatabase } from './postgres';

/**
 * The whole service as `npm start` runs it, in real time: the official Temporal dev server, the real worker and
 * activities, the real scheduler and the API on Postgres. For the end-to-end tests (test/api) and the Web UI's
 * browser test (test/ui).
 */

/** One Temporal server with the worker and the API on it; `stop` shuts them down in the launcher's order. */
export interface Stack {
  app: Express;
  scheduler: TemporalCallbackScheduler;
  client: Client;
  devServer: DevServer;
  stop(): Promise<void>;
}

export interface StackTemporalOptions {
  /** gRPC port of the dev server (a free one by default). */
  port?: number;
  /** Where the dev server keeps its state (a SQLite file, kept across restarts); in memory by default. */
  dbFile?: string;
  /** Runs the dev server's Web UI on a free port; its address is then `devServer.uiUrl`. */
  ui?: boolean;
  /**
   * Runs the outbox dispatcher, as the API service does (default). Without it the test starts workflows itself
   * (dispatchOutbox), e.g. with a scheduler of another configuration.
   */
  dispatcher?: boolean;
}

/** Production configuration with retries shortened to one second, private targets allowed and a task queue of its own. */
export function e2eConfig(env: Record<string, string> = {}): Config {
  return testConfig({
    ALLOW_PRIVATE_TARGETS: 'true',
    CALLBACK_TIMEOUT: '2s',
    RETRY_INITIAL_INTERVAL: '1s',
    RETRY_MAX_ATTEMPTS: '3',
    RESEND_WINDOW: '1h',
    TEMPORAL_TASK_QUEUE: `e2e-${randomUUID()}`,
    ...env,
  });
}

/** Once per test file: a quiet Temporal runtime for the worker, and the workflows bundled for it. */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  // Worker lifecycle lines at INFO, and a WARN line for each activity failure the tests provoke, would drown the
  // test output: errors only, as JSON lines like the service's.
  installTemporalRuntime(createLogger({ level: 'error' }), { level: 'error' });
  return bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
}

export async function startStack(db: TestDatabase, bundle: WorkflowBundle, config: Config, temporal: StackTemporalOptions = {}): Promise<Stack> {
  const devServer = await startDevServer({
    port: temporal.port ?? (await freePort()),
    ...(temporal.ui ? { uiPort: await freePort() } : {}),
    ...(temporal.dbFile ? { dbFile: temporal.dbFile } : {}),
    namespace: config.TEMPORAL_NAMESPACE,
    logger: silentLogger,
  });
  // What started before a failure is stopped, so a failed set-up leaves no server or worker behind.
  let connection: NativeConnection | undefined;
  let running: Promise<void> | undefined;
  let worker: Awaited<ReturnType<typeof createWorker>> | undefined;
  let client: Client;
  try {
    connection = await NativeConnection.connect({ address: devServer.address });
    worker = await createWorker({ connection, config, pool: db.pool, logger: silentLogger, workflowBundle: bundle });
    running = worker.run();
    client = await connectClient({ ...config, TEMPORAL_ADDRESS: devServer.address });
  } catch (err) {
    if (running) {
      worker?.shutdown();
      await running.catch(() => undefined);
    }
    await connection?.close();
    await devServer.stop();
    throw err;
  }
  const scheduler = new TemporalCallbackScheduler(client, config);
  const dispatcher = temporal.dispatcher === false ? undefined : startDispatcher({ pool: db.pool, scheduler, logger: silentLogger });
  return {
    devServer,
    scheduler,
    client,
    app: testApp(db, scheduler, config, dispatcher),
    // Each part is stopped even when the one before fails to, so no server outlives a failed shutdown.
    stop: async () => {
      try {
        await dispatcher?.stop();
        worker?.shutdown();
        await running;
      } finally {
        try {
          await client.connection.close();
          await connection?.close();
        } finally {
          await devServer.stop();
        }
      }
    },
  };
}

/** Registers a new publisher whose callbacks go to `receiverUrl` (a test receiver); returns its id. */
export async function registerPublisher(app: Express, receiverUrl: string): Promise<string> {
  const publisherId = `pub-${randomUUID()}`;
  await request(app)
    .put(`/v1/publishers/${publisherId}`)
    .set(AUTH)
    .send({ callbackUrl: `${receiverUrl}/postback?click={click_id}&payout={payout}`, signingSecret: 'a-signing-secret-for-tests' })
    .expect(201);
  return publisherId;
}

/** What useStack gives a test file: its database, its workflow bundle (for stacks of its own) and the stack on them. */
export interface FileStack {
  readonly db: TestDatabase;
  readonly bundle: WorkflowBundle;
  readonly stack: Stack;
}

/**
 * Call in a test file's top scope or a describe: a fresh database and a stack on it (e2eConfig unless `config`
 * says otherwise), started before the tests and stopped, the database dropped, after them.
 */
export function useStack(config: () => Config = () => e2eConfig()): FileStack {
  let db: TestDatabase | undefined;
  let started: FileStack | undefined;
  beforeAll(async () => {
    const [database, bundle] = await Promise.all([createTestDatabase(), bundleWorkflows()]);
    db = database;
    started = { db: database, bundle, stack: await startStack(database, bundle, config()) };
  }, 120_000);
  afterAll(async () => {
    await started?.stack.stop();
    await db?.drop();
  });
  const current = (): FileStack => {
    if (!started) throw new Error('useStack: the stack exists only once beforeAll has run');
    return started;
  };
  return {
    get db() {
      return current().db;
    },
    get bundle() {
      return current().bundle;
    },
    get stack() {
      return current().stack;
    },
  };
}
