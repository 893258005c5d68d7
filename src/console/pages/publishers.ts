import { CALLBACK_MACROS } from '../../delivery/macros';
import { ApiFailure } from '../api';
import { causeBox, errorNotice, notice, pager, table } from '../components';
import { can, type PageContext } from '../context';
import { facts, field, formChecked, formValue, h, on, show } from '../dom';
import { duration, time } from '../format';
import { go, link } from '../router';
import type { Page, PublisherView, SuccessRule, TestCallbackResult } from '../types';
import { requestSection } from './conversion';

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
  const { api, session, route, main } = context;
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
  try {
    const page = await api.get<Page<PublisherView>>('/v1/publishers', { cursor: route.query.get('cursor') ?? undefined, limit: '50' });
    show(
      results,
      table<PublisherView>(
        'Publishers',
        [
          { title: 'Publisher ID', cell: (row) => h('a', { href: link(['publishers', row.publisherId]) }, row.publisherId), className: 'id' },
          { title: 'Callback URL', cell: (row) => h('code', {}, row.callbackUrl), className: 'wrap' },
          { title: 'Method', cell: (row) => row.method },
          { title: 'Timeout', cell: (row) => duration(row.timeoutMs), className: 'number' },
          { title: 'Success rule', cell: (row) => describeRule(row.successRule) },
          { title: 'Updated', cell: (row) => time(row.updatedAt), className: 'nowrap' },
        ],
        page.data,
        (row) => link(['publishers', row.publisherId]),
        'No publisher yet.',
      ),
      pager(context, page.nextCursor),
    );
  } catch (err) {
    show(results, errorNotice(err));
  }
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

function endpointSection(context: PageContext, path: string, publisher: PublisherView | null, editable: boolean): HTMLElement {
  const rule = publisher?.successRule ?? null;
  const disabled = !editable;
  const ruleType = h(
    'select',
    { name: 'ruleType', disabled },
    h('option', { value: '' }, 'Any 2xx answer'),
    h('option', { value: 'equals', selected: rule?.type === 'equals' }, 'Body equals'),
    h('option', { value: 'regex', selected: rule?.type === 'regex' }, 'Body matches a regular expression'),
    h('option', { value: 'jsonField', selected: rule?.type === 'jsonField' }, 'JSON field has a value'),
  );
  const ruleFields = {
    equals: field('Expected body', h('input', { name: 'ruleValue', value: rule?.type === 'equals' ? rule.value : '', placeholder: 'e.g. 1 or OK', disabled })),
    regex: field('Pattern', h('input', { name: 'rulePattern', value: rule?.type === 'regex' ? rule.pattern : '', placeholder: 'e.g. ^(OK|1)$', disabled })),
    jsonField: h(
      'div',
      { class: 'row' },
      field('JSON field path', h('input', { name: 'rulePath', value: rule?.type === 'jsonField' ? rule.path : '', placeholder: 'e.g. status or result.ok', disabled })),
      field(
        'Value (JSON: "ok", 1, true, null)',
        h('input', { name: 'ruleJsonValue', value: rule?.type === 'jsonField' ? JSON.stringify(rule.value) : '', placeholder: '"ok"', disabled }),
      ),
    ),
  };
  const showRuleFields = (): void => {
    for (const [type, element] of Object.entries(ruleFields)) element.hidden = ruleType.value !== type;
  };
  on(ruleType, 'change', showRuleFields);
  showRuleFields();

  const result = h('div', { class: 'action-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'stacked', 'aria-label': 'Callback endpoint' },
    field(
      'Callback URL template',
      h('input', { name: 'callbackUrl', value: publisher?.callbackUrl ?? '', required: true, disabled, spellcheck: 'false', placeholder: 'https://your.server/postback?click={click_id}&payout={payout}' }),
      `Macros: ${CALLBACK_MACROS.map((name) => `{${name}}`).join(' ')}`,
    ),
    h(
      'div',
      { class: 'row' },
      field(
        'Method',
        h('select', { name: 'method', disabled }, ...['POST', 'GET'].map((method) => h('option', { value: method, selected: publisher?.method === method }, method))),
      ),
      field('Timeout (ms)', h('input', { name: 'timeoutMs', type: 'number', min: 100, step: 1, value: publisher?.timeoutMs ?? '', disabled, placeholder: 'the maximum' })),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Secret header (sent with every callback)'),
      h(
        'div',
        { class: 'row' },
        field('Name', h('input', { name: 'secretHeaderName', value: publisher?.secretHeader?.name ?? '', disabled, placeholder: 'e.g. X-Api-Key', spellcheck: 'false' })),
        field(
          'Value',
          h('input', { name: 'secretHeaderValue', type: 'password', autocomplete: 'new-password', disabled, placeholder: publisher?.secretHeader ? '•••••• set (leave empty to keep)' : '' }),
        ),
      ),
      publisher?.secretHeader ? h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'removeSecretHeader', disabled }), ' Remove the secret header') : null,
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Signing secret (HMAC signature of each callback)'),
      field(
        'Secret',
        h('input', { name: 'signingSecret', type: 'password', autocomplete: 'new-password', disabled, placeholder: publisher?.signingSecretSet ? '•••••• set (leave empty to keep)' : 'at least 16 characters' }),
      ),
      publisher?.signingSecretSet ? h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'removeSigningSecret', disabled }), ' Remove the signing secret') : null,
    ),
    h('fieldset', {}, h('legend', {}, 'Success rule (besides a 2xx status)'), field('Rule', ruleType), ruleFields.equals, ruleFields.regex, ruleFields.jsonField),
    editable ? h('button', { type: 'submit', class: 'primary' }, publisher ? 'Save endpoint' : 'Create publisher') : notice('info', 'This key may not edit this endpoint.'),
  );

  on(form, 'submit', (event) => {
    event.preventDefault();
    let body: Record<string, unknown>;
    try {
      body = endpointBody(form, publisher);
    } catch (err) {
      show(result, notice('error', (err as Error).message));
      return;
    }
    show(result, notice('info', 'Saving…'));
    context.api.put<PublisherView>(path, body).then(
      (saved) => {
        if (!publisher) return go(link(['publishers', saved.publisherId]));
        show(result, notice('ok', `Saved at ${time(saved.updatedAt)}.`));
      },
      (err: unknown) => show(result, errorNotice(err)),
    );
  });
  return h('section', { class: 'endpoint' }, h('h2', {}, 'Callback endpoint'), form, result);
}

