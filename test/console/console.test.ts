import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { AUTH, TEST_API_KEY, conversionBody } from '../support/api';
import { launchChromium, openLocalPage, screenshot, stopInOrder, textOf as shownText } from '../support/browser';
import { eventually } from '../support/eventually';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { startReceiver, type Answer, type Receiver } from '../support/receiver';
import { bundleWorkflows, e2eConfig, startStack, type Stack } from '../support/stack';

/**
 * The console as a publisher or an operator uses it, in headless Chromium, against the whole service as npm start
 * runs it (test/support/stack.ts: the official Temporal dev server, the real worker, Postgres) listening on
 * 127.0.0.1, with publishers played by HTTP receivers. One stack for the file; each test makes its own conversions.
 */

const WIDTH = 1280;
const PHONE_WIDTH = 390;
const TEMPORAL_UI_URL = 'http://127.0.0.1:8233';
const OUTBOUND_IPS = ['203.0.113.7', '203.0.113.8'];
const KEYS = {
  admin: `admin-${randomUUID()}`,
  operator: `operator-${randomUUID()}`,
  viewer: `viewer-${randomUUID()}`,
  publisher: `publisher-${randomUUID()}`,
};
/** Publisher A's endpoint is scripted by the tests; B's always answers 200 "OK". */
const PUB_A = `pub-a-${randomUUID().slice(0, 8)}`;
const PUB_B = `pub-b-${randomUUID().slice(0, 8)}`;

