import { Router } from 'express';
import { z } from 'zod';
import { CALLBACK_MACROS, renderCallbackUrl, unknownMacros, type MacroValues } from '../../delivery/macros';
import { findPublisher, upsertPublisher } from '../../db/publishers';
import { otherMethods } from '../allowed-methods';
import type { ApiDeps } from '../deps';
import { NotFoundError } from '../errors';
import { NO_NUL_MESSAGE, hasNul, resourceId } from '../ids';
import { decodablePathParam } from '../path-params';
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
    })
    .strict();
}

export const publisherParams = z.object({ publisherId: resourceId });

export function publisherRoutes({ pool, config }: ApiDeps): Router {
  const router = Router();
  const bodySchema = publisherBody(config.CALLBACK_TIMEOUT);

  router.use('/publishers', decodablePathParam('publisherId'));

  router
    .route('/publishers/:publisherId')
    .put(async (req, res) => {
      const { publisherId } = parseRequest(publisherParams, req.params, 'path');
      const body = parseRequest(bodySchema, req.body, 'body');
      const { created, publisher } = await upsertPublisher(pool, { id: publisherId, ...body });
      res.status(created ? 201 : 200).json(publisher);
    })
    .get(async (req, res) => {
      const { publisherId } = parseRequest(publisherParams, req.params, 'path');
      const publisher = await findPublisher(pool, publisherId);
      if (!publisher) throw new NotFoundError(`No publisher ${publisherId}`);
      res.json(publisher);
    })
    .all(otherMethods);

  return router;
}
