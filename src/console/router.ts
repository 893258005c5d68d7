/**
 * Pages live in the URL's fragment (`/console#/conversions?callbackSent=No`): the server serves one page, links can
 * be shared and bookmarked, and the browser's back button works.
 */

export interface Route {
  /** The path's segments, decoded: `#/conversions/conv-1` → ['conversions', 'conv-1']. */
  segments: string[];
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const fragment = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = fragment.split('?', 2);
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
  return { segments, query: new URLSearchParams(search) };
}

/** A link to a page: `link(['conversions', id])`, `link(['callbacks'], { status: 'failed' })`. */
export function link(segments: string[], query: Record<string, string | undefined | null> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const search = params.toString();
  return `#/${segments.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
}

/** Shows the page `href` names; the same page again is rendered afresh (e.g. a publisher just created). */
export function go(href: string): void {
  if (location.hash === href) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = href;
}
