import { status } from '@grpc/grpc-js';
import { google } from '@temporalio/proto';

/** A detail attached to an error as `google.protobuf.Any`, as Temporal's servers do (e.g. NotFoundFailure). */
export interface ErrorDetail {
  /** Fully qualified message name, e.g. `temporal.api.errordetails.v1.NotFoundFailure`. */
  type: string;
  value: Uint8Array;
}

/**
 * An error that reaches the caller as a gRPC status. Thrown by handlers; anything else thrown becomes INTERNAL.
 */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: status,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
  }
}

/** The `grpc-status-details-bin` trailer value: a google.rpc.Status carrying the details. */
export function encodeStatusDetails(err: RpcError): Buffer {
  const encoded = google.rpc.Status.encode({
    code: err.code,
    message: err.message,
    details: err.details.map((d) => ({ type_url: `type.googleapis.com/${d.type}`, value: d.value })),
  }).finish();
  return Buffer.from(encoded);
}

export const invalidArgument = (message: string): RpcError => new RpcError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string): RpcError => new RpcError(status.NOT_FOUND, message);
export const failedPrecondition = (message: string): RpcError => new RpcError(status.FAILED_PRECONDITION, message);
