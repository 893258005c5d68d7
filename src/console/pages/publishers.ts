import { ApiFailure } from '../api';
import { errorNotice, notice, showReportPage, table } from '../components';
import { can, type PageContext } from '../context';
import { field, formValue, h, on, show } from '../dom';
import { duration, time } from '../format';
import { go, link } from '../router';
import type { PublisherView, SuccessRule } from '../types';
import { endpointSection } from './endpoint-form';
import { testCallbackSection } from './test-callback';

function describeRule(rule: SuccessRule | null | undefined): string {
  if (!rule) return 'any 2xx';
  switch (rule.type) {
    case 'equals':
      return `2xx, body equals "${rule.value}"`;
    case 'regex':
      return `2xx, body matches /${rule.pattern}/`;
    case 'jsonField':
      return `2xx, JSON ${rule.path} = ${JSON.stringify(rule.value)}`;
  }
}

/** Publishers: their callback endpoints; a row opens one to edit it and send a test callback. */
export async function publisherList(context: PageContext): Promise<void> {
  const { session, main } = context;
  const results = h('div', { class: 'results' }, h('p', { class: 'loading' }, 'Loading…'));
  let addForm: HTMLFormElement | null = null;
  if (can.createPublisher(session)) {
    addForm = h(
      'form',
      { class: 'filters', 'aria-label': 'Add a publisher' },
      field('New publisher ID', h('input', { name: 'publisherId', required: true, autocomplete: 'off', spellcheck: 'false' })),
      h('button', { type: 'submit' }, 'Add publisher'),
    );
    on(addForm, 'submit', (event) => {
      event.preventDefault();
      const id = formValue(addForm as HTMLFormElement, 'publisherId');
      if (id) go(link(['publishers', id]));
    });
  }
  show(main, h('h1', {}, 'Publishers'), addForm, results);
  await showReportPage<PublisherView>(context, results, '/v1/publishers', {}, (rows) =>
    table(
      'Publishers',
      [
        { title: 'Publisher ID', cell: (row) => h('a', { href: link(['publishers', row.publisherId]) }, row.publisherId), className: 'id' },
        { title: 'Callback URL', cell: (row) => h('code', {}, row.callbackUrl), className: 'wrap' },
        { title: 'Method', cell: (row) => row.method },
        { title: 'Timeout', cell: (row) => duration(row.timeoutMs), className: 'number' },
        { title: 'Success rule', cell: (row) => describeRule(row.successRule) },
        { title: 'Updated', cell: (row) => time(row.updatedAt), className: 'nowrap' },
      ],
      rows,
      (row) => link(['publishers', row.publisherId]),
      'No publisher yet.',
    ),
  );
}

/** One publisher: its endpoint (editable for admin and its own publisher key), Send test callback, the IPs to allow. */
export async function publisherPage(context: PageContext): Promise<void> {
  const { api, session, route, main } = context;
  const publisherId = route.segments[1] ?? '';
  const path = `/v1/publishers/${encodeURIComponent(publisherId)}`;
  show(main, h('p', { class: 'loading' }, 'Loading…'));

  let publisher: PublisherView | null = null;
  try {
    publisher = await api.get<PublisherView>(path);
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 404 && can.createPublisher(session))) {
      show(main, h('h1', {}, 'Publisher ', h('code', {}, publisherId)), errorNotice(err));
      return;
    }
  }

  const editable = can.editPublisher(session, publisherId);
  show(
    main,
    h('p', { class: 'breadcrumb' }, can.choosePublisher(session) ? h('a', { href: link(['publishers']) }, '« Publishers') : null),
    h('h1', {}, publisher ? 'Publisher ' : 'New publisher ', h('code', {}, publisherId)),
    publisher
      ? h(
          'p',
          { class: 'quick-links' },
          h('a', { href: link(['conversions'], { publisherId }) }, 'Its conversions'),
          ' · ',
          h('a', { href: link(['callbacks'], { publisherId, status: 'failed' }) }, 'Its failed callbacks'),
        )
      : null,
    endpointSection(context, path, publisher, editable),
    publisher && can.testCallback(session) ? testCallbackSection(context, path) : null,
    outboundIpsSection(session.outboundIps),
  );
}

function outboundIpsSection(ips: string[]): HTMLElement {
  return h(
    'section',
    { class: 'outbound-ips' },
    h('h2', {}, 'IP addresses to allow'),
    ips.length > 0
      ? h('div', {}, h('p', {}, 'Callbacks come from these addresses: allow them in your firewall and your system’s network settings.'), h('ul', {}, ...ips.map((ip) => h('li', {}, h('code', {}, ip)))))
      : notice('info', 'The service’s outbound IP addresses are not configured (OUTBOUND_IPS); ask the platform’s operators.'),
  );
}
