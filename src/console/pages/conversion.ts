import { causeBox, errorNotice, notice, requestSection, sentBadge, statusBadge } from '../components';
import { can, pause, type PageContext } from '../context';
import { facts, h, on, show } from '../dom';
import { duration, time } from '../format';
import { link } from '../router';
import type { Attempt, ConversionDetails, ResendAccepted, Session } from '../types';

/** While a callback is on its way, the page follows it; after a Resend it looks more often. */
const FOLLOW_MS = 2000;
const AFTER_RESEND_MS = 1000;
/** A resend's attempt is awaited this long on the page (it still happens, and shows, later). */
const RESEND_WAIT_MS = 120_000;

const progressOf = (details: ConversionDetails): string => JSON.stringify([details.callback, details.attempts]);

const settled = (details: ConversionDetails): boolean =>
  (details.callback.status === 'sent' || details.callback.status === 'failed') && details.attempts.every((a) => a.outcome !== 'in_flight');

/**
 * One conversion: its fields, the callback request as sent, every attempt as a timeline with its trigger and who
 * asked, the failure's cause with its remedy, Resend (not for viewer keys), and the workflow in Temporal's Web UI
 * (admin and operator keys). The page follows the callback by polling the API, so a resend's attempt appears
 * without a reload.
 */
export async function conversionPage(context: PageContext): Promise<void> {
  const { api, session, route, main, signal } = context;
  const conversionId = route.segments[1] ?? '';
  const path = `/v1/conversions/${encodeURIComponent(conversionId)}`;
  const live = h('div', { class: 'conversion' }, h('p', { class: 'loading' }, 'Loading…'));
  const resendResult = h('div', { class: 'action-result', 'aria-live': 'polite' });
  const actions = h('div', { class: 'actions' });
  show(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: link(['conversions']) }, '« Conversion Report')),
    h('h1', {}, 'Conversion ', h('code', {}, conversionId)),
    actions,
    resendResult,
    live,
  );

  let details: ConversionDetails;
  try {
    details = await api.get<ConversionDetails>(path);
  } catch (err) {
    show(live, errorNotice(err));
    return;
  }
  render(live, details);

  /** Attempts the page waits to see (after a resend); the follow loop runs while this or an unsettled callback needs it. */
  let awaitedAttempts = 0;
  let following = false;
  async function follow(): Promise<void> {
    if (following) return;
    following = true;
    const until = Date.now() + RESEND_WAIT_MS;
    try {
      while (!settled(details) || (details.attempts.length < awaitedAttempts && Date.now() < until)) {
        if (!(await pause(awaitedAttempts > details.attempts.length ? AFTER_RESEND_MS : FOLLOW_MS, signal))) return;
        let next: ConversionDetails;
        try {
          next = await api.get<ConversionDetails>(path);
        } catch {
          continue; // a blip: the next poll may answer
        }
        // Redrawn only when the callback or its attempts changed (the request's timestamp changes at every read), so
        // a reader's text selection survives the polls.
        if (progressOf(next) !== progressOf(details)) render(live, next);
        details = next;
        if (awaitedAttempts > 0 && details.attempts.length >= awaitedAttempts && settled(details)) {
          show(resendResult, resendOutcome(details.attempts[details.attempts.length - 1]));
          awaitedAttempts = 0;
        }
      }
    } finally {
      following = false;
    }
  }

  if (can.resend(session)) {
    const button = h('button', { type: 'button', class: 'primary', 'data-action': 'resend' }, 'Resend');
    on(button, 'click', () => {
      button.disabled = true;
      show(resendResult, notice('info', 'Resending…'));
      const before = details.attempts.length;
      api.post<ResendAccepted>(`${path}/resend`, {}).then(
        () => {
          show(resendResult, notice('info', 'Resend requested: waiting for the publisher’s answer…'));
          awaitedAttempts = before + 1;
          void follow();
        },
        (err: unknown) => show(resendResult, errorNotice(err)),
      ).finally(() => {
        button.disabled = false;
      });
    });
    actions.appendChild(button);
  }
  const workflowLink = temporalLink(session, details.workflowId);
  if (workflowLink) actions.appendChild(workflowLink);

  void follow();
}

