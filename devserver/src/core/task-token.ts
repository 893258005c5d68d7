/** Opaque task tokens: which run, which task and which attempt, so that a stale completion is recognised. */
import { invalidArgument } from '../transport/rpc-error';

export type TaskToken =
  | { kind: 'workflow'; namespace: string; workflowId: string; runId: string; scheduledEventId: number; attempt: number }
  | { kind: 'activity'; namespace: string; workflowId: string; runId: string; scheduledEventId: number; attempt: number }
  | { kind: 'query'; namespace: string; workflowId: string; runId: string; queryId: string };

export function encodeTaskToken(token: TaskToken): Buffer {
  return Buffer.from(JSON.stringify(token));
}

export function decodeTaskToken(bytes: unknown): TaskToken {
  try {
    const token = JSON.parse(Buffer.from(bytes as Uint8Array).toString()) as TaskToken;
    if (typeof token?.runId === 'string' && typeof token.kind === 'string') return token;
  } catch {
    // fall through to the error below
  }
  throw invalidArgument('Invalid task token.');
}
