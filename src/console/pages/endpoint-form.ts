import { CALLBACK_MACROS } from '../../delivery/macros';
import { errorNotice, notice } from '../components';
import type { PageContext } from '../context';
import { field, formChecked, formValue, h, on, show } from '../dom';
import { time } from '../format';
import { go, link } from '../router';
import type { PublisherView, SuccessRule } from '../types';

/**
 * A publisher's callback endpoint as a form: disabled for keys that may not edit it. Saving PUTs the whole endpoint;
 * the secrets are sent only when typed (else the stored ones are kept) or removed.
 */
export function endpointSection(context: PageContext, path: string, publisher: PublisherView | null, editable: boolean): HTMLElement {
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