describe('the console', () => {
  let db: TestDatabase;
  let stack: Stack;
  let server: Server;
  let origin: string;
  let browser: Browser;
  let receiverA: Receiver;
  let receiverB: Receiver;
  /** What publisher A's endpoint answers next. */
  let answerA: Answer = { status: 404, body: 'no such user' };
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const config = e2eConfig({
      API_KEYS: [TEST_API_KEY, `${KEYS.admin}=admin`, `${KEYS.operator}=operator`, `${KEYS.viewer}=viewer`, `${KEYS.publisher}=publisher:${PUB_A}`].join(','),
      TEMPORAL_UI_URL,
      OUTBOUND_IPS: OUTBOUND_IPS.join(','),
      RETRY_INITIAL_INTERVAL: '1s',
      RETRY_MAX_ATTEMPTS: '2',
    });
    [db, browser] = await Promise.all([createTestDatabase(), launchChromium()]);
    stack = await startStack(db, await bundleWorkflows(), config);
    server = createServer(stack.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    receiverA = await startReceiver(() => answerA);
    receiverB = await startReceiver([{ status: 200, body: 'OK' }]);
    for (const [publisherId, receiver] of [
      [PUB_A, receiverA],
      [PUB_B, receiverB],
    ] as const) {
      await request(stack.app)
        .put(`/v1/publishers/${publisherId}`)
        .set(AUTH)
        .send({ callbackUrl: `${receiver.url}/postback?click={click_id}&payout={payout}`, signingSecret: 'a-signing-secret-for-tests' })
        .expect(201);
    }
  }, 120_000);

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    await stopInOrder([
      () => browser?.close(),
      () => (server ? new Promise((resolve) => server.close(resolve)) : undefined),
      () => stack?.stop(),
      () => receiverA?.close(),
      () => receiverB?.close(),
      () => db?.drop(),
    ]);
  });

  /** Records a conversion (as the platform does, with the admin key) and returns its body. */
  async function postConversion(publisherId: string, overrides: Record<string, unknown> = {}): Promise<Record<string, unknown> & { conversionId: string }> {
    const body = conversionBody(publisherId, overrides);
    await request(stack.app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    return body as Record<string, unknown> & { conversionId: string };
  }

  async function settledAs(conversionId: string, status: string): Promise<void> {
    await eventually(async () => {
      const { body } = await request(stack.app).get(`/v1/conversions/${conversionId}`).set(AUTH).expect(200);
      const done = body.callback.status === status && body.attempts.every((a: { outcome: string }) => a.outcome !== 'in_flight');
      return done || undefined;
    }, 30_000, `conversion ${conversionId} ${status}`);
  }

  /** A new browser context (its own cookies) at `width`; CSP violations reported by Chromium are collected. */
  async function openPage(width = WIDTH, height = 900): Promise<{ page: Page; cspViolations: string[] }> {
    // Everything the console needs comes from the service: any other request is a failure.
    const page = await openLocalPage(browser, contexts, origin, { width, height });
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return { page, cspViolations };
  }

  async function signIn(key: string, width = WIDTH, height = 900): Promise<{ page: Page; cspViolations: string[] }> {
    const opened = await openPage(width, height);
    await opened.page.goto(`${origin}/console`);
    await opened.page.getByLabel('API key').fill(key);
    await opened.page.getByRole('button', { name: 'Sign in' }).click();
    await opened.page.locator('header .who').waitFor();
    return opened;
  }

  /** Fetches from inside the page, with its cookie and, for changes, its session's CSRF token (as the console does). */
  async function fetchInPage(page: Page, method: string, path: string, body?: unknown): Promise<number> {
    return page.evaluate(
      async ({ method, path, body }) => {
        const session = (await (await fetch('/v1/session')).json()) as { csrfToken: string };
        const res = await fetch(path, {
          method,
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return res.status;
      },
      { method, path, body },
    );
  }

  /** Follows a link of the menu at the top (pages have links of the same names, e.g. "« Conversion Report"). */
  const menu = (page: Page, name: string) => page.locator('nav.menu').getByRole('link', { name, exact: true }).click();

  const textOf = (page: Page, selector: string): Promise<string> => shownText(page.locator(selector));

  it('is served from /console with a strict CSP, cached hashed assets and no CDN; sign-in sets an HttpOnly cookie, nothing in storage', async () => {
    await request(stack.app).get('/').expect(302).expect('Location', '/console');
    const page = await request(stack.app).get('/console').expect(200).expect('Content-Type', /text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const assets = [...page.text.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(3);
    for (const asset of assets) {
      const res = await request(stack.app).get(asset).expect(200);
      expect(res.headers['cache-control']).toContain('immutable');
      expect(res.headers['content-type']).toMatch(asset.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    }
    await request(stack.app).get('/console/assets/app.000000000000.js').expect(404);

    const { page: browserPage, cspViolations } = await openPage(WIDTH, 700);
    const requested: string[] = [];
    browserPage.on('request', (req) => requested.push(req.url()));
    await browserPage.goto(`${origin}/console`);
    await browserPage.getByLabel('API key').fill('not-a-key');
    await browserPage.getByRole('button', { name: 'Sign in' }).click();
    await browserPage.getByText('This key is not valid.').waitFor();
    await screenshot(browserPage, 'console-sign-in.png');

    await browserPage.getByLabel('API key').fill(KEYS.operator);
    await browserPage.getByRole('button', { name: 'Sign in' }).click();
    await browserPage.locator('header .who').getByText('operator').waitFor();
    const [cookie] = (await browserPage.context().cookies()).filter((c) => c.name === 'cc_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await browserPage.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) || url.includes(KEYS.operator))).toEqual([]);

    // A reload keeps the session (the cookie); signing out ends it.
    await browserPage.reload();
    await browserPage.locator('header .who').waitFor();
    await browserPage.getByRole('button', { name: 'Sign out' }).click();
    await browserPage.getByLabel('API key').waitFor();
    expect(await browserPage.evaluate(async () => (await fetch('/v1/session')).status)).toBe(401);
    expect(cspViolations).toEqual([]);
  });

  it('shows a 404 callback as Callback Sent No and Failed with its cause and remedy; Resend after the fix turns it Yes without a reload', async () => {
    answerA = { status: 404, body: 'no such user' };
    const conversion = await postConversion(PUB_A);
    const { conversionId } = conversion;
    await settledAs(conversionId, 'failed');

    const { page, cspViolations } = await signIn(KEYS.operator);
    // Conversion Report, filtered as the help page says: this publisher, Callback Sent No.
    await menu(page, 'Conversion Report');
    await page.getByLabel('Publisher').fill(PUB_A);
    await page.getByLabel('Callback Sent').selectOption('No');
    await page.getByRole('button', { name: 'Apply' }).click();
    const row = page.locator('table.report tbody tr').filter({ hasText: conversionId });
    await row.waitFor();
    expect(await row.locator('td[data-label="Callback Sent"]').innerText()).toBe('No');

    // The Conversion Callback tab, Status Failed.
    await menu(page, 'Conversion Callback');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply' }).click();
    const callbackRow = page.locator('table.report tbody tr').filter({ hasText: conversionId });
    await callbackRow.waitFor();
    expect(await callbackRow.locator('td[data-label="Status"]').innerText()).toBe('Failed');
    expect(await callbackRow.locator('td[data-label="Last status code"]').innerText()).toBe('404');

    // The row opens the conversion: Failed, its cause and remedy, the request as sent, the attempt.
    await callbackRow.click();
    await page.locator('.attempt[data-attempt="1"]').waitFor();
    expect(page.url()).toContain(`#/conversions/${conversionId}`);
    expect(await textOf(page, '.conversion > .facts')).toMatch(/Callback Sent No .*Status Failed/);
    const cause = page.locator('.conversion > .cause');
    expect(await cause.getAttribute('data-cause')).toBe('other');
    expect(await textOf(page, '.conversion > .cause .cause-label')).toContain('404');
    expect((await textOf(page, '.conversion > .cause .cause-remedy')).length).toBeGreaterThan('What to do: '.length);
    expect(await textOf(page, '.request .url')).toContain(`/postback?click=${encodeURIComponent(String(conversion.clickId))}&payout=1.5`);
    expect(await textOf(page, '.request table.headers')).toContain('••••••');
    expect(await textOf(page, '.attempt[data-attempt="1"]')).toMatch(/Attempt 1 Failed automatic .*HTTP 404/);
    const workflowId = `conversion-callback/${conversionId}`;
    expect(await page.locator('a[data-action="temporal"]').getAttribute('href')).toBe(
      `${TEMPORAL_UI_URL}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
    );
    await screenshot(page, 'console-conversion.png', { fullPage: true });

    // The publisher fixes its endpoint; Resend. The page is not reloaded: a mark set on it survives.
    answerA = { status: 200, body: 'OK' };
    await page.evaluate("document.body.setAttribute('data-mark', 'before-resend')");
    await page.getByRole('button', { name: 'Resend' }).click();
    await page.getByText('Resent: the publisher answered 200').waitFor({ timeout: 30_000 });
    expect(await page.locator('body').getAttribute('data-mark')).toBe('before-resend');
    const second = await textOf(page, '.attempt[data-attempt="2"]');
    // Who resent: the operator's key, by its fingerprint (never the key).
    expect(second).toMatch(/Attempt 2 Succeeded manual, by operator key:[0-9a-f]{8}/);
    expect(second).toContain('HTTP 200');
    expect(await textOf(page, '.conversion > .facts')).toMatch(/Callback Sent Yes .*Status Sent/);
    expect(cspViolations).toEqual([]);
  });

  it('resends by identifiers: names the match, says when none matched, lists the candidates', async () => {
    answerA = { status: 200, body: 'OK' };
    const sharedEvent = `event-shared-${randomUUID().slice(0, 8)}`;
    const first = await postConversion(PUB_A, { eventId: sharedEvent });
    const second = await postConversion(PUB_A, { eventId: sharedEvent });
    const single = await postConversion(PUB_A);
    await Promise.all([first, second, single].map((c) => settledAs(c.conversionId, 'sent')));

    const { page } = await signIn(KEYS.operator);
    await menu(page, 'Resend by IDs');
    const form = page.getByRole('form', { name: 'Resend by identifiers' });
    const result = page.locator('.action-result');

    await form.getByLabel('Conversion ID').fill(`no-such-${randomUUID()}`);
    await form.getByRole('button', { name: 'Send' }).click();
    await result.getByText('No conversion matched').waitFor();

    await form.getByLabel('Conversion ID').fill('');
    await form.getByLabel('Event ID').fill(sharedEvent);
    await form.getByRole('button', { name: 'Send' }).click();
    await result.locator('.candidates').waitFor();
    expect(await result.locator('.candidates li').evaluateAll((items) => items.map((item) => item.getAttribute('data-conversion-id')))).toEqual([
      first.conversionId,
      second.conversionId,
    ]);
    await screenshot(page, 'console-resend.png');
    await result.locator(`li[data-conversion-id="${second.conversionId}"]`).getByRole('button', { name: 'Resend this one' }).click();
    await result.getByText(`Resend requested for conversion ${second.conversionId}`).waitFor();

    await form.getByLabel('Event ID').fill('');
    await form.getByLabel('Conversion ID').fill(single.conversionId);
    await form.getByLabel('Click ID').fill(String(single.clickId));
    await form.getByRole('button', { name: 'Send' }).click();
    await result.getByText(`Resend requested for conversion ${single.conversionId}`).waitFor();

    // Each resend made one manual attempt.
    for (const { conversionId } of [second, single]) {
      await eventually(async () => {
        const { body } = await request(stack.app).get(`/v1/conversions/${conversionId}`).set(AUTH).expect(200);
        return body.attempts.some((a: { trigger: string; outcome: string }) => a.trigger === 'manual' && a.outcome === 'succeeded') || undefined;
      }, 30_000, 'the manual attempt');
    }
  });

  it('gives a viewer key no Resend button and no Temporal link, and the API refuses its resend; data is shown as text', async () => {
    // Markup in what the platform and the publisher send is shown as it is, never interpreted.
    const markup = '<img src=x onerror="document.body.dataset.hacked=1">';
    answerA = { status: 404, body: `<b>${markup}</b>` };
    const { conversionId } = await postConversion(PUB_A, { clickId: markup });
    await settledAs(conversionId, 'failed');

    const { page } = await signIn(KEYS.viewer);
    expect(await page.locator('nav.menu').getByRole('link', { name: 'Resend by IDs' }).count()).toBe(0);
    await page.goto(`${origin}/console#/conversions/${conversionId}`);
    await page.locator('.attempt[data-attempt="1"]').waitFor();
    expect(await textOf(page, '.conversion > .facts')).toContain(`Click ID ${markup}`);
    expect(await textOf(page, '.attempt .snippet')).toBe(`<b>${markup}</b>`);
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(await page.locator('body').getAttribute('data-hacked')).toBeNull();
    expect(await page.getByRole('button', { name: 'Resend' }).count()).toBe(0);
    expect(await page.locator('a[data-action="temporal"]').count()).toBe(0);

    expect(await fetchInPage(page, 'POST', `/v1/conversions/${conversionId}/resend`, {})).toBe(403);
    await request(stack.app).post(`/v1/conversions/${conversionId}/resend`).set({ Authorization: `Bearer ${KEYS.viewer}` }).send({}).expect(403);
    const { body } = await request(stack.app).get(`/v1/conversions/${conversionId}`).set(AUTH).expect(200);
    expect(body.attempts).toHaveLength(1);
  });

  it("shows a publisher key only its own publisher's conversions, callbacks and endpoint", async () => {
    answerA = { status: 200, body: 'OK' };
    const own = await postConversion(PUB_A);
    const other = await postConversion(PUB_B);
    await Promise.all([settledAs(own.conversionId, 'sent'), settledAs(other.conversionId, 'sent')]);

    const { page } = await signIn(KEYS.publisher);
    expect(await textOf(page, 'header .who')).toContain(`publisher ${PUB_A}`);
    for (const [tab, heading] of [
      ['Conversion Report', 'Conversion Report'],
      ['Conversion Callback', 'Event Report'],
    ]) {
      await menu(page, tab);
      // The heading first: until the new page is shown, the rows found could be the previous page's.
      await page.locator('main h1', { hasText: heading }).waitFor();
      await page.locator('table.report tbody tr').filter({ hasText: own.conversionId }).waitFor();
      const publishers = await page.locator('td[data-label="Publisher"]').allInnerTexts();
      expect(new Set(publishers)).toEqual(new Set([PUB_A]));
      expect(await page.getByText(other.conversionId).count()).toBe(0);
      // No publisher to choose.
      expect(await page.getByLabel('Publisher').count()).toBe(0);
    }

    await page.goto(`${origin}/console#/conversions/${other.conversionId}`);
    await page.getByRole('alert').filter({ hasText: other.conversionId }).waitFor();
    expect(await page.locator('.conversion > .facts').count()).toBe(0);

    // Publishers leads to its own endpoint; another publisher's is not found.
    await menu(page, 'Publishers');
    await page.getByRole('heading', { name: `Publisher ${PUB_A}`, exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Save endpoint' }).isEnabled()).toBe(true);
    await page.goto(`${origin}/console#/publishers/${PUB_B}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByLabel('Callback URL template').count()).toBe(0);

    // The API says the same to its cookie.
    expect(await fetchInPage(page, 'GET', `/v1/conversions/${other.conversionId}`)).toBe(404);
    expect(await fetchInPage(page, 'GET', `/v1/conversions?publisherId=${PUB_B}`)).toBe(403);
    expect(await fetchInPage(page, 'POST', `/v1/conversions/${other.conversionId}/resend`, {})).toBe(404);
  });

  it('edits an endpoint with a success rule, sends a test callback and shows the answer, and lists the IPs to allow', async () => {
    const { page } = await signIn(KEYS.admin);
    const endpoint = page.getByRole('form', { name: 'Callback endpoint' });
    // An admin adds a publisher from the list.
    const added = `pub-new-${randomUUID().slice(0, 8)}`;
    await menu(page, 'Publishers');
    await page.getByLabel('New publisher ID').fill(added);
    await page.getByRole('button', { name: 'Add publisher' }).click();
    await page.getByRole('heading', { name: `New publisher ${added}`, exact: true }).waitFor();
    await endpoint.getByLabel('Callback URL template').fill(`${receiverB.url}/new?click={click_id}`);
    await endpoint.getByRole('button', { name: 'Create publisher' }).click();
    await page.getByRole('heading', { name: `Publisher ${added}`, exact: true }).waitFor();
    const { body: created } = await request(stack.app).get(`/v1/publishers/${added}`).set(AUTH).expect(200);
    expect(created.callbackUrl).toBe(`${receiverB.url}/new?click={click_id}`);

    await menu(page, 'Publishers');
    await page.locator('table.report tbody tr').filter({ hasText: PUB_B }).click();
    await page.getByRole('heading', { name: `Publisher ${PUB_B}`, exact: true }).waitFor();
    expect(await page.locator('.outbound-ips li').allInnerTexts()).toEqual(OUTBOUND_IPS);

    // Expect "1" while the endpoint answers "OK": a 2xx that breaks the rule is a final failure, malformed response.
    await endpoint.getByLabel('Rule').selectOption('equals');
    await endpoint.getByLabel('Expected body').fill('1');
    await endpoint.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByText(/^Saved at/).waitFor();
    const { body: saved } = await request(stack.app).get(`/v1/publishers/${PUB_B}`).set(AUTH).expect(200);
    expect(saved.successRule).toEqual({ type: 'equals', value: '1' });

    const received = receiverB.requests.length;
    await page.getByRole('button', { name: 'Send test callback' }).click();
    const result = page.locator('.test-result [data-verdict]');
    await result.waitFor();
    expect(await result.getAttribute('data-verdict')).toBe('final');
    expect(await result.locator('.cause').getAttribute('data-cause')).toBe('malformed_response');
    expect(await textOf(page, '.test-result .facts')).toContain('HTTP 200');
    expect(await textOf(page, '.test-result .snippet')).toBe('OK');
    expect(await textOf(page, '.test-result .request .url')).toContain(`${receiverB.url}/postback?click=`);
    expect(receiverB.requests.length).toBe(received + 1);

    // Expect "OK": the same answer now counts as delivered.
    await endpoint.getByLabel('Expected body').fill('OK');
    await endpoint.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByText(/^Saved at/).waitFor();
    await page.getByRole('button', { name: 'Send test callback' }).click();
    await page.locator('.test-result [data-verdict="success"]').waitFor();
    await screenshot(page, 'console-publisher.png', { fullPage: true });
  });

  it('draws the overview charts; the failed-in-24h count opens the filtered Conversion Callback tab', async () => {
    answerA = { status: 404, body: 'no such user' };
    const { conversionId } = await postConversion(PUB_A);
    await settledAs(conversionId, 'failed');

    const { page, cspViolations } = await signIn(KEYS.admin);
    // The reports, unfiltered, with what the tests before made: for the README.
    for (const [tab, name] of [
      ['Conversion Report', 'console-conversion-report.png'],
      ['Conversion Callback', 'console-callbacks.png'],
    ]) {
      await menu(page, tab);
      await page.locator('table.report tbody tr').filter({ hasText: conversionId }).waitFor();
      await screenshot(page, name);
    }
    await menu(page, 'Overview');
    const stat = page.locator('a[data-stat="failed-24h"]');
    await stat.waitFor();
    expect(Number(await stat.locator('.stat-value').innerText())).toBeGreaterThanOrEqual(1);
    for (const id of ['hourly-chart', 'causes-chart']) {
      // chart.js has a chart on the canvas, and the canvas has pixels drawn.
      const drawn: { width: number; painted: number; chart: boolean } = await page.evaluate(`(() => {
        const canvas = document.getElementById('${id}');
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted += 1;
        return { width: canvas.width, painted, chart: Boolean(Chart.getChart(canvas)) };
      })()`);
      expect(drawn.chart).toBe(true);
      expect(drawn.width).toBeGreaterThan(0);
      expect(drawn.painted).toBeGreaterThan(100);
    }
    await screenshot(page, 'console-overview.png', { fullPage: true });

    await stat.click();
    await page.locator('table.report tbody tr').first().waitFor();
    expect(page.url()).toContain('#/callbacks?status=failed');
    expect(new Set(await page.locator('td[data-label="Status"]').allInnerTexts())).toEqual(new Set(['Failed']));
    expect(cspViolations).toEqual([]);
  });

  it('fits a phone: no page scrolls sideways at 390 px', async () => {
    const { conversionId } = await postConversion(PUB_A);
    const { page } = await signIn(KEYS.admin, PHONE_WIDTH, 844);
    const pages = ['#/overview', '#/conversions', '#/callbacks', `#/conversions/${conversionId}`, '#/resend', '#/publishers', `#/publishers/${PUB_B}`];
    for (const hash of pages) {
      await page.goto(`${origin}/console${hash}`);
      await page.locator('main h1').waitFor();
      await page.locator('main .loading').waitFor({ state: 'detached' });
      // (The page's code is given as text: these tests are compiled without the DOM's types.)
      const { scrollWidth, clientWidth }: { scrollWidth: number; clientWidth: number } = await page.evaluate(
        '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
      );
      expect({ hash, scrollWidth }).toEqual({ hash, scrollWidth: clientWidth });
    }
    await page.goto(`${origin}/console#/callbacks`);
    await page.locator('table.report tbody tr').first().waitFor();
    await screenshot(page, 'console-phone.png');
  });
});
