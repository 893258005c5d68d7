/**
 * A JSON-lines logger with levels and secret redaction. One line per event on stdout (stderr for warn/error) so
 * that log collectors can parse it; no dependency.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines all carry `fields` (e.g. the component name). */
  child(fields: Record<string, unknown>): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys whose values are secrets wherever they appear in a log record. */
const SECRET_KEY = /secret|authori[sz]ation|password|passwd|token|api[-_]?key|signing|header[-_]?value|cookie/i;

/** True for a key (a log field, a header, a query parameter) whose value is a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_KEY.test(name);
}

export const REDACTED = '[redacted]';
const MAX_DEPTH = 6;

/** Returns a copy of `value` with every secret-named key's value replaced; errors become plain objects. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  // JSON.stringify throws on a bigint (the Temporal SDK's log metadata can carry some): a log call must never throw.
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = isSecretName(key) ? REDACTED : redact(inner, depth + 1);
    }
    return out;
  }
  return value;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stdout/stderr. Tests pass a collector. */
  write?: (line: string, level: LogLevel) => void;
  now?: () => Date;
}

function defaultWrite(line: string, level: LogLevel): void {
  (LEVELS[level] >= LEVELS.warn ? process.stderr : process.stdout).write(`${line}\n`);
}

export function createLogger(options: LoggerOptions = {}, bound: Record<string, unknown> = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? defaultWrite;
  const now = options.now ?? (() => new Date());

  const log = (level: LogLevel, message: string, fields: Record<string, unknown> = {}): void => {
    if (LEVELS[level] < threshold) return;
    const head = { time: now().toISOString(), level, msg: message };
    // Fields come from anywhere (the Temporal SDK's included): one named `level` must not change the line's level.
    const record = { ...head, ...(redact({ ...bound, ...fields }) as object), ...head };
    write(JSON.stringify(record), level);
  };

  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** A logger that drops everything: for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ write: () => undefined });
