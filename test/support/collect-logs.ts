import { createLogger, type Logger, type LogLevel } from '../../src/logger';

export interface CollectedLogs {
  logger: Logger;
  /** Every line written, as written, with its level. */
  lines: { line: string; level: LogLevel }[];
  /** Every line parsed. */
  records: () => Record<string, unknown>[];
}

/** The service's logger at `level`, writing into an array instead of stdout, with a fixed clock. */
export function collectLogs(level?: LogLevel): CollectedLogs {
  const lines: CollectedLogs['lines'] = [];
  const logger = createLogger({ level, write: (line, lvl) => lines.push({ line, level: lvl }), now: () => new Date('2026-01-01T00:00:00Z') });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l.line) as Record<string, unknown>) };
}
