import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';
import type { Config } from '../../src/config';
import { createLogger, silentLogger } from '../../src/logger';
import { installTemporalRuntime } from '../../src/temporal/runtime-logging';
import { requireBinary, TEMPORAL_TEST_SERVER } from '../../src/temporal/binaries';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes';
import { TemporalCallbackScheduler } from '../../src/temporal/temporal-callback-scheduler';
import { createWorker } from '../../src/worker';
import { testConfig } from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/postgres';


/** One time-skipping environment, one database and one workflow bundle per test file. */
export interface Harness {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  bundle: WorkflowBundle;
}

/** Temporal's official time-skipping test server, with the delivery search attributes registered. */
async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const path = requireBinary(TEMPORAL_TEST_SERVER);
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  try {
    await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

export async function createHarness(): Promise<Harness> {
  // The tests provoke activity failures on purpose: the SDK's and core's warnings would drown the test output.
  // Errors only, as JSON lines like the service's.
  installTemporalRuntime(createLogger({ level: 'error' }), { level: 'error' });
  const [env, db, bundle] = await Promise.allSettled([
    timeSkippingEnvironment(),
    createTestDatabase(),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('ERROR') }),
  ]);
  if (env.status === 'fulfilled' && db.status === 'fulfilled' && bundle.status === 'fulfilled') {
    return { env: env.value, db: db.value, bundle: bundle.value };
  }
  // One part failed: stop the others (the server is a child process) before failing.
  if (env.status === 'fulfilled') await env.value.teardown();
  if (db.status === 'fulfilled') await db.value.drop();
  throw [env, db, bundle].find((part): part is PromiseRejectedResult => part.status === 'rejected')?.reason;
}

export async function closeHarness(harness: Harness | undefined): Promise<void> {
  try {
    await harness?.env.teardown();
  } finally {
    await harness?.db.drop();
  }
}

/** A worker on a task queue of its own, with the real activities, and the scheduler the API would use. */
export async function startService(harness: Harness, env: Record<string, string> = {}) {
  const config: Config = testConfig({ TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`, RESEND_WINDOW: '1h', ...env });
  const worker = await createWorker({
    connection: harness.env.nativeConnection,
    config,
    pool: harness.db.pool,
    logger: silentLogger,
    workflowBundle: harness.bundle,
  });
  return { config, worker, scheduler: new TemporalCallbackScheduler(harness.env.client, config) };
}

