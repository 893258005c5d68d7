import { ApiFailure, type Api } from '../api';
import { errorNotice, notice } from '../components';
import { field, h, on, show } from '../dom';
import type { Session } from '../types';

/**
 * Sign-in with an API key. The key goes once to POST /v1/session, which answers with an HttpOnly cookie: the page
 * never stores the key (nor anything else) in the browser, and the key never appears in a URL.
 */
export function signInPage(root: HTMLElement, api: Api, signedIn: (session: Session) => void, reason?: string): void {
  const input = h('input', { name: 'apiKey', type: 'password', required: true, autocomplete: 'current-password', spellcheck: 'false' });
  const result = h('div', { 'aria-live': 'polite' }, reason ? notice('info', reason) : null);
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'stacked sign-in', 'aria-label': 'Sign in' }, field('API key', input, 'The key you were given (npm start prints one).'), button);
  on(form, 'submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    api.send<Session>('POST', '/v1/session', { apiKey: input.value.trim() }, true).then(
      (session) => {
        input.value = '';
        signedIn(session);
      },
      (err: unknown) => {
        button.disabled = false;
        show(result, err instanceof ApiFailure && err.status === 401 ? notice('error', 'This key is not valid.') : errorNotice(err));
      },
    );
  });
  document.title = 'Sign in · Conversion callbacks';
  show(root, h('main', { class: 'sign-in-page' }, h('h1', {}, 'Conversion callbacks'), h('p', {}, 'Sign in to the console with your API key.'), form, result));
  input.focus();
}
