import { filterForm, publisherInput, sentBadge, showReportPage, table } from '../components';
import type { PageContext } from '../context';
import { field, formValue, h, show } from '../dom';
import { fromLocalInput, time, toLocalInput } from '../format';
import { link } from '../router';
import type { ConversionView } from '../types';

/** The Conversion Report: one row per conversion, with Callback Sent Yes/No; a row opens the conversion. */
export async function conversionReport(context: PageContext): Promise<void> {
  const { route, main } = context;
  const q = route.query;
  const publisher = publisherInput(context, q.get('publisherId'));
  const filters = filterForm(
    context,
    [
      field('From (UTC)', h('input', { type: 'datetime-local', name: 'from', value: toLocalInput(q.get('from')) })),
      field('To (UTC)', h('input', { type: 'datetime-local', name: 'to', value: toLocalInput(q.get('to')) })),
      publisher && field('Publisher', publisher),
      field(
        'Callback Sent',
        h(
          'select',
          { name: 'callbackSent' },
          h('option', { value: '' }, 'Yes or No'),
          h('option', { value: 'Yes', selected: q.get('callbackSent') === 'Yes' }, 'Yes'),
          h('option', { value: 'No', selected: q.get('callbackSent') === 'No' }, 'No'),
        ),
      ),
    ],
    (form) => ({
      from: fromLocalInput(formValue(form, 'from')),
      to: fromLocalInput(formValue(form, 'to')),
      publisherId: formValue(form, 'publisherId') || undefined,
      callbackSent: formValue(form, 'callbackSent') || undefined,
    }),
  );
  const results = h('div', { class: 'results' }, h('p', { class: 'loading' }, 'Loading…'));
  show(main, h('h1', {}, 'Conversion Report'), filters, results);

  const filtered = { from: q.get('from'), to: q.get('to'), publisherId: q.get('publisherId'), callbackSent: q.get('callbackSent') };
  await showReportPage<ConversionView>(context, results, '/v1/conversions', filtered, (rows) =>
    table(
      'Conversions, newest first',
      [
        { title: 'Time', cell: (row) => time(row.createdAt), className: 'nowrap' },
        { title: 'Conversion ID', cell: (row) => h('a', { href: link(['conversions', row.conversionId]) }, row.conversionId), className: 'id' },
        { title: 'Publisher', cell: (row) => row.publisherId, className: 'id' },
        { title: 'Offer', cell: (row) => row.offerId },
        { title: 'Payout', cell: (row) => row.payout, className: 'number' },
        { title: 'User', cell: (row) => row.userId },
        { title: 'Callback Sent', cell: (row) => sentBadge(row.callbackSent) },
      ],
      rows,
      (row) => link(['conversions', row.conversionId]),
      'No conversion matches these filters.',
    ),
  );
}
