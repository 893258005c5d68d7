import { causeBox, errorNotice, notice, requestSection } from '../components';
import type { PageContext } from '../context';
import { facts, h, on, show } from '../dom';
import { duration } from '../format';
import type { TestCallbackResult } from '../types';

/** Send test callback: one real attempt to the saved endpoint with sample values, and its answer. */
export function testCallbackSection(context: PageContext, path: string): HTMLElement {
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
