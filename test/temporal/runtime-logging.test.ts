import { ApplicationFailure } from '@temporalio/common';
import { createTemporalLogger, temporalRuntimeOptions } from '../../src/temporal/runtime-logging';
import { collectLogs } from '../support/collect-logs';

/**
 * The adapter between the Temporal SDK's Logger and ours, fed what the SDK and core actually pass it (the metadata
 * below is copied from SDK 1.24's activity lines and from forwarded core entries). A real worker writing through
 * it is in worker-logs.test.ts.
 */

const TASK_TOKEN = 'AAdkZWZhdWx0AAJ3MQAkYzY0NzUxMTYtNzY4OC00MzhmLThmM2ItM2I1MDdlODQ3NDAwAAAAAAAAAAUAAAAB';

/** What the SDK attaches to an activity's lines (activityLogAttributes), the symbol-keyed timestamp included. */
const activityMeta = {
  sdkComponent: 'worker',
  taskQueue: 'conversion-callbacks',
  isLocal: false,
  attempt: 2,
  namespace: 'default',
  taskToken: TASK_TOKEN,
  activityId: '1',
  activityType: 'deliverCallback',
  workflowId: 'conversion-callback/conv-1',
  workflowRunId: 'run-1',
  workflowType: 'conversionCallbackWorkflow',
  [Symbol('LogTimestamp')]: 1_700_000_000_000_000_000n,
};

function adapter(level: Parameters<typeof collectLogs>[0] = 'debug') {
  const logs = collectLogs(level);
  return { ...logs, temporal: createTemporalLogger(logs.logger) };
}

describe('the Temporal logger adapter', () => {
  it('writes an expected activity failure as one line: type and message, no stack, details or task token', () => {
    const { temporal, lines, records } = adapter();
    const error = ApplicationFailure.create({
      type: 'CallbackHttpStatus',
      message: 'attempt 2: publisher answered HTTP 503',
      details: [[{ attempt: 1, responseSnippet: 'down' }]],
    });
    temporal.warn('Activity failed', { ...activityMeta, error, durationMs: 12 });

    expect(lines).toHaveLength(1);
    expect(lines[0].line).not.toMatch(/stack|responseSnippet|taskToken|AAdk/);
    expect(records()[0]).toEqual({
      time: '2026-01-01T00:00:00.000Z',
      level: 'warn',
      msg: 'Activity failed',
      sdkComponent: 'worker',
      taskQueue: 'conversion-callbacks',
      isLocal: false,
      attempt: 2,
      namespace: 'default',
      activityId: '1',
      activityType: 'deliverCallback',
      workflowId: 'conversion-callback/conv-1',
      workflowRunId: 'run-1',
      workflowType: 'conversionCallbackWorkflow',
      error: { type: 'CallbackHttpStatus', message: 'attempt 2: publisher answered HTTP 503', nonRetryable: false },
      durationMs: 12,
    });
  });

  it('keeps the stack of an unexpected error, in one JSON field of one line', () => {
    const { temporal, lines, records } = adapter();
    temporal.warn('Activity failed', { ...activityMeta, error: new TypeError('cannot read properties of undefined') });
    expect(lines).toHaveLength(1);
    expect(records()[0].error).toEqual({
      name: 'TypeError',
      message: 'cannot read properties of undefined',
      stack: expect.stringContaining('TypeError: cannot read properties of undefined'),
    });
    expect(lines[0].line).not.toContain(TASK_TOKEN);
  });

  it('keeps the target, span contexts and fields of a forwarded core entry, and drops task tokens from its text', () => {
    const { temporal, records, lines } = adapter();
    temporal.log('DEBUG', 'New WFT', {
      sdkComponent: 'core',
      target: 'temporalio_sdk_core::worker::workflow::workflow_stream',
      spanContexts: ['poll_workflow_task'],
      runId: 'run-1',
      task_token: TASK_TOKEN,
      action: `NewWft(PermittedWft(PreparedWFT { task_token: TaskToken(${TASK_TOKEN}), attempt: 1 }))`,
    });
    expect(lines[0].line).not.toContain(TASK_TOKEN);
    expect(records()[0]).toMatchObject({
      level: 'debug',
      msg: 'New WFT',
      sdkComponent: 'core',
      target: 'temporalio_sdk_core::worker::workflow::workflow_stream',
      spanContexts: ['poll_workflow_task'],
      runId: 'run-1',
      action: 'NewWft(PermittedWft(PreparedWFT { task_token: TaskToken([redacted]), attempt: 1 }))',
    });
  });

  it('maps TRACE to debug and honours the logger level', () => {
    const { temporal, records } = adapter('info');
    temporal.trace('Activity resolved', activityMeta);
    temporal.debug('Activity started', activityMeta);
    temporal.info('Worker state changed', { state: 'RUNNING' });
    temporal.error('Worker failed', {});
    expect(records().map((r) => [r.level, r.msg])).toEqual([
      ['info', 'Worker state changed'],
      ['error', 'Worker failed'],
    ]);
    const { temporal: verbose, records: all } = adapter('debug');
    verbose.trace('Activity resolved', activityMeta);
    expect(all()).toMatchObject([{ level: 'debug', msg: 'Activity resolved' }]);
  });

  it('turns a multi-line SDK message (webpack output) into one line', () => {
    const { temporal, lines, records } = adapter();
    temporal.info('asset workflow-bundle.js 1.56 MiB\nruntime modules 883 bytes\nwebpack compiled successfully', {});
    expect(lines).toHaveLength(1);
    expect(records()[0].msg).toContain('webpack compiled successfully');
  });
});

describe('the Temporal runtime options', () => {
  it.each([
    ['debug', 'DEBUG', 'WARN'],
    ['info', 'INFO', 'WARN'],
    ['warn', 'WARN', 'WARN'],
    ['error', 'ERROR', 'ERROR'],
  ] as const)('forward core logs to our logger at LOG_LEVEL=%s (core %s, other crates %s)', (level, core, other) => {
    const options = temporalRuntimeOptions(collectLogs().logger, { level });
    expect(options.telemetryOptions?.logging).toEqual({ filter: { core, other }, forward: {} });
    expect(options.logger).toBeDefined();
    expect(options).not.toHaveProperty('shutdownSignals');
  });

  it('passes the shutdown signals through (npm start handles signals itself)', () => {
    expect(temporalRuntimeOptions(collectLogs().logger, { level: 'info', shutdownSignals: [] }).shutdownSignals).toEqual([]);
  });

  it('tags the lines it writes as Temporal', () => {
    const { logger, records } = collectLogs();
    temporalRuntimeOptions(logger, { level: 'info' }).logger?.info('Worker state changed', { state: 'RUNNING' });
    expect(records()[0]).toMatchObject({ component: 'temporal', msg: 'Worker state changed', state: 'RUNNING' });
  });
});
