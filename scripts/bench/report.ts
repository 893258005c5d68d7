/** The bench's output: the machine, the settings, and every figure run by run with its min/median/max. */
import os from 'node:os';
import type { BenchResults, RssSample, RunFigures } from './plan';
import type { BenchSettings } from './settings';
import { spread } from './stats';

/** '/s', 'ms', 'x' (a ratio), 'n' (a count), '%'. */
type Unit = '/s' | 'ms' | 'x' | 'n' | '%';

interface Row {
  label: string;
  unit: Unit;
  value: (run: RunFigures) => number;
}

/** 10,000 rather than 10000. */
const count = (value: number) => value.toLocaleString('en-US');

function sections(settings: BenchSettings): { title: string; rows: Row[] }[] {
  const { batchConcurrency, concurrency, steadyRate } = settings;
  const [intakeBurst, batchSize, deliveryBurst] = [settings.intakeBurst, settings.batchSize, settings.deliveryBurst].map(count);
  return [
    {
      title: `1. Intake: a burst of ${intakeBurst} POST /v1/conversions, ${concurrency} at a time`,
      rows: [
        { label: 'conversions', unit: '/s', value: (r) => r.single.perSecond },
        { label: 'latency p50', unit: 'ms', value: (r) => r.single.p50Ms },
        { label: 'latency p99', unit: 'ms', value: (r) => r.single.p99Ms },
        { label: 'errors (not answered 201)', unit: 'n', value: (r) => r.single.errors },
        { label: 'workflows started during the burst', unit: '%', value: (r) => r.single.startedPercent },
        { label: 'baseline: single-row INSERTs', unit: '/s', value: (r) => r.inserts.perSecond },
        { label: 'baseline: latency p50', unit: 'ms', value: (r) => r.inserts.p50Ms },
        { label: 'baseline: latency p99', unit: 'ms', value: (r) => r.inserts.p99Ms },
        { label: 'ratio: conversions/s ÷ INSERTs/s', unit: 'x', value: (r) => r.single.perSecond / r.inserts.perSecond },
        { label: 'ratio: p99 ÷ baseline p99', unit: 'x', value: (r) => r.single.p99Ms / r.inserts.p99Ms },
      ],
    },
    {
      title: `1b. Intake: the same burst in POST /v1/conversions/batch of ${batchSize}, ${batchConcurrency} at a time`,
      rows: [
        { label: 'conversions', unit: '/s', value: (r) => r.batches.perSecond },
        { label: 'request latency p50', unit: 'ms', value: (r) => r.batches.p50Ms },
        { label: 'request latency p99', unit: 'ms', value: (r) => r.batches.p99Ms },
        { label: 'errors (conversions not created)', unit: 'n', value: (r) => r.batches.errors },
        { label: 'workflows started during the burst', unit: '%', value: (r) => r.batches.startedPercent },
        { label: `baseline: rows in INSERTs of ${batchSize}`, unit: '/s', value: (r) => r.insertBatches.perSecond },
        { label: 'baseline: INSERT latency p99', unit: 'ms', value: (r) => r.insertBatches.p99Ms },
        { label: 'ratio: conversions/s ÷ rows/s', unit: 'x', value: (r) => r.batches.perSecond / r.insertBatches.perSecond },
      ],
    },
    {
      title: `2. Delivery: a burst of ${deliveryBurst} conversions, first POST to last callback received`,
      rows: [
        { label: 'callbacks', unit: '/s', value: (r) => r.deliveredPerSecond },
        { label: 'baseline: bare workflows, start to callback', unit: '/s', value: (r) => r.bareWorkflowsPerSecond },
        { label: 'ratio: callbacks/s ÷ workflows/s', unit: 'x', value: (r) => r.deliveredPerSecond / r.bareWorkflowsPerSecond },
      ],
    },
    {
      title: `3. POST to first attempt at ${steadyRate}/s (callback received − POST sent)`,
      rows: [
        { label: 'p50', unit: 'ms', value: (r) => r.steady.p50Ms },
        { label: 'p99', unit: 'ms', value: (r) => r.steady.p99Ms },
        { label: 'baseline: bare workflow start to callback, p50', unit: 'ms', value: (r) => r.bareSteady.p50Ms },
        { label: 'baseline: bare workflow start to callback, p99', unit: 'ms', value: (r) => r.bareSteady.p99Ms },
        { label: 'ratio: p50 ÷ baseline p50', unit: 'x', value: (r) => r.steady.p50Ms / r.bareSteady.p50Ms },
        { label: 'ratio: p99 ÷ baseline p99', unit: 'x', value: (r) => r.steady.p99Ms / r.bareSteady.p99Ms },
      ],
    },
    {
      title: `4. Two worker processes: the delivery burst of figure 2 again`,
      rows: [
        { label: 'callbacks, two workers', unit: '/s', value: (r) => r.twoWorkersPerSecond },
        { label: 'baseline: callbacks, one worker (figure 2)', unit: '/s', value: (r) => r.deliveredPerSecond },
        { label: 'ratio: two workers ÷ one', unit: 'x', value: (r) => r.twoWorkersPerSecond / r.deliveredPerSecond },
      ],
    },
  ];
}

