import { findConversionsByIdentifiers, markWorkflowStarted, type ConversionCandidate } from '../../db/conversions';
import type { ApiDeps } from '../deps';
import { ConflictError, NotFoundError } from '../errors';
import { publisherScope, type Principal } from '../permissions';

export interface ResendAccepted {
  conversionId: string;
  workflowId: string;
}

/** At most this many candidates are listed in a 409. */
const MAX_CANDIDATES = 10;

async function resend(deps: ApiDeps, conversion: ConversionCandidate, requestedBy: string): Promise<ResendAccepted> {
  const { workflowId } = await deps.scheduler.requestResend(
    { conversionId: conversion.conversionId, publisherId: conversion.publisherId },
    requestedBy,
  );
  // Signal-with-start also starts a workflow that the POST could not start: the sweep need not do it again. The
  // resend is done whatever happens to this mark: failing the request would make the caller resend twice, and a
  // mark left unset only costs the sweep an idempotent start.
  await markWorkflowStarted(deps.pool, conversion.conversionId).catch((err: unknown) => {
    deps.logger.warn('resend requested, but its workflow could not be marked started', { conversionId: conversion.conversionId, error: err });
  });
  deps.logger.info('resend requested', { conversionId: conversion.conversionId, requestedBy });
  return { conversionId: conversion.conversionId, workflowId };
}

/**
 * Resend from the conversion: POST /v1/conversions/:conversionId/resend. A publisher key finds its own
 * conversions only: another publisher's is a 404, as if it did not exist.
 */
export async function resendConversion(deps: ApiDeps, conversionId: string, principal: Principal, requestedBy: string): Promise<ResendAccepted> {
  const [conversion] = await findConversionsByIdentifiers(deps.pool, { conversionId, publisherId: publisherScope(principal) }, 1);
  if (!conversion) throw new NotFoundError(`No conversion ${conversionId}`);
  return resend(deps, conversion, requestedBy);
}

export interface ResendIdentifiers {
  conversionId?: string;
  eventId?: string;
  clickId?: string;
}

/**
 * Resend by identifiers: they must match exactly one conversion (404 for none, 409 listing several). Only the
 * principal's visible conversions match, so a publisher key never learns of another publisher's.
 */
export async function resendByIdentifiers(
  deps: ApiDeps,
  ids: ResendIdentifiers,
  principal: Principal,
  requestedBy: string,
): Promise<ResendAccepted> {
  const matches = await findConversionsByIdentifiers(deps.pool, { ...ids, publisherId: publisherScope(principal) }, MAX_CANDIDATES + 1);
  const described = Object.entries(ids)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
  if (matches.length === 0) throw new NotFoundError(`No conversion matches ${described}`);
  if (matches.length > 1) {
    throw new ConflictError(`${described} matches several conversions; add conversionId or clickId to pick one`, {
      candidates: matches.slice(0, MAX_CANDIDATES),
      moreCandidates: matches.length > MAX_CANDIDATES,
    });
  }
  return resend(deps, matches[0], requestedBy);
}
