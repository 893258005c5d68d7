/**
 * Routes the Temporal SDK's logs and Temporal core's (Rust) logs through the service's logger, so that every line
 * the process writes is one JSON object and LOG_LEVEL applies to them too. Without this, the SDK prints its own
 * multi-line text (a stack trace and the task token for every retried attempt) and core prints coloured text.
 */
import { ApplicationFailure, type LogLevel as TemporalLogLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/common';
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Logger, LogLevel } from '../logger';

/** The SDK's TRACE is finer than anything we log: it counts as debug. */
const SERVICE_LEVEL: Record<TemporalLogLevel, LogLevel> = { TRACE: 'debug', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
const CORE_LEVEL: Record<LogLevel, TemporalLogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };

/**
 * A task token lets whoever holds it complete or fail the task: it is a credential. The SDK puts it in a field of
 * most activity lines, and core's debug lines print it inside Rust debug text (`task_token: TaskToken(AAdk...)`).
 */
const TASK_TOKEN_KEY = /^task[-_]?token$/i;
const TASK_TOKEN_TEXT = /TaskToken\([^)]*\)/g;

function withoutTaskTokens(text: string): string {
  return text.replace(TASK_TOKEN_TEXT, 'TaskToken([redacted])');
}

/**
 * An ApplicationFailure is thrown on purpose (a publisher answered 503, a connection was refused, ...): its type and
 * message say everything, while its stack and its details (the whole attempt log) would turn each expected retry
 * into a dump. Any other error is unexpected and keeps its stack (the logger writes it as one JSON field).
 */
function describeValue(value: unknown): unknown {
  if (value instanceof ApplicationFailure) {
    return { type: value.type ?? null, message: value.message, nonRetryable: value.nonRetryable };
  }
  return typeof value === 'string' ? withoutTaskTokens(value) : value;
}

/**
 * The fields of one SDK or core log entry as our logger writes them. Core entries keep their `target` and
 * `spanContexts` and their own fields; the SDK's symbol-keyed timestamp is left out (the logger stamps the line).
 */
export function temporalLogFields(meta: LogMetadata = {}): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta) as [string, unknown][]) {
    if (!TASK_TOKEN_KEY.test(key)) fields[key] = describeValue(value);
  }
  return fields;
}

/** The SDK's Logger interface on top of ours. */
export function createTemporalLogger(logger: Logger): TemporalLogger {
  const log = (level: TemporalLogLevel, message: string, meta?: LogMetadata): void => {
    logger[SERVICE_LEVEL[level]](withoutTaskTokens(message), temporalLogFields(meta));
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

export interface TemporalRuntimeOptions {
  level: LogLevel;
  /** Signals on which the runtime shuts its workers down; `[]` when the process handles signals itself. */
  shutdownSignals?: NodeJS.Signals[];
}

export function temporalRuntimeOptions(logger: Logger, options: TemporalRuntimeOptions): RuntimeOptions {
  return {
    logger: createTemporalLogger(logger.child({ component: 'temporal' })),
    ...(options.shutdownSignals ? { shutdownSignals: options.shutdownSignals } : {}),
    telemetryOptions: {
      logging: {
        // Core drops what is below LOG_LEVEL before it crosses into JavaScript. Its third-party crates (gRPC,
        // HTTP/2) are verbose below WARN and say nothing an operator can act on.
        filter: { core: CORE_LEVEL[options.level], other: options.level === 'error' ? 'ERROR' : 'WARN' },
        // Core's logs go to the runtime's logger (above) instead of being printed by core itself.
        forward: {},
      },
    },
  };
}

/**
 * Installs the process's Temporal runtime with our logging. Call it once, before the first connection or worker:
 * the SDK creates a default runtime (with its own text logging) on first use, and a runtime cannot be replaced.
 */
export function installTemporalRuntime(logger: Logger, options: TemporalRuntimeOptions): Runtime {
  return Runtime.install(temporalRuntimeOptions(logger, options));
}
