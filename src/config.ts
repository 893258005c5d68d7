import { isIP } from 'node:net';
import { z } from 'zod';
import { parseApiKeys } from './api/api-keys';

/** Parses a duration such as "2m", "90s", "30d", "1500ms" or a bare number of milliseconds. */
export function parseDurationMs(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration (use e.g. 1500ms, 90s, 2m, 4h, 30d)`);
  const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 'ms') as 'ms'];
  return Math.round(Number(match[1]) * unitMs);
}

const duration = z.string().transform((text, ctx) => {
  try {
    return parseDurationMs(text);
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message, fatal: true });
    return z.NEVER;
  }
});

/** A duration of at least `minMs`: a zero retry interval, timeout or resend window is a typo, not a setting. */
const durationOfAtLeast = (minMs: number, why: string) => duration.refine((ms) => ms >= minMs, `must be at least ${minMs} ms (${why})`);

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const statusCodeList = z.string().transform((text, ctx) => {
  const codes = text.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (codes.length === 0 || codes.some((c) => !Number.isInteger(c) || c < 100 || c > 599)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a comma-separated list of HTTP status codes' });
    return z.NEVER;
  }
  return codes;
});

const ipList = z.string().transform((text, ctx) => {
  const ips = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = ips.findIndex((ip) => isIP(ip) === 0);
  if (bad >= 0) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `entry ${bad + 1} is not an IPv4 or IPv6 address (a comma-separated list of IPs)` });
    return z.NEVER;
  }
  return ips;
});

const httpUrl = z
  .string()
  .url()
  .refine((text) => /^https?:$/.test(new URL(text).protocol), 'must be an http(s) URL');

/** Every setting of the service, read once from the environment. Names are documented in README.md. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** `npm run worker` serves GET /metrics on this port (on HOST) when set; npm start serves them with the API. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DATABASE_URL: z.string().url().optional(),
  EMBEDDED_POSTGRES_DIR: z.string().min(1).default('.data/postgres'),
  /** Used by `npm start` only, when DATABASE_URL is unset. */
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(5433),
  /** Used by `npm start` only, when TEMPORAL_ADDRESS is unset. */
  EMBEDDED_TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  /** Used by `npm start` only, when TEMPORAL_ADDRESS is unset: the dev server's Web UI. */
  EMBEDDED_TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  /** Used by `npm start` only, when TEMPORAL_ADDRESS is unset: the dev server's SQLite file (its workflows). */
  EMBEDDED_TEMPORAL_DB: z.string().min(1).default('.data/temporal/dev-server.db'),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('conversion-callbacks'),
  /** Entries `key` or `key=role`; see api-keys.ts. */
  API_KEYS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return parseApiKeys(text ?? '');
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** The Temporal Web UI, linked from the console for admin and operator keys; `npm start` sets it to its dev server's. */
  TEMPORAL_UI_URL: httpUrl.optional(),
  /** The addresses callbacks leave from, shown to publishers so they can allow them in their firewall. */
  OUTBOUND_IPS: ipList.default(''),
  RETRY_INITIAL_INTERVAL: durationOfAtLeast(1, 'Temporal reads 0 as its own 1 s default').default('2m'),
  RETRY_BACKOFF_COEFFICIENT: z.coerce.number().min(1).default(2),
  RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(6),
  RETRYABLE_STATUS_CODES: statusCodeList.default('500,503'),
  CALLBACK_TIMEOUT: durationOfAtLeast(100, "the smallest publisher timeoutMs").default('10s'),
  RESEND_WINDOW: durationOfAtLeast(1, 'a Failed callback waits this long for a resend').default('30d'),
  ALLOW_PRIVATE_TARGETS: booleanFlag.default('false'),
  /** Kept-alive connections per publisher origin; 0 opens a new connection for every attempt. */
  CALLBACK_SOCKETS_PER_ORIGIN: z.coerce.number().int().min(0).max(1024).default(32),
  /** Delivery attempts one worker process runs at once (each holds a connection to a publisher while it waits). */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(200),
  /** Workflow tasks one worker process runs at once. */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(10_000).default(40),
  /**
   * Workflows a worker keeps in memory between their tasks. A parked callback (its activity waiting for the next
   * retry, which Temporal schedules without waking the workflow) that is evicted costs one replay of its short history
   * when its delivery cycle ends, instead of memory the whole time it waits. 250 measured: 5 KB of worker memory per
   * parked callback with 10,000 parked, against 29 KB with 1,000 cached (npm run bench, README).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(250),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

/** A configuration error names each bad variable; the entry points print it and exit. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Reads the configuration from `env`. A variable set to the empty string counts as unset (`DATABASE_URL=` in a
 * shell or a compose file means "none", not an invalid URL).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(set);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}
