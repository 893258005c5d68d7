import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { CallbackView, ConversionCandidate, ConversionView } from '../../db/conversions';
import type { PublisherView } from '../../db/publishers';
import type { AttemptView } from '../../db/reports';
import type { FieldProblem } from '../errors';
import type { Page } from '../pagination';
import type { CallbackReportRow } from '../use-cases/reports';
import type { ResendAccepted } from '../use-cases/resend';

// Adds `.openapi()` to zod's schemas: a schema named with it becomes a component that the document refers to.
extendZodWithOpenApi(z);

/**
 * The API's answers, as zod schemas, for the OpenAPI document (document.ts). The request schemas are the routes'
 * own. Each answer schema is checked against the TypeScript type the API answers with (SchemasMatchViews below),
 * so a field added to a view and not here fails the type check.
 */

const time = z.string().datetime({ offset: true });
const integer = z.number().int();

export const callbackView = z
  .object({
    status: z.enum(['pending', 'retrying', 'sent', 'failed']),
    attempts: integer.describe('Attempts made so far, every delivery cycle counted'),
    lastStatusCode: integer.nullable(),
    lastError: z.string().nullable(),
    nextRetryAt: time.nullable(),
    sentAt: time.nullable().describe('When the publisher last acknowledged the callback with a 2xx'),
    failedAt: time.nullable(),
    updatedAt: time,
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
    outcome: z.enum(['in_flight', 'succeeded', 'failed', 'abandoned']),
    startedAt: time,
    durationMs: integer.nullable(),
    statusCode: integer.nullable(),
    errorClass: z.string().nullable().describe('The network error (timeout, refused, dns, blocked_target, ...) when there was no HTTP answer'),
    errorMessage: z.string().nullable(),
    responseSnippet: z.string().nullable().describe("The start of the publisher's answer, secrets redacted"),
    nextRetryAt: time.nullable(),
  })
  .strict()
  .openapi('Attempt');

export const conversionDetails = conversionView
  .extend({ attempts: z.array(attemptView).describe('Every attempt, by attempt number') })
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

export const publisherView = z
  .object({
    publisherId: z.string(),
    callbackUrl: z.string(),
    method: z.enum(['GET', 'POST']),
    timeoutMs: integer,
    secretHeader: z.object({ name: z.string(), valueSet: z.literal(true) }).strict().nullable().describe('Its value is never shown'),
    signingSecretSet: z.boolean(),
    createdAt: time,
    updatedAt: time,
  })
  .strict()
  .openapi('Publisher');

export const resendAccepted = z.object({ conversionId: z.string(), workflowId: z.string() }).strict().openapi('ResendAccepted');

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
export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable, for programs: validation_failed, unauthorized, not_found, conflict, ...'),
      message: z.string().describe('For people'),
      fields: z.array(fieldProblem).optional(),
      candidates: z.array(conversionCandidate).optional(),
      moreCandidates: z.boolean().optional().describe('More conversions match than the candidates listed'),
      conversionId: z.string().optional(),
    }),
  })
  .strict()
  .openapi('Error');

/** T as JSON.stringify writes it: dates become ISO strings. */
type Json<T> = T extends Date ? string : T extends (infer Item)[] ? Json<Item>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

/** Compile-time: each answer schema describes exactly the JSON of the type the API answers with. */
export type SchemasMatchViews = [
  Expect<Same<z.infer<typeof callbackView>, Json<CallbackView>>>,
  Expect<Same<z.infer<typeof conversionView>, Json<ConversionView>>>,
  Expect<Same<z.infer<typeof attemptView>, Json<AttemptView>>>,
  Expect<Same<z.infer<typeof conversionDetails>, Json<ConversionView & { attempts: AttemptView[] }>>>,
  Expect<Same<z.infer<typeof callbackReportRow>, Json<CallbackReportRow>>>,
  Expect<Same<z.infer<typeof conversionPage>, Json<Page<ConversionView>>>>,
  Expect<Same<z.infer<typeof callbackPage>, Json<Page<CallbackReportRow>>>>,
  Expect<Same<z.infer<typeof publisherView>, Json<PublisherView>>>,
  Expect<Same<z.infer<typeof resendAccepted>, Json<ResendAccepted>>>,
  Expect<Same<z.infer<typeof fieldProblem>, Json<FieldProblem>>>,
  Expect<Same<z.infer<typeof conversionCandidate>, Json<ConversionCandidate>>>,
];
