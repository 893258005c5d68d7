import {
  TemporalUnavailableError,
  workflowIdFor,
  type CallbackScheduler,
  type ConversionRef,
} from '../../src/temporal/callback-scheduler';

/**
 * A scheduler double for API tests that are about HTTP and Postgres, not delivery: it records each call and can
 * be switched to behave as if Temporal were down. Delivery itself is proven against the real stack in
 * test/api/end-to-end.test.ts.
 */
export class RecordingScheduler implements CallbackScheduler {
  readonly started: ConversionRef[] = [];
  readonly resends: { conversion: ConversionRef; requestedBy: string }[] = [];
  temporalDown = false;

  startDelivery(conversion: ConversionRef): Promise<{ workflowId: string }> {
    if (this.temporalDown) return Promise.reject(new TemporalUnavailableError('connection refused (test double)'));
    this.started.push(conversion);
    return Promise.resolve({ workflowId: workflowIdFor(conversion.conversionId) });
  }

  ping(): Promise<void> {
    return this.temporalDown ? Promise.reject(new TemporalUnavailableError('connection refused (test double)')) : Promise.resolve();
  }

  requestResend(conversion: ConversionRef, requestedBy: string): Promise<{ workflowId: string }> {
    if (this.temporalDown) return Promise.reject(new TemporalUnavailableError('connection refused (test double)'));
    this.resends.push({ conversion, requestedBy });
    return Promise.resolve({ workflowId: workflowIdFor(conversion.conversionId) });
  }
}
