/**
 * The console: a single page over the JSON API. It asks GET /v1/session who is signed in (the cookie is HttpOnly),
 * shows the sign-in page when nobody is, and renders the page named by the URL's fragment.
 */
import { Api, ApiFailure } from './api';
import { errorNotice, notice } from './components';
import { can, type PageContext, type PageRenderer } from './context';
import { h, on, show } from './dom';
import { callbackReport } from './pages/callbacks';
import { conversionPage } from './pages/conversion';
import { conversionReport } from './pages/conversions';
import { overviewPage } from './pages/overview';
import { publisherList, publisherPage } from './pages/publishers';
import { resendByIdentifiers } from './pages/resend';
import { signInPage } from './pages/sign-in';
import { currentRoute, go, link, type Route } from './router';
import type { Session } from './types';

interface NavItem {
  href: string;
  label: string;
  /** The first segment of the pages it covers. */
  section: string;
  shown: (session: Session) => boolean;
}

const NAV: NavItem[] = [
  { href: link(['overview']), label: 'Overview', section: 'overview', shown: () => true },
  { href: link(['conversions']), label: 'Conversion Report', section: 'conversions', shown: () => true },
  { href: link(['callbacks']), label: 'Conversion Callback', section: 'callbacks', shown: () => true },
  { href: link(['resend']), label: 'Resend by IDs', section: 'resend', shown: can.resend },
  { href: link(['publishers']), label: 'Publishers', section: 'publishers', shown: () => true },
];

const TITLES: Record<string, string> = {
  overview: 'Overview',
  conversions: 'Conversion Report',
  callbacks: 'Conversion Callback',
  resend: 'Resend',
  publishers: 'Publishers',
};

function pageFor(route: Route, session: Session): PageRenderer | undefined {
  const [section = 'overview', id] = route.segments;
  switch (section) {
    case 'overview':
      return overviewPage;
    case 'conversions':
      return id === undefined ? conversionReport : conversionPage;
    case 'callbacks':
      return callbackReport;
    case 'resend':
      return resendByIdentifiers;
    case 'publishers':
      if (id !== undefined) return publisherPage;
      // A publisher key has one publisher: the list would be that one row.
      if (session.publisherId !== null) {
        go(link(['publishers', session.publisherId]));
        return undefined;
      }
      return publisherList;
    default:
      return async ({ main }) => show(main, h('h1', {}, 'Not found'), notice('error', 'There is no such page. Use the menu above.'));
  }
}

class Console {
  private readonly api = new Api();
  private session: Session | null = null;
  private leave = new AbortController();
  private main: HTMLElement | null = null;
  private nav: HTMLElement | null = null;

  constructor(private readonly root: HTMLElement) {
    this.api.onSessionLost = () => this.signedOut('Your session has ended: sign in again.');
    window.addEventListener('hashchange', () => this.route());
  }

  async start(): Promise<void> {
    try {
      this.signedIn(await this.api.get<Session>('/v1/session'));
    } catch (err) {
      // A 401 has already shown the sign-in page (onSessionLost).
      if (!(err instanceof ApiFailure && err.status === 401)) show(this.root, h('main', {}, errorNotice(err)));
    }
  }

  private signedIn(session: Session): void {
    this.session = session;
    this.api.setCsrfToken(session.csrfToken);
    this.main = h('main', { id: 'main' });
    this.nav = h('nav', { class: 'menu', 'aria-label': 'Pages' }, ...NAV.filter((item) => item.shown(session)).map((item) => h('a', { href: item.href, 'data-section': item.section }, item.label)));
    const signOut = on(h('button', { type: 'button', class: 'link' }, 'Sign out'), 'click', () => {
      this.api.delete('/v1/session').then(
        () => this.signedOut('Signed out.'),
        () => this.signedOut('Signed out.'),
      );
    });
    show(
      this.root,
      h(
        'header',
        { class: 'top' },
        h('a', { class: 'brand', href: link(['overview']) }, 'Conversion callbacks'),
        this.nav,
        h('p', { class: 'who' }, h('span', { class: 'role', 'data-role': session.role }, session.publisherId ? `publisher ${session.publisherId}` : session.role), ' ', signOut),
      ),
      this.main,
    );
    this.route();
  }

  private signedOut(reason: string): void {
    this.leave.abort();
    this.session = null;
    this.api.setCsrfToken(undefined);
    signInPage(this.root, this.api, (session) => this.signedIn(session), reason);
  }

  private route(): void {
    if (!this.session || !this.main || !this.nav) return;
    this.leave.abort();
    this.leave = new AbortController();
    const route = currentRoute();
    const section = route.segments[0] ?? 'overview';
    for (const item of this.nav.querySelectorAll('a')) {
      if (item.dataset.section === section) item.setAttribute('aria-current', 'page');
      else item.removeAttribute('aria-current');
    }
    document.title = `${TITLES[section] ?? 'Console'} · Conversion callbacks`;
    const render = pageFor(route, this.session);
    if (!render) return;
    const context: PageContext = { api: this.api, session: this.session, route, main: this.main, signal: this.leave.signal };
    window.scrollTo(0, 0);
    render(context).catch((err: unknown) => show(context.main, errorNotice(err)));
  }
}

const root = document.getElementById('app');
if (root) void new Console(root).start();
