import { Router } from 'express';
import { z } from 'zod';
import { CALLBACK_MACROS, renderCallbackUrl, unknownMacros, type MacroValues } from '../../delivery/macros';
import { findPublisher, upsertPublisher } from '../../db/publishers';
import { otherMethods } from '../allowed-methods';
import { principalOf } from '../auth';
import type { ApiDeps } from '../deps';
import { NotFoundError } from '../errors';
import { NO_NUL_MESSAGE, hasNul, resourceId } from '../ids';
import { pageQuery } from '../pagination';
import { decodablePathParam } from '../path-params';
import { may, publisherScope, requirePermission, requireVisible } from '../permissions';
import { publisherList } from '../use-cases/reports';
import { sendTestCallback } from '../use-cases/test-callback';
import { parseRequest } from '../validation';

/** A sample value for every macro: the template is checked as the URL it becomes. */
const SAMPLE_VALUES = Object.fromEntries(CALLBACK_MACROS.map((name) => [name, 'sample'])) as MacroValues;

const callbackUrl = z
  .string()
  .max(2048)
  .superRefine((template, ctx) => {
    if (hasNul(template)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: NO_NUL_MESSAGE });
      return;
    }
    const unknown = unknownMacros(template);
    if (unknown.length > 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `unknown macro(s) ${unknown.map((m) => `{${m}}`).join(', ')}; allowed: ${CALLBACK_MACROS.map((m) => `{${m}}`).join(' ')}`,
      });
      return;
    }
    let url: URL;
    try {
      url = new URL(renderCallbackUrl(template, SAMPLE_VALUES));
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be an absolute http(s) URL' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must use http or https, not ${url.protocol.slice(0, -1)}` });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must not embed credentials; use secretHeader' });
    }
  });

/** Headers the delivery sets itself; a publisher's secret header may not replace them. */
const RESERVED_HEADERS = ['host', 'content-type', 'content-length', 'idempotency-key', 'webhook-id', 'webhook-timestamp', 'webhook-signature'];

const secretHeader = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be an HTTP header name')
      .refine((name) => !RESERVED_HEADERS.includes(name.toLowerCase()), 'is set by the service and cannot be overridden'),
    // What Node accepts in a header value (tab, visible ASCII, space, Latin-1): anything else would make every
    // attempt fail in http.request, after the publisher was saved.
    value: z
      .string()
      .min(1)
      .max(4096)
      .regex(/^[^\r\n]*$/, 'must not contain line breaks')
      .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'must contain only tabs, printable ASCII and Latin-1 characters'),
  })
  .strict();

/**
 * A `whsec_` secret is signed with its decoded bytes (see signing.ts); Buffer.from skips characters that are not
 * base64, so `whsec_` followed by anything else would sign with a short or empty key.
 */
function isUsableWhsec(secret: string): boolean {
  if (!secret.startsWith('whsec_')) return true;
  const encoded = secret.slice('whsec_'.length);
  return /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) && Buffer.from(encoded, 'base64').length >= 16;
}

/** The success rule's pattern compiles as the delivery compiles it (see success-rule.ts: no flags). */
function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** Text of a success rule: stored in jsonb, which cannot hold a NUL. */
const ruleText = (max: number) => z.string().max(max).refine((text) => !hasNul(text), NO_NUL_MESSAGE);

/**
 * A publisher's success rule (src/delivery/success-rule.ts). Its text is bounded here; its run time is bounded where
 * it runs: the body it reads is the answer's snippet, at most 4 KB, and a regex gets 100 ms on it in a vm context
 * (a 4 KB body alone would not bound a pattern like `(a+)+$`, which backtracks exponentially). A jsonField path is
 * dot-separated keys, each non-empty, so it is walked in as many steps as it has keys.
 */
