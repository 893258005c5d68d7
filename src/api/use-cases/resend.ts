import { findConversionsByIdentifiers, type ConversionCandidate } from '../../db/conversions';
import { markDispatched } from '../../db/outbox';
import type { ApiDeps } from '../deps';
import { ConflictError, NotFoundError } from '../errors';

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
  // Signal-with-start also starts a workflow still waiting in the outbox: the dispatcher need not start it. The
  // resend is done whatever happens to this mark: failing the request would make the caller resend twice, and an
  // entry left in the outbox only costs the dispatcher an idempotent start.
  await markDispatched(deps.pool, [conversion.conversionId]).catch((err: unknown) => {
    deps.logger.warn('resend requested, but its workflow could not be marked started', { conversionId: conversion.conversionId, error: err });
  });
  deps.logger.info('resend requested', { conversionId: conversion.conversionId, requestedBy });
  return { conversionId: conversion.conversionId, workflowId };
}

/** Resend from the conversion: POST /v1/conversions/:conversionId/resend. */
export async function resendConversion(deps: ApiDeps, conversionId: string, requestedBy: string): Promise<ResendAccepted> {
  const [conversion] = await findConversionsByIdentifiers(deps.pool, { conversionId }, 1);
  if (!conversion) throw new NotFoundError(`No conversion ${conversionId}`);
  return resend(deps, conversion, requestedBy);
}

export interface ResendIdentifiers {
  conversionId?: string;
  eventId?: string;
  clickId?: string;
}

/** Resend by identifiers: they must match exactly one conversion (404 for none, 409 listing several). */
export async function resendByIdentifiers(deps: ApiDeps, ids: ResendIdentifiers, requestedBy: string): Promise<ResendAccepted> {
  const matches = await findConversionsByIdentifiers(deps.pool, ids, MAX_CANDIDATES + 1);
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
