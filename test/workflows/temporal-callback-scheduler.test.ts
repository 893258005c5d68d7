import { Client, Connection } from '@temporalio/client';
import { connectClient } from '../../src/temporal/connection';
import { deliveryInput, TemporalCallbackScheduler } from '../../src/temporal/temporal-callback-scheduler';
import { refusedAddress } from '../support/receiver';
import { testConfig } from '../support/fixtures';

describe('TemporalCallbackScheduler', () => {
  it('builds the workflow input from the configuration', () => {
    const config = testConfig({ RETRY_INITIAL_INTERVAL: '2m', RETRY_BACKOFF_COEFFICIENT: '2', RETRY_MAX_ATTEMPTS: '6', CALLBACK_TIMEOUT: '10s', RESEND_WINDOW: '30d' });
    expect(deliveryInput({ conversionId: 'c1', publisherId: 'p1' }, config)).toEqual({
      conversionId: 'c1',
      publisherId: 'p1',
      retry: { initialIntervalMs: 120_000, backoffCoefficient: 2, maximumAttempts: 6 },
      attemptTimeoutMs: 40_000,
      resendWindowMs: 30 * 86_400_000,
    });
  });

  it('reports an unreachable Temporal as TemporalUnavailableError', async () => {
    const connection = Connection.lazy({ address: await refusedAddress() });
    const scheduler = new TemporalCallbackScheduler(new Client({ connection }), testConfig(), 500);
    const conversion = { conversionId: 'c1', publisherId: 'p1' };
    try {
      await expect(scheduler.startDelivery(conversion)).rejects.toMatchObject({ name: 'TemporalUnavailableError' });
      await expect(scheduler.requestResend(conversion, 'op')).rejects.toMatchObject({ name: 'TemporalUnavailableError' });
    } finally {
      await connection.close();
    }
  });

  it('connectClient reports an unreachable Temporal as TemporalUnavailableError', async () => {
    await expect(connectClient({ TEMPORAL_ADDRESS: await refusedAddress(), TEMPORAL_NAMESPACE: 'default' }, 500)).rejects.toMatchObject({
      name: 'TemporalUnavailableError',
    });
  });
});