/** The PUT body from the form; secrets are sent only when typed (else kept) or removed (null). */
function endpointBody(form: HTMLFormElement, publisher: PublisherView | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    callbackUrl: formValue(form, 'callbackUrl'),
    method: formValue(form, 'method') || 'POST',
    successRule: successRule(form),
  };
  const timeout = formValue(form, 'timeoutMs');
  if (timeout) body.timeoutMs = Number(timeout);

  const headerName = formValue(form, 'secretHeaderName');
  const headerValue = formValue(form, 'secretHeaderValue');
  if (formChecked(form, 'removeSecretHeader')) body.secretHeader = null;
  else if (headerName && headerValue) body.secretHeader = { name: headerName, value: headerValue };
  else if (headerValue) throw new Error('Give the secret header a name.');
  else if (headerName && headerName !== publisher?.secretHeader?.name) throw new Error('Enter the secret header’s value (it is never shown again).');
  else if (!headerName && publisher?.secretHeader) body.secretHeader = null;

  const signingSecret = formValue(form, 'signingSecret');
  if (formChecked(form, 'removeSigningSecret')) body.signingSecret = null;
  else if (signingSecret) body.signingSecret = signingSecret;
  return body;
}

function successRule(form: HTMLFormElement): SuccessRule | null {
  switch (formValue(form, 'ruleType')) {
    case 'equals':
      return { type: 'equals', value: formValue(form, 'ruleValue') };
    case 'regex':
      return { type: 'regex', pattern: formValue(form, 'rulePattern') };
    case 'jsonField': {
      const text = formValue(form, 'ruleJsonValue');
      let value: string | number | boolean | null = text;
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed === null || ['string', 'number', 'boolean'].includes(typeof parsed)) value = parsed as string | number | boolean | null;
      } catch {
        value = text; // a bare word is meant as a string
      }
      return { type: 'jsonField', path: formValue(form, 'rulePath'), value };
    }
    default:
      return null;
  }
}

function testCallbackSection(context: PageContext, path: string): HTMLElement {
  const result = h('div', { class: 'action-result test-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'primary', 'data-action': 'test-callback' }, 'Send test callback');
  on(button, 'click', () => {
    button.disabled = true;
    show(result, notice('info', 'Sending a test callback…'));
    context.api
      .post<TestCallbackResult>(`${path}/test-callback`, {})
      .then(
        (answer) => show(result, testResult(answer)),
        (err: unknown) => show(result, errorNotice(err)),
      )
      .finally(() => {
        button.disabled = false;
      });
  });
  return h(
    'section',
    { class: 'test-callback' },
    h('h2', {}, 'Test callback'),
    h('p', {}, 'Makes one real attempt to the saved endpoint with sample values, and shows the answer. No conversion is touched.'),
    button,
    result,
  );
}

const VERDICTS: Record<TestCallbackResult['verdict'], string> = {
  success: 'Success: this answer counts as delivered.',
  retryable: 'Failed, would be retried: this answer is retried automatically.',
  final: 'Failed for good: this answer is not retried.',
};

function testResult(answer: TestCallbackResult): HTMLElement {
  const { outcome } = answer;
  return h(
    'div',
    { 'data-verdict': answer.verdict },
    notice(answer.verdict === 'success' ? 'ok' : 'error', VERDICTS[answer.verdict] ?? answer.verdict),
    facts([
      ['Answer', outcome.statusCode !== null ? `HTTP ${outcome.statusCode}` : (outcome.errorClass ?? '—')],
      ['Duration', duration(outcome.durationMs)],
    ]),
    answer.cause ? causeBox(answer.cause) : null,
    outcome.responseSnippet ? h('section', {}, h('h3', {}, 'Response'), h('pre', { class: 'snippet' }, outcome.responseSnippet)) : null,
    requestSection(answer.request, 'Request sent'),
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
