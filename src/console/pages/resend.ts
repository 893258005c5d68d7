import { ApiFailure } from '../api';
import { errorNotice, notice } from '../components';
import { can, type PageContext } from '../context';
import { field, formValue, h, on, show } from '../dom';
import { time } from '../format';
import { link } from '../router';
import type { Candidate, ResendAccepted } from '../types';

/**
 * "I have Click ID and Conversion ID": resend by the conversion id and/or event id (a click id narrows them down).
 * The answer names the conversion that matched, or says none did, or lists the candidates when several do.
 */
export async function resendByIdentifiers(context: PageContext): Promise<void> {
  const { api, session, main } = context;
  if (!can.resend(session)) {
    show(main, h('h1', {}, 'Resend'), notice('error', 'This key may read only: it cannot resend callbacks.'));
    return;
  }
  const result = h('div', { class: 'action-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'stacked', 'aria-label': 'Resend by identifiers' },
    field('Conversion ID', h('input', { name: 'conversionId', autocomplete: 'off', spellcheck: 'false' })),
    field('Event ID', h('input', { name: 'eventId', autocomplete: 'off', spellcheck: 'false' })),
    field('Click ID', h('input', { name: 'clickId', autocomplete: 'off', spellcheck: 'false' }), 'Optional: narrows down an event id that several conversions share.'),
    h('button', { type: 'submit', class: 'primary' }, 'Send'),
  );

  async function send(ids: Record<string, string | undefined>): Promise<void> {
    show(result, notice('info', 'Sending…'));
    try {
      const accepted = await api.post<ResendAccepted>('/v1/callbacks/resend', ids);
      show(
        result,
        notice('ok', 'Resend requested for conversion ', h('a', { href: link(['conversions', accepted.conversionId]) }, accepted.conversionId), '. Open it to follow the attempt.'),
      );
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 404) {
        show(result, notice('error', 'No conversion matched: check the identifiers (they are matched exactly).'));
      } else if (err instanceof ApiFailure && err.status === 409 && Array.isArray(err.details.candidates)) {
        show(result, candidateList(err.details.candidates as Candidate[], err.details.moreCandidates === true, (id) => void send({ conversionId: id })));
      } else {
        show(result, errorNotice(err));
      }
    }
  }

  on(form, 'submit', (event) => {
    event.preventDefault();
    const ids = {
      conversionId: formValue(form, 'conversionId') || undefined,
      eventId: formValue(form, 'eventId') || undefined,
      clickId: formValue(form, 'clickId') || undefined,
    };
    if (!ids.conversionId && !ids.eventId) {
      show(result, notice('error', 'Enter the Conversion ID and/or the Event ID.'));
      return;
    }
    void send(ids);
  });

  show(
    main,
    h('h1', {}, 'I have Click ID and Conversion ID'),
    h('p', {}, 'Resend a conversion’s callback by its identifiers: enter the Conversion ID and/or the Event ID, and Send.'),
    form,
    result,
  );
}

function candidateList(candidates: Candidate[], more: boolean, resend: (conversionId: string) => void): HTMLElement {
  return h(
    'section',
    { class: 'candidates' },
    notice('info', `These identifiers match ${candidates.length}${more ? '+' : ''} conversions. Pick one, or add the Conversion ID or the Click ID.`),
    h(
      'ul',
      {},
      ...candidates.map((candidate) =>
        h(
          'li',
          { 'data-conversion-id': candidate.conversionId },
          h('a', { href: link(['conversions', candidate.conversionId]) }, candidate.conversionId),
          ` · click ${candidate.clickId} · event ${candidate.eventId} · ${candidate.publisherId} · ${time(candidate.createdAt)} `,
          on(h('button', { type: 'button', class: 'secondary' }, 'Resend this one'), 'click', () => resend(candidate.conversionId)),
        ),
      ),
    ),
  );
}