function resendOutcome(attempt: Attempt | undefined): HTMLElement {
  if (attempt?.outcome === 'succeeded') {
    return notice('ok', `Resent: the publisher answered ${attempt.statusCode ?? 'OK'}. The callback is sent.`);
  }
  const answer = attempt?.statusCode ? `HTTP ${attempt.statusCode}` : (attempt?.errorClass ?? 'no answer');
  return notice('error', `Resent, but the attempt failed (${answer})${attempt?.cause ? `: ${attempt.cause.label}` : ''}.`);
}

/** The conversion's workflow in the Temporal Web UI, whose address the API gives admin and operator keys only. */
function temporalLink(session: Session, workflowId: string): HTMLElement | null {
  const base = session.temporalUiUrl;
  if (!base || !/^https?:\/\//i.test(base)) return null;
  const href = `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(session.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: 'button secondary', 'data-action': 'temporal' }, 'Open the workflow in Temporal Web UI');
}

function render(live: HTMLElement, details: ConversionDetails): void {
  const { callback } = details;
  const failed = callback.status === 'failed';
  show(
    live,
    facts([
      ['Time', time(details.createdAt)],
      ['Conversion ID', details.conversionId],
      ['Click ID', details.clickId],
      ['Event ID', details.eventId],
      ['Publisher', h('a', { href: link(['publishers', details.publisherId]) }, details.publisherId)],
      ['Offer', details.offerId],
      ['Payout', details.payout],
      ['User', details.userId],
      ['Callback Sent', sentBadge(details.callbackSent)],
      ['Status', statusBadge(callback.status)],
      ['Attempts', String(callback.attempts)],
      callback.nextRetryAt ? ['Next retry', time(callback.nextRetryAt)] : null,
      callback.sentAt ? ['Sent', time(callback.sentAt)] : null,
      callback.failedAt ? ['Failed', time(callback.failedAt)] : null,
    ]),
    callback.lastFailureCause
      ? causeBox(callback.lastFailureCause, failed ? 'Why it failed' : 'Why the last attempt failed')
      : failed && callback.lastError
        ? h('section', { class: 'cause' }, h('h3', {}, 'Why it failed'), h('p', {}, callback.lastError))
        : null,
    Object.keys(details.extras).length > 0 ? h('section', {}, h('h2', {}, 'Extras'), h('pre', {}, JSON.stringify(details.extras, null, 2))) : null,
    details.request ? requestSection(details.request) : null,
    h('section', {}, h('h2', {}, 'Attempts'), attemptTimeline(details.attempts)),
  );
}

const OUTCOME_LABELS: Record<Attempt['outcome'], string> = {
  in_flight: 'In flight',
  succeeded: 'Succeeded',
  failed: 'Failed',
  abandoned: 'Abandoned',
};

function attemptTimeline(attempts: Attempt[]): HTMLElement {
  if (attempts.length === 0) return notice('info', 'No attempt yet: the first one starts shortly.');
  return h(
    'ol',
    { class: 'timeline' },
    ...attempts.map((attempt) =>
      h(
        'li',
        { class: `attempt outcome-${attempt.outcome}`, 'data-attempt': attempt.attemptNumber },
        h(
          'p',
          { class: 'attempt-head' },
          h('strong', {}, `Attempt ${attempt.attemptNumber}`),
          ' ',
          h('span', { class: `badge outcome-${attempt.outcome}` }, OUTCOME_LABELS[attempt.outcome] ?? attempt.outcome),
          ' ',
          h('span', { class: 'trigger' }, attempt.trigger === 'manual' ? `manual${attempt.requestedBy ? `, by ${attempt.requestedBy}` : ''}` : 'automatic'),
        ),
        facts([
          ['Time', time(attempt.startedAt)],
          ['Answer', attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : (attempt.errorClass ?? (attempt.outcome === 'in_flight' ? 'waiting…' : '—'))],
          ['Duration', duration(attempt.durationMs)],
          attempt.nextRetryAt ? ['Next retry', time(attempt.nextRetryAt)] : null,
          attempt.errorMessage ? ['Error', attempt.errorMessage] : null,
        ]),
        attempt.cause ? h('p', { class: 'attempt-cause' }, h('strong', {}, attempt.cause.label), ' — ', attempt.cause.remedy) : null,
        attempt.responseSnippet ? h('pre', { class: 'snippet', 'aria-label': 'Response' }, attempt.responseSnippet) : null,
      ),
    ),
  );
}
