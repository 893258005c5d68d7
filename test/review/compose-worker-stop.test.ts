import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig, parseDurationMs } from '../../src/config';

/** The worker's stop grace period must cover one whole attempt, or a deploy kills attempts mid-request. */
describe('docker-compose.yml worker stop', () => {
  const compose = parse(readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { stop_grace_period?: string; environment?: Record<string, string> }>;
  };
  const worker = compose.services.worker;

  it('waits longer than CALLBACK_TIMEOUT plus the attempt margin before killing the worker', () => {
    const grace = parseDurationMs(worker.stop_grace_period ?? '10s');
    const { CALLBACK_TIMEOUT } = loadConfig(worker.environment ?? {});
    expect(grace).toBeGreaterThan(CALLBACK_TIMEOUT + 30_000);
  });
});
