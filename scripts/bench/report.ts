/** The bench's output: the machine, the settings, and every figure run by run with its min/median/max. */
import os from 'node:os';
import type { RunFigures } from './plan';
import type { BenchSettings } from './settings';
import { spread } from './stats';

interface Row {
  label: string;
  unit: string;
  value: (run: RunFigures) => number;
}

const SECTIONS: { title: string; rows: Row[] }[] = [
  {
    title: '1. Intake: a burst of POST /v1/conversions',
    rows: [
      { label: 'conversions', unit: '/s', value: (r) => r.intake.perSecond },
      { label: 'latency p50', unit: 'ms', value: (r) => r.intake.p50Ms },
      { label: 'latency p99', unit: 'ms', value: (r) => r.intake.p99Ms },
      { label: 'baseline: bare INSERTs', unit: '/s', value: (r) => r.inserts.perSecond },
      { label: 'baseline: latency p50', unit: 'ms', value: (r) => r.inserts.p50Ms },
      { label: 'baseline: latency p99', unit: 'ms', value: (r) => r.inserts.p99Ms },
      { label: 'ratio: conversions/s ÷ INSERTs/s', unit: 'x', value: (r) => r.intake.perSecond / r.inserts.perSecond },
      { label: 'ratio: p99 ÷ baseline p99', unit: 'x', value: (r) => r.intake.p99Ms / r.inserts.p99Ms },
    ],
  },
  {
    title: '2. Delivery: first POST to last callback received (the same burst)',
    rows: [
      { label: 'callbacks', unit: '/s', value: (r) => r.deliveredPerSecond },
      { label: 'baseline: bare workflows, start to callback', unit: '/s', value: (r) => r.bareWorkflowsPerSecond },
      { label: 'ratio: callbacks/s ÷ workflows/s', unit: 'x', value: (r) => r.deliveredPerSecond / r.bareWorkflowsPerSecond },
    ],
  },
  {
    title: '3. POST to first attempt at a steady rate (callback received − POST sent)',
    rows: [
      { label: 'p50', unit: 'ms', value: (r) => r.steady.p50Ms },
      { label: 'p99', unit: 'ms', value: (r) => r.steady.p99Ms },
      { label: 'baseline: bare workflow start to callback, p50', unit: 'ms', value: (r) => r.bareSteady.p50Ms },
      { label: 'baseline: bare workflow start to callback, p99', unit: 'ms', value: (r) => r.bareSteady.p99Ms },
      { label: 'ratio: p50 ÷ baseline p50', unit: 'x', value: (r) => r.steady.p50Ms / r.bareSteady.p50Ms },
      { label: 'ratio: p99 ÷ baseline p99', unit: 'x', value: (r) => r.steady.p99Ms / r.bareSteady.p99Ms },
    ],
  },
];

const LABEL_WIDTH = 50;
const COLUMN_WIDTH = 9;

function format(value: number, unit: string): string {
  if (unit === 'x') return `${value >= 10 ? value.toFixed(1) : value >= 0.1 ? value.toFixed(2) : value.toPrecision(2)}x`;
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function line(label: string, cells: string[]): string {
  return label.padEnd(LABEL_WIDTH) + cells.map((cell) => cell.padStart(COLUMN_WIDTH)).join('');
}

export function benchReport(settings: BenchSettings, runs: RunFigures[], repeatedCallbacks: number, elapsedSeconds: number): string {
  const runHeaders = runs.map((_, index) => `run ${index + 1}`);
  const out = [
    'conversion-callbacks benchmark (npm run bench)',
    `machine:  nproc ${os.availableParallelism()}, Node ${process.version}, ${process.platform} ${process.arch}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    `settings: bursts of ${settings.burst} at concurrency ${settings.concurrency}; steady ${settings.steadyRate}/s for ${settings.steadySeconds} s; ` +
      `${settings.runs} runs after a warm-up of ${settings.warmup}; INSERT baseline pool ${settings.poolSize} (the API's)`,
    'service:  npm run api + npm run worker (default settings, LOG_LEVEL=warn), embedded Postgres, ' +
      `Temporal dev server (workflows ${settings.temporalState === 'file' ? 'in a SQLite file' : 'in memory'});`,
    '          bare workflows on a worker process of their own with the same settings; publisher on 127.0.0.1 answering 200',
    '',
    line('', [...runHeaders, 'min', 'median', 'max']),
  ];
  for (const section of SECTIONS) {
    out.push(section.title);
    for (const row of section.rows) {
      const values = runs.map(row.value);
      const { min, median, max } = spread(values);
      out.push(line(`  ${row.label} (${row.unit})`, [...values, min, median, max].map((value) => format(value, row.unit))));
    }
  }
  out.push('', `callbacks received more than once: ${repeatedCallbacks}; bench took ${elapsedSeconds.toFixed(0)} s`);
  return out.join('\n');
}
