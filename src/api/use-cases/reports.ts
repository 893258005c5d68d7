import { toCallbackView, toConversionView, findConversion, type CallbackView, type ConversionView } from '../../db/conversions';
import { findPublisherEndpoint } from '../../db/publishers';
import { buildCallbackRequest } from '../../delivery/callback-request';
import { shownRequest, type ShownRequest } from '../../delivery/shown-request';
import { listAttempts, listCallbacks, listConversions, type AttemptView, type CallbackFilters, type ConversionFilters } from '../../db/reports';
import type { ApiDeps } from '../deps';
import { NotFoundError } from '../errors';
import { decodeCursor, toPage, type Page } from '../pagination';

export interface PageParams {
  limit: number;
  cursor?: string;
}

function pageRequest({ limit, cursor }: PageParams) {
  return { limit, after: cursor === undefined ? undefined : decodeCursor(cursor) };
}

/** The conversion report: one row per conversion with Callback Sent Yes/No. */
export async function conversionReport(
  { pool }: ApiDeps,
  filters: ConversionFilters,
  page: PageParams,
): Promise<Page<ConversionView>> {
  return toPage(await listConversions(pool, filters, pageRequest(page)), page.limit, toConversionView);
}

export interface CallbackReportRow extends CallbackView {
  conversionId: string;
  publisherId: string;
  clickId: string;
  eventId: string;
  workflowId: string;
  conversionCreatedAt: Date;
}

/** The conversion callback report: one row per callback with its delivery status. */
export async function callbackReport({ pool }: ApiDeps, filters: CallbackFilters, page: PageParams): Promise<Page<CallbackReportRow>> {
  return toPage(await listCallbacks(pool, filters, pageRequest(page)), page.limit, (row) => ({
    conversionId: row.id,
    publisherId: row.publisher_id,
    clickId: row.click_id,
    eventId: row.event_id,
    workflowId: row.workflow_id,
    conversionCreatedAt: row.created_at,
    ...toCallbackView(row),
  }));
}

export interface ConversionDetails extends ConversionView {
  /** The callback request as it is sent now (the publisher's current endpoint), its secrets masked. */
  request: ShownRequest;
  attempts: AttemptView[];
}

/** One conversion with its callback, its request and every attempt, oldest first. */
export async function conversionDetails({ pool, config }: ApiDeps, conversionId: string): Promise<ConversionDetails> {
  const conversion = await findConversion(pool, conversionId);
  if (!conversion) throw new NotFoundError(`No conversion ${conversionId}`);
  const [endpoint, attempts] = await Promise.all([findPublisherEndpoint(pool, conversion.publisherId), listAttempts(pool, conversionId)]);
  // A conversion references its publisher (a foreign key): the endpoint exists.
  const request = buildCallbackRequest(endpoint!, { ...conversion, id: conversion.conversionId }, {
    nowMs: Date.now(),
    timeoutCeilingMs: config.CALLBACK_TIMEOUT,
  });
  return { ...conversion, request: shownRequest(request), attempts };
}
