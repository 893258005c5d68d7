import type { Role } from './api-keys';
import { ApiError, NotFoundError } from './errors';

/** Who makes a request, from its API key or its session. */
export interface Principal {
  role: Role;
  /** Set for the `publisher` role only: the one publisher whose data it may see and act on. */
  publisherId?: string;
  /** Who acts, without any secret, e.g. `operator key:1a2b3c4d`: what a resend records as requestedBy. */
  caller: string;
}

/** The state changes of the API. Reading is every role's, a publisher's confined to its own publisher. */
export type Action =
  | 'recordConversion'
  | 'createPublisher'
  | 'editPublisher'
  | 'resend'
  | 'sendTestCallback'
  /** Also naming someone else in a resend's requestedBy (a publisher key is recorded as itself). */
  | 'nameRequester'
  | 'openTemporalUi';

/** What each role may do; a publisher key's actions apply to its own publisher only (see publisherScope, requireVisible). */
const ALLOWED: Record<Role, readonly Action[]> = {
  admin: ['recordConversion', 'createPublisher', 'editPublisher', 'resend', 'sendTestCallback', 'nameRequester', 'openTemporalUi'],
  operator: ['resend', 'sendTestCallback', 'nameRequester', 'openTemporalUi'],
  viewer: [],
  publisher: ['editPublisher', 'resend', 'sendTestCallback'],
};

const DENIED: Record<Action, string> = {
  recordConversion: 'recording conversions needs an admin key',
  createPublisher: 'creating a publisher needs an admin key',
  editPublisher: 'editing a publisher needs an admin key (or the publisher\'s own key)',
  resend: 'resending needs an admin, operator or publisher key',
  sendTestCallback: 'sending a test callback needs an admin, operator or publisher key',
  nameRequester: 'a publisher key cannot set requestedBy: its resends are recorded under the key',
  openTemporalUi: 'the Temporal Web UI is for admin and operator keys',
};

/** 403: the principal is known but its role does not allow this. */
export class ForbiddenError extends ApiError {
  override readonly name = 'ForbiddenError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(403, 'forbidden', message, details);
  }
}

export function may(principal: Principal, action: Action): boolean {
  return ALLOWED[principal.role].includes(action);
}

/** Throws 403 unless the principal's role allows `action`. */
export function requirePermission(principal: Principal, action: Action): void {
  if (!may(principal, action)) throw new ForbiddenError(`Forbidden for a ${principal.role} key: ${DENIED[action]}`);
}

/** The publisher a principal is confined to; undefined for the roles that see every publisher. */
export function publisherScope(principal: Principal): string | undefined {
  return principal.role === 'publisher' ? principal.publisherId : undefined;
}

/** Whether the principal may see this publisher's data. */
export function sees(principal: Principal, publisherId: string): boolean {
  const scope = publisherScope(principal);
  return scope === undefined || scope === publisherId;
}

/**
 * A list's `publisherId` filter as the principal may use it: a publisher key's lists are always its own publisher's,
 * and naming another publisher is a 403 (a filter is not a way to probe for ids: every other id answers the same).
 */
export function scopedPublisherFilter(principal: Principal, requested: string | undefined): string | undefined {
  const scope = publisherScope(principal);
  if (scope === undefined) return requested;
  if (requested !== undefined && requested !== scope) {
    throw new ForbiddenError(`Forbidden for a publisher key: publisherId may only name its own publisher (${scope})`, {
      fields: [{ in: 'query', field: 'publisherId', reason: `may only be ${scope}` }],
    });
  }
  return scope;
}

/**
 * Throws 404 when a resource of another publisher is asked for by id: to a publisher key, another publisher's
 * resources do not exist, so their ids do not leak.
 */
export function requireVisible(principal: Principal, publisherId: string, notFound: string): void {
  if (!sees(principal, publisherId)) throw new NotFoundError(notFound);
}

/**
 * Who a resend is recorded as: the principal's caller label, after the name the request gives (`"alice (operator
 * key:1a2b3c4d)"`). Only admin and operator keys may give a name: a publisher key is always recorded as itself.
 */
export function requesterOf(principal: Principal, givenName: string | undefined): string {
  if (givenName === undefined) return principal.caller;
  requirePermission(principal, 'nameRequester');
  return `${givenName} (${principal.caller})`;
}
