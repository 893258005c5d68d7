import { MAX_BATCH_SIZE } from '../../src/api/routes/conversions';
import { API_POOL } from '../../src/db/pool';

/** What `npm run bench` measures, and how. */
export interface BenchSettings {
  /** Conversions of one intake burst, and INSERTs of its baseline (`--burst N`). */
  intakeBurst: number;
  /** Conversions per request of the batch route's burst (its maximum, or the whole burst when smaller). */
  batchSize: number;
  /** Batch requests in flight at once: a platform replaying a backlog sends a few large requests, not many. */
  batchConcurrency: number;
  /** Conversions of one delivery burst, and bare workflows of its baseline (`--delivery-burst N`). */
  deliveryBurst: number;
  /** Requests (or workflow starts, or INSERTs) in flight at once during a burst. */
  concurrency: number;
  /** Repetitions of every measurement but memory (`--runs N`, at least 3). */
  runs: number;
  /** Conversions per second of the steady-rate measurement (`--rate N`), and for how many seconds. */
  steadyRate: number;
  steadySeconds: number;
  /** Conversions, bare workflows and INSERTs before a phase's first run, not counted (JIT, connections, caches). */
  warmup: number;
  /** Callbacks parked behind a 503 for the memory figure (`--parked N`). */
  parked: number;
  /** Connections of the baseline's pg pool: the API's. */
  poolSize: number;
  /**
   * Where Temporal's dev server keeps its workflows: in memory (as in the end-to-end tests), or in a SQLite file as
   * `npm start` does (`--temporal-file`; about half the throughput on a 2-core machine, see README).
   */
  temporalState: 'memory' | 'file';
}

function wholeNumberFlag(argv: readonly string[], flag: string, fallback: number, minimum: number): number {
  const index = argv.indexOf(flag);
  if (index < 0) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${flag} takes a whole number of at least ${minimum}`);
  return value;
}

export function benchSettings(argv: readonly string[]): BenchSettings {
  const intakeBurst = wholeNumberFlag(argv, '--burst', 10_000, 1);
  return {
    intakeBurst,
    batchSize: Math.min(MAX_BATCH_SIZE, intakeBurst),
    batchConcurrency: 2,
    deliveryBurst: wholeNumberFlag(argv, '--delivery-burst', 500, 1),
    concurrency: 32,
    runs: wholeNumberFlag(argv, '--runs', 3, 3),
    steadyRate: wholeNumberFlag(argv, '--rate', 50, 1),
    steadySeconds: 10,
    warmup: 100,
    parked: wholeNumberFlag(argv, '--parked', 10_000, 4),
    poolSize: API_POOL.max ?? 10,
    temporalState: argv.includes('--temporal-file') ? 'file' : 'memory',
  };
}
