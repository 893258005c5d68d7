/**
 * The ApplicationFailure types of a failed attempt. Their names are stable: the workflow's retry policy and the
 * operators in the Web UI see them. Kept apart from classify.ts because the workflow imports this list, and the
 * workflow sandbox cannot load what classify.ts needs (the success rule's time-bounded regex runs in node:vm).
 */
export type FailureType =
  | 'CallbackHttpStatus'
  | 'CallbackNetworkError'
  | 'CallbackRejected'
  | 'CallbackBlockedTarget'
  | 'CallbackInvalidUrl'
  | 'CallbackMalformedResponse';

/** The failure types that end a delivery cycle at once (listed in the retry policy's nonRetryableErrorTypes). */
export const FINAL_FAILURE_TYPES: readonly FailureType[] = [
  'CallbackRejected',
  'CallbackBlockedTarget',
  'CallbackInvalidUrl',
  // A 2xx whose body breaks the publisher's success rule: the endpoint answered, asking again changes nothing.
  'CallbackMalformedResponse',
];
