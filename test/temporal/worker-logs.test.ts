import { randomUUID } from 'node:crypto';
import type { DevServer } from '../../src/temporal/dev-server';
import { connectClient } from '../../src/temporal/connection';
import { TemporalCallbackScheduler } from '../../src/temporal/temporal-callback-scheduler';
import { eventually } from '../support/eventually';
import { callbackRow, insertConversion, testConfig } from '../support/fixtures';
import { useTestDatabase } from '../support/postgres';
import { useReceivers } from '../support/receiver';
import { runScript, whileRunning, type ScriptProcess } from '../support/scripts';
import { startTestDevServer } from '../support/temporal';

/**
 * `npm run worker` (src/worker.ts) as production runs it, in a process of its own (a Temporal runtime is installed
 * once per process), on the official dev server: every line it writes, the Temporal SDK's and core's included,
 * must be one JSON object at LOG_LEVEL or above, and an expected retry one line without a stack or a task token.
 */

const db = useTestDatabase();
const receiver = useReceivers();
let devServer: DevServer | undefined;

beforeAll(async () => {
  devServer = await startTestDevServer();
}, 60_000);
afterAll(async () => {
  await devServer?.stop();
});

interface LogRecord {
  [key: string]: unknown;
  level: string;
  msg: string;
}

/** Runs the worker with `LOG_LEVEL=logLevel` until a callback whose first attempt gets a 503 is sent; its lines. */
async function workerLinesThroughOneRetry(logLevel: string): Promise<string[]> {
  if (!devServer) throw new Error('no dev server');
  const publisher = await receiver([{ status: 503, body: 'down for maintenance' }, { status: 200 }]);
  const { conversionId, publisherId } = await insertConversion(db.pool, { callbackUrl: publisher.url });
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_TASK_QUEUE: `logs-${randomUUID()}`,
    LOG_LEVEL: logLevel,
    ALLOW_PRIVATE_TARGETS: 'true',
    RETRY_INITIAL_INTERVAL: '1s',
    NODE_ENV: 'development',
  };
  const config = testConfig(env);
  const client = await connectClient({ ...config, TEMPORAL_ADDRESS: devServer.address });
  let worker: ScriptProcess | undefined;
  try {
    // Started before the worker: its first task waits on the queue, and no start-up line is needed to sync on.
    await new TemporalCallbackScheduler(client, config).startDelivery({ conversionId, publisherId });
    worker = runScript('src/worker.ts', env);
    await eventually(
      whileRunning(worker, 'the worker', async () => ((await callbackRow(db.pool, conversionId)).status === 'sent' ? true : undefined)),
      60_000,
      'the callback to be sent after one retry',
    );
  } finally {
    // SIGTERM: the Temporal runtime shuts the worker down gracefully and main() closes what it opened.
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    await client.connection.close();
  }
  expect(publisher.requests).toHaveLength(2);
  return worker.output().split('\n').filter((line) => line.length > 0);
}

function parseAll(lines: string[]): LogRecord[] {
  return lines.map((line) => {
    try {
      return JSON.parse(line) as LogRecord;
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
  });
}

/** Lines with a task token, or a field for one even redacted: a log line has nothing to gain from one. */
function withTaskToken(lines: string[]): string[] {
  return lines.filter((line) => /taskToken|task_token"|TaskToken\((?!\[redacted\])/.test(line));
}

describe('the worker process logs', () => {
  it('writes only JSON lines, the SDK and core ones included, and one line per expected retry', async () => {
    const lines = await workerLinesThroughOneRetry('info');
    const records = parseAll(lines);

    // LOG_LEVEL=info: the SDK's DEBUG and TRACE lines (one per activity start, completion, ...) are not written.
    expect(records.filter((r) => !['info', 'warn', 'error'].includes(r.level))).toEqual([]);
    // Core's logs are forwarded, with their target, instead of being printed as text.
    expect(records).toContainEqual(expect.objectContaining({ sdkComponent: 'core', target: expect.stringContaining('temporalio_sdk_core') }));
    expect(records).toContainEqual(expect.objectContaining({ component: 'temporal', sdkComponent: 'worker', msg: 'Worker state changed' }));

    const failures = lines.filter((line) => line.includes('Activity failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).not.toMatch(/stack|responseSnippet|down for maintenance/);
    expect(JSON.parse(failures[0])).toMatchObject({
      level: 'warn',
      attempt: 1,
      activityType: 'deliverCallback',
      workflowId: expect.stringMatching(/^conversion-callback\//),
      error: { type: 'CallbackHttpStatus', message: 'attempt 1: publisher answered HTTP 503', nonRetryable: false },
    });
    expect(withTaskToken(lines)).toEqual([]);
  }, 120_000);

  it('writes no task token at LOG_LEVEL=debug either, where the SDK and core mention one on most lines', async () => {
    const lines = await workerLinesThroughOneRetry('debug');
    const records = parseAll(lines);
    expect(records).toContainEqual(expect.objectContaining({ level: 'debug', sdkComponent: 'core' }));
    expect(records).toContainEqual(expect.objectContaining({ level: 'debug', sdkComponent: 'worker', msg: 'Activity started' }));
    // Core's debug text embeds task tokens: they are cut out of it.
    expect(lines.some((line) => line.includes('TaskToken([redacted])'))).toBe(true);
    expect(withTaskToken(lines)).toEqual([]);
  }, 120_000);

  it('honours LOG_LEVEL=warn for the SDK and core too', async () => {
    const records = parseAll(await workerLinesThroughOneRetry('warn'));
    expect(records.filter((r) => r.level !== 'warn' && r.level !== 'error')).toEqual([]);
    expect(records.filter((r) => r.msg === 'Activity failed')).toHaveLength(1);
  }, 120_000);
});
