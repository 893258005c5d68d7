import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { CALLBACK_STATUSES, type CallbackView, type ConversionCandidate, type ConversionView } from '../../db/conversions';
import type { DeliveryOverview } from '../../db/overview';
import type { PublisherView } from '../../db/publishers';
import type { AttemptView } from '../../db/reports';
import { FAILURE_CAUSE_CODES, type FailureCause } from '../../delivery/failure-cause';
import type { ShownRequest } from '../../delivery/shown-request';
import type { SuccessRule } from '../../delivery/success-rule';
import type { FieldProblem } from '../errors';
import type { Page } from '../pagination';
import type { BatchAnswer } from '../routes/conversions';
import type { SessionView } from '../routes/session';
import type { CallbackReportRow, ConversionDetails } from '../use-cases/reports';
import type { ResendAccepted } from '../use-cases/resend';
import type { TestCallbackResult } from '../use-cases/test-callback';

// Adds `.openapi()` to zod's schemas: a schema named with it becomes a component that the document refers to.
extendZodWithOpenApi(z);

/**
 * The API's answers, as zod schemas, for the OpenAPI document (document.ts). The request schemas are the routes'
 * own. Each answer schema is checked against the TypeScript type the API answers with (SchemasMatchViews below),
 * so a field added to a view and not here fails the type check.
 */

const time = z.string().datetime({ offset: true });
const integer = z.number().int();

export const failureCause = z
  .object({
    code: z.enum(FAILURE_CAUSE_CODES).describe('Stable, for programs; counted by GET /v1/overview'),
    label: z.string().describe('For people, e.g. "IP not whitelisted" or "Other: HTTP 418"'),
    remedy: z.string().describe('What the publisher can do about it'),
  })
  .strict()
  .openapi('FailureCause');

export const callbackView = z
  .object({
    status: z.enum(CALLBACK_STATUSES),
    attempts: integer.describe('Attempts made so far, every delivery cycle counted'),
    lastStatusCode: integer.nullable(),
    lastError: z.string().nullable(),
    nextRetryAt: time.nullable(),
    sentAt: time.nullable().describe('When the publisher last acknowledged the callback with a 2xx'),
    failedAt: time.nullable(),
    updatedAt: time,
    lastFailureCause: failureCause.nullable().describe('Why the last attempt failed; null when it succeeded or none failed yet'),
  })
  .strict()
  .openapi('Callback');

export const conversionView = z
  .object({
    conversionId: z.string(),
    publisherId: z.string(),
    clickId: z.string(),
    eventId: z.string(),
    offerId: z.string(),
    payout: z.string().describe('Canonical decimal text: "2.50" is "2.5"'),
    userId: z.string(),
    extras: z.record(z.string(), z.unknown()),
    workflowId: z.string().describe('conversion-callback/<conversionId>, the Temporal workflow that delivers the callback'),
    workflowStartedAt: time.nullable().describe('When Temporal accepted the workflow; null until then'),
    createdAt: time,
    callbackSent: z.enum(['Yes', 'No']).describe('Yes once the publisher acknowledged a callback with a 2xx'),
    callback: callbackView,
  })
  .strict()
  .openapi('Conversion');

export const attemptView = z
  .object({
    attemptNumber: integer,
    trigger: z.enum(['automatic', 'manual']),
    requestedBy: z.string().nullable().describe('Who asked for a manual attempt (a name and the key\'s role and fingerprint, never the key); null for automatic ones'),
    outcome: z.enum(['in_flight', 'succeeded', 'failed', 'abandoned']),
    startedAt: time,
    durationMs: integer.nullable(),
    statusCode: integer.nullable(),
    errorClass: z.string().nullable().describe('The network error (timeout, refused, dns, blocked_target, ...) when there was no HTTP answer'),
    errorMessage: z.string().nullable(),
    responseSnippet: z.string().nullable().describe("The start of the publisher's answer, secrets redacted"),
    nextRetryAt: time.nullable(),
    cause: failureCause.nullable().describe('Why the attempt failed; null when it succeeded or has no outcome (in flight, abandoned)'),
  })
  .strict()
  .openapi('Attempt');

export const shownRequest = z
  .object({
    url: z.string(),
    method: z.enum(['GET', 'POST']),
    headers: z.record(z.string(), z.string()).describe('Every header sent; the value of each that carries a secret is masked (••••••)'),
    body: z.string().nullable(),
  })
  .strict()
  .openapi('ShownRequest');

export const conversionDetails = conversionView
  .extend({
    request: shownRequest.describe("The callback request as it is sent now (the publisher's current endpoint), its secrets masked"),
    attempts: z.array(attemptView).describe('Every attempt, by attempt number'),
  })
  .openapi('ConversionDetails');

