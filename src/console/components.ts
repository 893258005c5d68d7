import { ApiFailure } from './api';
import { can, type PageContext } from './context';
import { h, on, show, type Child } from './dom';
import { statusLabel } from './format';
import { go, link } from './router';
import type { CallbackRequest, Cause, Page, PublisherView } from './types';

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}` }, statusLabel(status));
}

export function sentBadge(sent: 'Yes' | 'No'): HTMLElement {
  return h('span', { class: `badge sent-${sent.toLowerCase()}` }, sent);
}

/** Why an attempt or callback failed, and what to do about it. */
export function causeBox(cause: Cause, title = 'Why it failed'): HTMLElement {
  return h(
    'section',
    { class: 'cause', 'data-cause': cause.code },
    h('h3', {}, title),
    h('p', { class: 'cause-label' }, cause.label),
    h('p', { class: 'cause-remedy' }, h('strong', {}, 'What to do: '), cause.remedy),
  );
}

/** A failure as the user reads it: the API's own message (it names the field or the reason). */
export function errorNotice(err: unknown): HTMLElement {
  const message =
    err instanceof ApiFailure
      ? err.status === 403
        ? `Not allowed with this key: ${err.message}`
        : err.message
      : `The service could not be reached (${err instanceof Error ? err.message : String(err)}). Try again.`;
  return h('p', { class: 'notice error', role: 'alert' }, message);
}

export function notice(kind: 'ok' | 'info' | 'error', ...children: Child[]): HTMLElement {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

export interface Column<T> {
  title: string;
  cell: (row: T) => Child;
  className?: string;
}

/**
 * A report table, newest first as the API answers. Each row opens `rowHref` (the first link in it works with the
 * keyboard too); on a phone the rows become cards, each cell labelled with its column (data-label).
 */
export function table<T>(caption: string, columns: Column<T>[], rows: T[], rowHref: (row: T) => string, empty: string): HTMLElement {
  if (rows.length === 0) return notice('info', empty);
  const body = h('tbody');
  for (const row of rows) {
    const tr = h('tr', { class: 'clickable' });
    for (const column of columns) tr.appendChild(h('td', { 'data-label': column.title, class: column.className }, column.cell(row)));
    on(tr, 'click', (event) => {
      if (!(event.target instanceof HTMLAnchorElement)) go(rowHref(row));
    });
    body.appendChild(tr);
  }
  return h(
    'table',
    { class: 'report' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ...columns.map((column) => h('th', { scope: 'col' }, column.title)))),
    body,
  );
}

/** "Newer / older" paging over the API's nextCursor; the cursor is part of the page's address. */
export function pager(context: PageContext, nextCursor: string | null): HTMLElement {
  const { route } = context;
  const query = Object.fromEntries(route.query.entries());
  const onFirstPage = !route.query.get('cursor');
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    onFirstPage ? null : h('a', { href: link(route.segments, { ...query, cursor: undefined }), class: 'button secondary' }, '« Newest'),
    nextCursor ? h('a', { href: link(route.segments, { ...query, cursor: nextCursor }), class: 'button secondary', rel: 'next' }, 'Older »') : null,
  );
}

/**
 * One page of a report into `results`: the API's rows at the route's cursor, 50 a page, drawn by `render`, with the
 * pager under them; the API's error instead when it fails.
 */
export async function showReportPage<T>(
  context: PageContext,
  results: HTMLElement,
  path: string,
  filters: Record<string, string | null>,
  render: (rows: T[]) => HTMLElement,
): Promise<void> {
  try {
    const page = await context.api.get<Page<T>>(path, { ...filters, cursor: context.route.query.get('cursor'), limit: '50' });
    show(results, render(page.data), pager(context, page.nextCursor));
  } catch (err) {
    show(results, errorNotice(err));
  }
}

/** A publisher id input with the known publishers as suggestions (a datalist); absent for a publisher key. */
export function publisherInput(context: PageContext, value: string | null): HTMLElement | null {
  if (!can.choosePublisher(context.session)) return null;
  const listId = 'publisher-ids';
  const list = h('datalist', { id: listId });
  context.api.get<Page<PublisherView>>('/v1/publishers', { limit: '200' }).then(
    (page) => {
      for (const publisher of page.data) list.appendChild(h('option', { value: publisher.publisherId }));
    },
    // Suggestions only: the filter works without them.
    () => undefined,
  );
  return h(
    'span',
    {},
    h('input', { name: 'publisherId', value: value ?? '', list: listId, placeholder: 'any publisher', autocomplete: 'off', spellcheck: 'false' }),
    list,
  );
}

/**
 * A filter form that navigates to the same page with its values as the query (back to the first page). A null
 * control (the publisher filter, for a publisher key) is left out.
 */
export function filterForm(context: PageContext, controls: (HTMLElement | null)[], read: (form: HTMLFormElement) => Record<string, string | undefined>): HTMLFormElement {
  const form = h('form', { class: 'filters', role: 'search' }, ...controls, h('button', { type: 'submit' }, 'Apply'));
  on(form, 'submit', (event) => {
    event.preventDefault();
    go(link(context.route.segments, read(form)));
  });
  return form;
}

/** A callback request as sent: method, URL with its macros filled, headers (secrets masked by the API), body. */
export function requestSection(request: CallbackRequest, title = 'Callback request as sent'): HTMLElement {
  const headers = Object.entries(request.headers);
  return h(
    'section',
    { class: 'request' },
    h('h2', {}, title),
    h('p', { class: 'request-line' }, h('span', { class: 'method' }, request.method), ' ', h('code', { class: 'url' }, request.url)),
    headers.length > 0
      ? h(
          'table',
          { class: 'headers' },
          h('caption', { class: 'visually-hidden' }, 'Headers'),
          h('tbody', {}, ...headers.map(([name, value]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, h('code', {}, value))))),
        )
      : null,
    request.body ? h('pre', { class: 'body' }, request.body) : null,
  );
}
