/**
 * The Temporal API messages as this server handles them: plain objects decoded with int64 as `number`, enums as
 * their numeric values and bytes as Buffers. protobufjs encodes such objects directly, so no conversion is needed
 * on the way out either.
 */
import type Long from 'long';
import { temporal, google } from '@temporalio/proto';

/** A protobufjs `$Properties` type with every int64 as a number (what `longs: Number` decoding produces). */
export type Plain<T> = T extends Long
  ? number
  : T extends Uint8Array
    ? Uint8Array
    : T extends ReadonlyArray<infer U>
      ? Plain<U>[]
      : T extends object
        ? { [K in keyof T]: Plain<T[K]> }
        : T;

export { temporal, google };

export import enums = temporal.api.enums.v1;

export type HistoryEvent = Plain<temporal.api.history.v1.HistoryEvent.$Properties>;
export type Payloads = Plain<temporal.api.common.v1.Payloads.$Properties>;
export type Payload = Plain<temporal.api.common.v1.Payload.$Properties>;
export type Failure = Plain<temporal.api.failure.v1.Failure.$Properties>;
export type RetryPolicy = Plain<temporal.api.common.v1.RetryPolicy.$Properties>;
export type Memo = Plain<temporal.api.common.v1.Memo.$Properties>;
export type SearchAttributes = Plain<temporal.api.common.v1.SearchAttributes.$Properties>;
export type Header = Plain<temporal.api.common.v1.Header.$Properties>;
export type Command = Plain<temporal.api.command.v1.Command.$Properties>;
export type WorkflowQuery = Plain<temporal.api.query.v1.WorkflowQuery.$Properties>;
export type Duration = Plain<google.protobuf.Duration.$Properties>;
export type Timestamp = Plain<google.protobuf.Timestamp.$Properties>;

/** The WorkflowService request and response types, e.g. `Plain<ws.StartWorkflowExecutionRequest.$Properties>`. */
export import ws = temporal.api.workflowservice.v1;

export import EventType = temporal.api.enums.v1.EventType;

/** google.protobuf.Duration and Timestamp share one shape: seconds and nanos. */
type SecondsNanos = { seconds?: number | null; nanos?: number | null };

function secondsNanosToMs(value: SecondsNanos | null | undefined): number {
  if (!value) return 0;
  return (value.seconds ?? 0) * 1000 + Math.floor((value.nanos ?? 0) / 1e6);
}

function msToSecondsNanos(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export const durationToMs: (d: Duration | null | undefined) => number = secondsNanosToMs;
export const timestampToMs: (t: Timestamp | null | undefined) => number = secondsNanosToMs;
export const msToDuration: (ms: number) => Duration = msToSecondsNanos;
export const msToTimestamp: (ms: number) => Timestamp = msToSecondsNanos;

/** Decodes a `json/plain` payload; other encodings are returned as undefined (this server cannot read them). */
export function decodeJsonPayload(payload: Payload | null | undefined): unknown {
  const encoding = payload?.metadata?.encoding;
  if (!payload?.data || !encoding || Buffer.from(encoding).toString() !== 'json/plain') return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data).toString());
  } catch {
    return undefined;
  }
}
