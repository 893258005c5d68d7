import type { CallbackRequest } from './http-sender';
import { renderCallbackUrl } from './macros';
import { signCallback } from './signing';
import type { SuccessRule } from './success-rule';

/** A publisher's endpoint as stored in Postgres; the secrets never leave the worker's memory and the request. */
export interface PublisherEndpoint {
  id: string;
  callbackUrl: string;
  method: 'GET' | 'POST';
  secretHeader?: { name: string; value: string };
  signingSecret?: string;
  timeoutMs: number;
  /** Besides a 2xx, what the answer's body must be; any 2xx is a success without it. */
  successRule?: SuccessRule;
}

export interface ConversionRecord {
  id: string;
  publisherId: string;
  clickId: string;
  eventId: string;
  offerId: string;
  /** Decimal text as Postgres returns a numeric, e.g. "1.500000". */
  payout: string;
  userId: string;
  extras: Record<string, unknown>;
}

/** "1.500000" → "1.5", "2.000000" → "2": the value a publisher expects in a URL, without float rounding. */
export function formatPayout(payout: string): string {
  return payout.includes('.') ? payout.replace(/0+$/, '').replace(/\.$/, '') : payout;
}

/**
 * The payout goes into the JSON body as the recorded decimal, digit for digit (a JSON number is decimal text):
 * Number() would round what a double cannot hold, and 999999999999.999999 reached the publisher as
 * 999999999999.9999. The slot holds a NUL, which no stored text can, so it cannot be mistaken for a value.
 */
const PAYOUT_SLOT = '\0payout\0';
const PAYOUT_SLOT_JSON = JSON.stringify(PAYOUT_SLOT);

/**
 * The request of one attempt. `Idempotency-Key` and `webhook-id` are the conversion id, equal for every attempt,
 * so the publisher can drop the duplicates that at-least-once delivery produces.
 */
export function buildCallbackRequest(
  publisher: PublisherEndpoint,
  conversion: ConversionRecord,
  options: { nowMs: number; timeoutCeilingMs: number },
): CallbackRequest {
  const payout = formatPayout(conversion.payout);
  const url = renderCallbackUrl(publisher.callbackUrl, {
    conversion_id: conversion.id,
    click_id: conversion.clickId,
    event_id: conversion.eventId,
    offer_id: conversion.offerId,
    payout,
    user_id: conversion.userId,
    publisher_id: conversion.publisherId,
  });
  const body =
    publisher.method === 'POST'
      ? JSON.stringify({
          conversionId: conversion.id,
          publisherId: conversion.publisherId,
          clickId: conversion.clickId,
          eventId: conversion.eventId,
          offerId: conversion.offerId,
          payout: PAYOUT_SLOT,
          userId: conversion.userId,
          extras: conversion.extras,
        }).replace(PAYOUT_SLOT_JSON, payout)
      : undefined;
  const headers: Record<string, string> = { 'idempotency-key': conversion.id };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (publisher.secretHeader) headers[publisher.secretHeader.name.toLowerCase()] = publisher.secretHeader.value;
  if (publisher.signingSecret) {
    Object.assign(headers, signCallback(publisher.signingSecret, conversion.id, options.nowMs / 1000, body ?? ''));
  }
  // The signing secret is never sent, but an endpoint's error message may still quote the secret it expected.
  const secrets = [publisher.secretHeader?.value, publisher.signingSecret, headers['webhook-signature']];
  return {
    url,
    method: publisher.method,
    headers,
    body,
    secrets: secrets.filter((secret): secret is string => secret !== undefined),
    // CALLBACK_TIMEOUT is the ceiling: the activity's start-to-close timeout is derived from it.
    timeoutMs: Math.min(publisher.timeoutMs, options.timeoutCeilingMs),
  };
}