const successRule = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('equals'),
      value: ruleText(1024)
        .refine((value) => value.length > 0, 'must not be empty')
        .refine((value) => value === value.trim(), 'must not start or end with whitespace (the answer is compared without it)'),
    })
    .strict(),
  z
    .object({
      type: z.literal('regex'),
      pattern: ruleText(512).refine((pattern) => pattern.length > 0, 'must not be empty').refine(compiles, 'must be a valid JavaScript regular expression'),
    })
    .strict(),
  z
    .object({
      type: z.literal('jsonField'),
      path: ruleText(256).refine((path) => /^[^.]+(\.[^.]+)*$/.test(path), 'must be dot-separated keys, e.g. data.status'),
      value: z.union([ruleText(1024), z.number(), z.boolean(), z.null()]),
    })
    .strict(),
]);

export function publisherBody(maxTimeoutMs: number) {
  return z
    .object({
      callbackUrl,
      method: z.enum(['GET', 'POST']).default('POST'),
      secretHeader: secretHeader.nullable().optional(),
      signingSecret: z
        .string()
        .min(16, 'must be at least 16 characters')
        .max(512)
        .refine((secret) => !hasNul(secret), NO_NUL_MESSAGE)
        .refine(isUsableWhsec, 'a whsec_ secret must be base64 of at least 16 bytes')
        .nullable()
        .optional(),
      timeoutMs: z.number().int().min(100).max(maxTimeoutMs, `must be at most ${maxTimeoutMs} (CALLBACK_TIMEOUT)`).default(maxTimeoutMs),
      successRule: successRule.nullable().default(null),
    })
    .strict();
}

export const publisherListQuery = z.object(pageQuery).strict();

/** A test callback takes no input: its values are samples. */
export const testCallbackBody = z.object({}).strict();

export const publisherParams = z.object({ publisherId: resourceId });

export function publisherRoutes(deps: ApiDeps): Router {
  const { pool, config } = deps;
  const router = Router();
  const bodySchema = publisherBody(config.CALLBACK_TIMEOUT);

  router.use('/publishers', decodablePathParam('publisherId'));

  router
    .route('/publishers')
    .get(async (req, res) => {
      const page = parseRequest(publisherListQuery, req.query, 'query');
      res.json(await publisherList(deps, { publisherId: publisherScope(principalOf(res)) }, page));
    })
    .all(otherMethods);

  router
    .route('/publishers/:publisherId')
    .put(async (req, res) => {
      const principal = principalOf(res);
      requirePermission(principal, 'editPublisher');
      const { publisherId } = parseRequest(publisherParams, req.params, 'path');
      requireVisible(principal, publisherId, `No publisher ${publisherId}`);
      const body = parseRequest(bodySchema, req.body, 'body');
      // A publisher key edits its own endpoint; creating it is an admin's (the check and the write may race only
      // with an admin creating the same publisher, which makes the edit legitimate anyway).
      if (!may(principal, 'createPublisher') && !(await findPublisher(pool, publisherId))) requirePermission(principal, 'createPublisher');
      const { created, publisher } = await upsertPublisher(pool, { id: publisherId, ...body });
      res.status(created ? 201 : 200).json(publisher);
    })
    .get(async (req, res) => {
      const { publisherId } = parseRequest(publisherParams, req.params, 'path');
      const notFound = `No publisher ${publisherId}`;
      requireVisible(principalOf(res), publisherId, notFound);
      const publisher = await findPublisher(pool, publisherId);
      if (!publisher) throw new NotFoundError(notFound);
      res.json(publisher);
    })
    .all(otherMethods);

  router
    .route('/publishers/:publisherId/test-callback')
    .post(async (req, res) => {
      const principal = principalOf(res);
      requirePermission(principal, 'sendTestCallback');
      const { publisherId } = parseRequest(publisherParams, req.params, 'path');
      requireVisible(principal, publisherId, `No publisher ${publisherId}`);
      parseRequest(testCallbackBody, req.body ?? {}, 'body');
      res.json(await sendTestCallback(deps, publisherId));
    })
    .all(otherMethods);

  return router;
}
