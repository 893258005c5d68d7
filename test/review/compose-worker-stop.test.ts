import { loadConfig, parseDurationMs } from '../../src/config';
import { composeServices } from '../support/compose';

/** The worker's stop grace period must cover one whole attempt, or a deploy kills attempts mid-request. */
describe('docker-compose.yml worker stop', () => {
  const worker = composeServices().worker;

  it('waits longer than CALLBACK_TIMEOUT plus the attempt margin before killing the worker', () => {
    const grace = parseDurationMs(worker.stop_grace_period ?? '10s');
    const { CALLBACK_TIMEOUT } = loadConfig(worker.environment ?? {});
    expect(grace).toBeGreaterThan(CALLBACK_TIMEOUT + 30_000);
  });
});