export const callbackReportRow = callbackView
  .extend({
    conversionId: z.string(),
    publisherId: z.string(),
    clickId: z.string(),
    eventId: z.string(),
    workflowId: z.string(),
    conversionCreatedAt: time,
  })
  .openapi('CallbackReportRow');

function pageOf<Item extends z.ZodTypeAny>(item: Item, name: string) {
  return z
    .object({
      data: z.array(item),
      nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
    })
    .strict()
    .openapi(name);
}

export const conversionPage = pageOf(conversionView, 'ConversionPage');
export const callbackPage = pageOf(callbackReportRow, 'CallbackPage');

/** A stored success rule, as shown; the request's schema (routes/publishers.ts) also bounds and checks its text. */
export const successRule = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('equals'), value: z.string().describe('The body, without surrounding whitespace, is exactly this') }).strict(),
    z.object({ type: z.literal('regex'), pattern: z.string().describe('A JavaScript regular expression (no flags) the body matches') }).strict(),
    z
      .object({
        type: z.literal('jsonField'),
        path: z.string().describe('Dot-separated keys, e.g. data.status'),
        value: z.union([z.string(), z.number(), z.boolean(), z.null()]).describe('The field of the JSON body is strictly this'),
      })
      .strict(),
  ])
  .describe('Besides a 2xx status, what the answer\'s body must be; with none, any 2xx is a success')
  .openapi('SuccessRule');

export const publisherView = z
  .object({
    publisherId: z.string(),
    callbackUrl: z.string(),
    method: z.enum(['GET', 'POST']),
    timeoutMs: integer,
    secretHeader: z.object({ name: z.string(), valueSet: z.literal(true) }).strict().nullable().describe('Its value is never shown'),
    signingSecretSet: z.boolean(),
    successRule: successRule.nullable(),
    createdAt: time,
    updatedAt: time,
  })
  .strict()
  .openapi('Publisher');

export const publisherPage = pageOf(publisherView, 'PublisherPage');

export const resendAccepted = z.object({ conversionId: z.string(), workflowId: z.string() }).strict().openapi('ResendAccepted');

export const testCallbackResult = z
  .object({
    request: shownRequest,
    outcome: z
      .object({
        statusCode: integer.nullable(),
        errorClass: z.string().nullable().describe('The network error when there was no HTTP answer'),
        durationMs: integer,
        responseSnippet: z.string().nullable(),
      })
      .strict(),
    verdict: z.enum(['success', 'retryable', 'final']).describe('What a delivery would make of it: sent, retried, or failed for good'),
    cause: failureCause.nullable().describe('Why it failed; null on success'),
  })
  .strict()
  .openapi('TestCallbackResult');

export const overview = z
  .object({
    from: time.describe('The start of the window: the start of its first hour (UTC)'),
    to: time,
    hourly: z
      .array(
        z
          .object({
            hour: time.describe('The start of the hour (UTC)'),
            sent: integer.describe('Attempts that succeeded'),
            retrying: integer.describe('Attempts that failed with a retry scheduled after them'),
            failed: integer.describe('Attempts that failed with no retry after them'),
          })
          .strict(),
      )
      .describe('Every hour of the window, oldest first, with zeros where nothing happened'),
    failedLast24h: integer.describe('Callbacks whose status is failed and that failed in the last 24 hours'),
    causesByPublisher: z
      .array(z.object({ publisherId: z.string(), cause: z.enum(FAILURE_CAUSE_CODES), label: z.string(), count: integer }).strict())
      .describe('Failed attempts of the window by publisher and cause, most frequent first'),
  })
  .strict()
  .openapi('Overview');

export const session = z
  .object({
    role: z.enum(['admin', 'operator', 'viewer', 'publisher']),
    publisherId: z.string().nullable().describe("A publisher key's publisher; null for the other roles"),
    caller: z.string().describe("The role and the key's fingerprint, e.g. operator key:1a2b3c4d; never the key"),
    csrfToken: z.string().nullable().describe('Send it as X-CSRF-Token with every cookie request that changes state; null with a Bearer key'),
    temporalUiUrl: z.string().nullable().describe('Only for the roles that may open the Temporal Web UI'),
    temporalNamespace: z.string(),
    outboundIps: z.array(z.string()).describe('Where callbacks come from, for publishers to allow in their firewall'),
  })
  .strict()
  .openapi('Session');

