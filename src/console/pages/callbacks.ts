import { filterForm, publisherInput, showReportPage, statusBadge, table } from '../components';
import type { PageContext } from '../context';
import { field, formValue, h, show } from '../dom';
import { STATUS_LABELS, time } from '../format';
import { link } from '../router';
import type { CallbackRow } from '../types';

/** The Event Report's Conversion Callback tab: one row per callback with its Status; a row opens the conversion. */
export async function callbackReport(context: PageContext): Promise<void> {
  const { route, main } = context;
  const q = route.query;
  const publisher = publisherInput(context, q.get('publisherId'));
  const filters = filterForm(
    context,
    [
      field(
        'Status',
        h(
          'select',
          { name: 'status' },
          h('option', { value: '' }, 'Any status'),
          ...Object.entries(STATUS_LABELS).map(([value, label]) => h('option', { value, selected: q.get('status') === value }, label)),
        ),
      ),
      publisher && field('Publisher', publisher),
    ],
    (form) => ({ status: formValue(form, 'status') || undefined, publisherId: formValue(form, 'publisherId') || undefined }),
  );
  const results = h('div', { class: 'results' }, h('p', { class: 'loading' }, 'Loading…'));
  show(main, h('h1', {}, 'Event Report'), h('p', { class: 'tabs' }, h('span', { class: 'tab active' }, 'Conversion Callback')), filters, results);

  const filtered = { status: q.get('status'), publisherId: q.get('publisherId') };
  await showReportPage<CallbackRow>(context, results, '/v1/callbacks', filtered, (rows) =>
    table(
      'Callbacks, newest first',
      [
        { title: 'Time', cell: (row) => time(row.conversionCreatedAt), className: 'nowrap' },
        { title: 'Conversion ID', cell: (row) => h('a', { href: link(['conversions', row.conversionId]) }, row.conversionId), className: 'id' },
        { title: 'Publisher', cell: (row) => row.publisherId, className: 'id' },
        { title: 'Status', cell: (row) => statusBadge(row.status) },
        { title: 'Attempts', cell: (row) => row.attempts, className: 'number' },
        { title: 'Last status code', cell: (row) => row.lastStatusCode ?? '—', className: 'number' },
        { title: 'Last error', cell: (row) => lastError(row), className: 'wrap' },
        { title: 'Next retry', cell: (row) => time(row.nextRetryAt), className: 'nowrap' },
      ],
      rows,
      (row) => link(['conversions', row.conversionId]),
      'No callback matches these filters.',
    ),
  );
}

function lastError(row: CallbackRow): HTMLElement | string {
  if (!row.lastError) return '—';
  return h('span', {}, row.lastError, row.lastFailureCause ? h('span', { class: 'cause-tag' }, row.lastFailureCause.label) : null);
}
