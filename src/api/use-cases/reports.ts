import { toCallbackView, toConversionView, findConversion, type CallbackView, type ConversionView } from '../../db/conversions';
import { buildCallbackRequest } from '../../delivery/callback-request';
import { shownRequest, type ShownRequest } from '../../delivery/shown-request';
import { listAttempts, listCallbacks, listConversions, type AttemptView, type CallbackFilters, type ConversionFilters } from '../../db/reports';
import { findPublisherEndpoint, listPublishers, toPublisherView, type PublisherView } from '../../db/publishers';
import type { ApiDeps } from '../deps';
import { NotFoundError } from '../errors';
import { decodeCursor, toPage, type Page } from '../pagination';
import { requireVisible, type Principal } from '../permissions';

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

/** One conversion with its callback, its request and every attempt, oldest first; 404 for a conversion the principal may not see. */
export async function conversionDetails({ pool, config }: ApiDeps, conversionId: string, principal: Principal): Promise<ConversionDetails> {
  const notFound = `No conversion ${conversionId}`;
  const conversion = await findConversion(pool, conversionId);
  if (!conversion) throw new NotFoundError(notFound);
  requireVisible(principal, conversion.publisherId, notFound);
  const [endpoint, attempts] = await Promise.all([findPublisherEndpoint(pool, conversion.publisherId), listAttempts(pool, conversionId)]);
  // A conversion references its publisher (a foreign key): the endpoint exists.
  const request = buildCallbackRequest(endpoint!, { ...conversion, id: conversion.conversionId }, {
    nowMs: Date.now(),
    timeoutCeilingMs: config.CALLBACK_TIMEOUT,
  });
  return { ...conversion, request: shownRequest(request), attempts };
}

/** The publishers, newest first; only `publisherId` when given. */
export async function publisherList({ pool }: ApiDeps, filters: { publisherId?: string }, page: PageParams): Promise<Page<PublisherView>> {
  return toPage(await listPublishers(pool, filters, pageRequest(page)), page.limit, toPublisherView);
}