const dependencyState = z.enum(['ok', 'unavailable']);
export const health = z
  .object({
    status: dependencyState,
    checks: z.object({ postgres: dependencyState, temporal: dependencyState }).strict(),
    error: z.object({ code: z.literal('dependency_unavailable'), message: z.string() }).strict().optional(),
  })
  .strict()
  .openapi('Health');

const fieldProblem = z
  .object({
    in: z.enum(['body', 'query', 'path']),
    field: z.string().describe('Dotted path of the field, e.g. secretHeader.name; empty for the body as a whole'),
    reason: z.string(),
  })
  .strict()
  .openapi('FieldProblem');

const conversionCandidate = z
  .object({ conversionId: z.string(), publisherId: z.string(), clickId: z.string(), eventId: z.string(), createdAt: time })
  .strict()
  .openapi('ConversionCandidate');

/**
 * Every error answer. Besides `code` and `message`, an error carries what the client needs to act on it: the bad
 * fields (400, 422), the conversions an identifier matches (409 of a resend by identifiers), the conflicting
 * conversion (409 of a POST). Not closed: an error may carry other details.
 */
const errorDetails = z
  .object({
    code: z
      .string()
      .describe('Stable, for programs: validation_failed, unauthorized, forbidden, csrf_token_invalid, not_found, conflict, ...'),
    message: z.string().describe('For people'),
    fields: z.array(fieldProblem).optional(),
    candidates: z.array(conversionCandidate).optional(),
    moreCandidates: z.boolean().optional().describe('More conversions match than the candidates listed'),
    conversionId: z.string().optional(),
  })
  .catchall(z.unknown())
  .openapi('ErrorDetails');

export const errorBody = z.object({ error: errorDetails }).strict().openapi('Error');

export const batchAnswer = z
  .object({
    created: integer.describe('Conversions recorded now (status 201)'),
    existing: integer.describe('Conversions recorded before with the same payload (status 200): nothing new is sent'),
    rejected: integer.describe('Conversions not recorded (any other status)'),
    results: z
      .array(
        z.union([
          z
            .object({ index: integer, status: z.union([z.literal(201), z.literal(200)]), conversion: conversionView })
            .strict()
            .describe('Recorded: 201 now, 200 before with the same payload'),
          z
            .object({ index: integer, status: integer, error: errorDetails })
            .strict()
            .describe('Not recorded, with the error a single POST would answer: 400 (fields named conversions.<index>.<field>), 409 or 422'),
        ]),
      )
      .describe('One per conversion, in the order given; `index` is its place in `conversions`'),
  })
  .strict()
  .openapi('BatchAnswer');

/** T as JSON.stringify writes it: dates become ISO strings. */
type Json<T> = T extends Date ? string : T extends (infer Item)[] ? Json<Item>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

/** Compile-time: each answer schema describes exactly the JSON of the type the API answers with. */
export type SchemasMatchViews = [
  Expect<Same<z.infer<typeof callbackView>, Json<CallbackView>>>,
  Expect<Same<z.infer<typeof conversionView>, Json<ConversionView>>>,
  Expect<Same<z.infer<typeof attemptView>, Json<AttemptView>>>,
  Expect<Same<z.infer<typeof failureCause>, Json<FailureCause>>>,
  Expect<Same<z.infer<typeof shownRequest>, Json<ShownRequest>>>,
  Expect<Same<z.infer<typeof conversionDetails>, Json<ConversionDetails>>>,
  Expect<Same<z.infer<typeof callbackReportRow>, Json<CallbackReportRow>>>,
  Expect<Same<z.infer<typeof conversionPage>, Json<Page<ConversionView>>>>,
  Expect<Same<z.infer<typeof callbackPage>, Json<Page<CallbackReportRow>>>>,
  Expect<Same<z.infer<typeof successRule>, Json<SuccessRule>>>,
  Expect<Same<z.infer<typeof publisherView>, Json<PublisherView>>>,
  Expect<Same<z.infer<typeof publisherPage>, Json<Page<PublisherView>>>>,
  Expect<Same<z.infer<typeof resendAccepted>, Json<ResendAccepted>>>,
  Expect<Same<z.infer<typeof testCallbackResult>, Json<TestCallbackResult>>>,
  Expect<Same<z.infer<typeof overview>, Json<DeliveryOverview>>>,
  Expect<Same<z.infer<typeof session>, Json<SessionView>>>,
  Expect<Same<z.infer<typeof batchAnswer>, Json<BatchAnswer>>>,
  Expect<Same<z.infer<typeof fieldProblem>, Json<FieldProblem>>>,
  Expect<Same<z.infer<typeof conversionCandidate>, Json<ConversionCandidate>>>,
];
