import { status } from '@grpc/grpc-js';
import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import { TemporalUnavailableError } from './callback-scheduler';

/** gRPC codes that say "not now" rather than "never": the caller may retry the same call later. */
const TRANSIENT_CODES = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED, status.ABORTED]);

/**
 * Maps an error of a Temporal client call to TemporalUnavailableError when Temporal could not be reached or was
 * too busy to answer; any other error is returned as it is (a bug, not an outage).
 */
export function toTemporalUnavailable(err: unknown): unknown {
  // The client wraps gRPC errors in ServiceError; connection attempts may throw them bare.
  const grpc = err instanceof ServiceError ? err.cause : err;
  if (isGrpcServiceError(grpc) && TRANSIENT_CODES.has(grpc.code)) {
    return new TemporalUnavailableError(`Temporal is unavailable: ${grpc.details || grpc.message}`, { cause: err });
  }
  if (err instanceof Error && /failed to connect|connection refused|ECONNREFUSED|transport/i.test(err.message)) {
    return new TemporalUnavailableError(`Temporal is unavailable: ${err.message}`, { cause: err });
  }
  return err;
}