const LABEL_WIDTH = 50;
const COLUMN_WIDTH = 9;

function format(value: number, unit: Unit): string {
  if (unit === 'x') return `${value >= 10 ? value.toFixed(1) : value >= 0.1 ? value.toFixed(2) : value.toPrecision(2)}x`;
  if (unit === 'n' || unit === '%') return value.toFixed(0);
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function line(label: string, cells: string[]): string {
  return label.padEnd(LABEL_WIDTH) + cells.map((cell) => cell.padStart(COLUMN_WIDTH)).join('');
}

const mb = (kb: number) => (kb / 1024).toFixed(0);

/** Figure 5: RSS as the callbacks park, and per parked callback from idle to the last sample. */
function memoryLines(settings: BenchSettings, samples: RssSample[]): string[] {
  const idle = samples[0];
  const last = samples[samples.length - 1];
  const added = last.parked - idle.parked;
  const perCallback = (kb: (sample: RssSample) => number) => ((kb(last) - kb(idle)) / added).toFixed(1);
  const both = (sample: RssSample) => sample.apiKb + sample.workerKb;
  return [
    `5. Memory: ${count(settings.parked)} callbacks parked behind a publisher answering 503, next attempt in 1 h (measured once)`,
    line('  callbacks parked: RSS (MB) of', ['API', 'worker', 'both', 'Temporal']),
    ...samples.map((sample, index) =>
      line(`  ${sample.parked}${index === 0 ? ' (idle: after the warm-up)' : ''}`, [mb(sample.apiKb), mb(sample.workerKb), mb(both(sample)), mb(sample.temporalKb)]),
    ),
    line('  per parked callback, idle to last (KB)', [perCallback((s) => s.apiKb), perCallback((s) => s.workerKb), perCallback(both), perCallback((s) => s.temporalKb)]),
    line('  ratio: API + worker RSS, parked ÷ idle', [format(both(last) / both(idle), 'x')]),
  ];
}

export function benchReport(settings: BenchSettings, results: BenchResults, repeatedCallbacks: number, elapsedSeconds: number): string {
  const { runs } = results;
  const runHeaders = runs.map((_, index) => `run ${index + 1}`);
  const out = [
    'conversion-callbacks benchmark (npm run bench)',
    `machine:  nproc ${os.availableParallelism()}, Node ${process.version}, ${process.platform} ${process.arch}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    `settings: intake bursts of ${count(settings.intakeBurst)}, delivery bursts of ${count(settings.deliveryBurst)}, at concurrency ${settings.concurrency}; ` +
      `steady ${settings.steadyRate}/s for ${settings.steadySeconds} s; ${settings.runs} runs after a warm-up of ${settings.warmup}; ` +
      `INSERT baseline pool ${settings.poolSize} (the API's); ${count(settings.parked)} parked`,
    'service:  npm run api + npm run worker (default settings, LOG_LEVEL=warn), embedded Postgres, ' +
      `Temporal dev server (workflows ${settings.temporalState === 'file' ? 'in a SQLite file' : 'in memory'});`,
    '          bare workflows on a worker process of their own with the same settings; publishers on 127.0.0.1 answering 200 (and 503: figure 5);',
    '          figure 1: the API alone, its workflows started on a queue no worker polls; figure 5: a fresh API (RETRY_INITIAL_INTERVAL=1h) and worker',
    '',
    line('', [...runHeaders, 'min', 'median', 'max']),
  ];
  for (const section of sections(settings)) {
    out.push(section.title);
    for (const row of section.rows) {
      const values = runs.map(row.value);
      const { min, median, max } = spread(values);
      out.push(line(`  ${row.label} (${row.unit === 'n' ? 'count' : row.unit})`, [...values, min, median, max].map((value) => format(value, row.unit))));
    }
  }
  out.push('', ...memoryLines(settings, results.memory));
  out.push('', `callbacks received more than once: ${repeatedCallbacks}; bench took ${elapsedSeconds.toFixed(0)} s`);
  return out.join('\n');
}
