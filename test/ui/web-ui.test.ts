import type { Express } from 'express';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import type { AttemptLogEntry } from '../../src/activities/attempt-log';
import { dispatchOutbox } from '../../src/api/use-cases/dispatch-outbox';
import { silentLogger } from '../../src/logger';
import { workflowIdFor } from '../../src/temporal/callback-scheduler';
import { TemporalCallbackScheduler } from '../../src/temporal/temporal-callback-scheduler';
import { AUTH, conversionBody, testApp } from '../support/api';
import { launchChromium, openLocalPage, screenshot, stopInOrder, textOf } from '../support/browser';
import { eventually } from '../support/eventually';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { startReceiver, type Answer, type Receiver } from '../support/receiver';
import { bundleWorkflows, e2eConfig, registerPublisher, startStack, type Stack } from '../support/stack';

/**
 * What the README promises operators: every attempt of a callback can be inspected in the official Temporal Web UI.
 * The whole service runs as in production (test/support/stack.ts) with the dev server's Web UI on, and headless
 * Chromium (test/support/browser.ts) reads what the UI renders, and takes the screenshots the README shows.
 */

const WIDTH = 1280;

type ShownEntry = Pick<AttemptLogEntry, 'attempt' | 'trigger' | 'outcome' | 'statusCode' | 'error'>;

/**
 * The attempt-log entries a JSON code block of the UI shows. The block is not pure JSON (a failure's stack trace is
 * rendered with real line breaks), but each entry is a flat JSON object that starts with "attempt".
 */
function shownEntries(json: string): ShownEntry[] {
  return [...json.matchAll(/\{\s*"attempt":[^{}]*\}/g)].map((match) => {
    const { attempt, trigger, outcome, statusCode, error } = JSON.parse(match[0]) as AttemptLogEntry;
    return { attempt, trigger, outcome, statusCode, error };
  });
}

describe('Temporal Web UI: an operator inspects the attempts of a conversion callback', () => {
  let db: TestDatabase;
  let browser: Browser;
  let stack: Stack;
  let uiUrl: string;
  const receivers: Receiver[] = [];
  const contexts: BrowserContext[] = [];
  /** Its receiver always answers 503 and its retries are an hour apart: it stays retrying, before attempt 2. */
  let retryingId: string;
  /** Its receiver always answers 500; three attempts 1 s then 2 s apart, and it has failed for good. */
  let failedId: string;

  async function postConversion(app: Express, answer: Answer): Promise<string> {
    const receiver = await startReceiver([answer]);
    receivers.push(receiver);
    const body = conversionBody(await registerPublisher(app, receiver.url));
    await request(app).post('/v1/conversions').set(AUTH).send(body).expect(201);
    return String(body.conversionId);
  }

  /** A fresh browser context (closed after the test), `height` px tall: each screenshot fits what it must show. */
  async function openPage(height: number): Promise<Page> {
    // The UI also fetches Temporal's news feed from the internet: that request is aborted.
    return openLocalPage(browser, contexts, new URL(uiUrl).origin, { width: WIDTH, height });
  }

  /** The workflow's page by its id alone: the UI opens its latest run. */
  async function openWorkflow(conversionId: string, height: number): Promise<Page> {
    const page = await openPage(height);
    await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowIdFor(conversionId))}`);
    await page.getByRole('heading', { level: 1, name: workflowIdFor(conversionId) }).waitFor();
    return page;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    browser = await launchChromium();
    // The retry policy is part of each workflow's input (from the configuration of the API that starts it), so one
    // worker on one task queue serves both conversions; each gets its policy from its own app.
    const retryingConfig = e2eConfig({ RETRY_INITIAL_INTERVAL: '1h', RETRY_MAX_ATTEMPTS: '3' });
    const failingConfig = e2eConfig({
      TEMPORAL_TASK_QUEUE: retryingConfig.TEMPORAL_TASK_QUEUE,
      RETRY_INITIAL_INTERVAL: '1s',
      RETRY_MAX_ATTEMPTS: '3',
    });
    // Without the stack's dispatcher: each conversion's workflow is started here, by the scheduler of its config.
    stack = await startStack(db, await bundleWorkflows(), retryingConfig, { ui: true, dispatcher: false });
    if (!stack.devServer.uiUrl) throw new Error('the dev server runs without its Web UI');
    uiUrl = stack.devServer.uiUrl;
    const failingScheduler = new TemporalCallbackScheduler(stack.client, failingConfig);
    const dispatch = async (scheduler: TemporalCallbackScheduler) => {
      const round = await dispatchOutbox({ pool: db.pool, scheduler, logger: silentLogger }, { batchSize: 10, concurrency: 1 });
      if (round.started !== 1) throw new Error(`expected one workflow started, got ${JSON.stringify(round)}`);
    };
    // The failing one goes first: its three attempts (about 3 s) run while the other tests look at the UI.
    failedId = await postConversion(testApp(db, failingScheduler, failingConfig), { status: 500, body: 'internal error' });
    await dispatch(failingScheduler);
    retryingId = await postConversion(stack.app, { status: 503, body: 'busy, try later' });
    await dispatch(stack.scheduler);

    // startDevServer waits for the gRPC frontend; the CLI may serve its UI a moment later.
    const probe = await browser.newContext();
    try {
      await eventually(() => probe.request.get(uiUrl).then((res) => res.ok() || undefined, () => undefined), 20_000, 'the Web UI');
    } finally {
      await probe.close();
    }
  }, 120_000);

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    await stopInOrder([
      () => browser?.close(),
      () => stack?.stop(),
      () => Promise.all(receivers.map((receiver) => receiver.close())),
      () => db?.drop(),
    ]);
  });

  it('lists exactly the workflow of a ConversionId query, and opens it', async () => {
    const query = `ConversionId = "${retryingId}"`;
    const workflowId = workflowIdFor(retryingId);
    // The list is read from the visibility store, which follows the workflow start closely but not at once.
    await eventually(async () => ((await stack.client.workflow.count(query)).count === 1 || undefined), 20_000, 'the workflow in the list');

    const page = await openPage(900);
    await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    const table = page.getByRole('table', { name: 'Workflows' });
    const link = table.getByRole('link', { name: workflowId, exact: true });
    await link.waitFor();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: /^1 Workflow$/ }).waitFor();
    // Body rows have cells, the header row has column headers.
    const rows = table.getByRole('row').filter({ has: page.getByRole('cell') });
    expect(await rows.count()).toBe(1);
    expect(await textOf(rows.first())).toMatch(new RegExp(`RUNNING ${workflowId} \\S+ conversionCallbackWorkflow`));
    await screenshot(page, 'web-ui-workflow-list.png');

    await link.click();
    await page.getByRole('heading', { level: 1, name: workflowId }).waitFor();
    expect(decodeURIComponent(new URL(page.url()).pathname)).toContain(`/namespaces/default/workflows/${workflowId}/`);
  });

  it('shows the retrying callback: next attempt, attempt log in the heartbeat details, last failure', async () => {
    // The UI reads the pending activity once, when the page opens: first, attempt 1 must have failed.
    const handle = stack.client.workflow.getHandle(workflowIdFor(retryingId));
    await eventually(async () => {
      const [pending] = (await handle.describe()).raw.pendingActivities ?? [];
      return (pending?.attempt === 2 && pending.lastFailure) || undefined;
    }, 20_000, 'attempt 1 to fail');

    // Tall enough to show the attempt, the last failure and the heartbeat details in one screenshot.
    const page = await openWorkflow(retryingId, 1400);
    await page.getByRole('tab', { name: /^Pending Activities/ }).click();
    const main = page.getByRole('main');
    await main.getByRole('heading', { name: 'deliverCallback' }).waitFor();

    // "Attempt 2 / 3": the attempt Temporal runs next, of the policy's maximum.
    expect(await textOf(main.getByText('Attempt', { exact: true }).locator('..'))).toBe('Attempt 2 / 3 1 remaining');

    // The activity heartbeats the cycle's log when an attempt starts and once more with its outcome: while the
    // retry waits, the UI shows the log up to attempt 1's answer.
    const heartbeat = await main.getByRole('textbox', { name: 'Heartbeat Details', exact: true }).innerText();
    expect(shownEntries(heartbeat)).toEqual([
      { attempt: 1, trigger: 'automatic', outcome: 'failed', statusCode: 503, error: 'publisher answered HTTP 503' },
    ]);

    // Attempt 1's outcome is in the last failure: its message, and the log in its details.
    const lastFailure = await main.getByRole('textbox', { name: 'Last Failure', exact: true }).innerText();
    expect(lastFailure).toContain('"message": "attempt 1: publisher answered HTTP 503"');
    expect(lastFailure).toContain('"responseSnippet": "busy, try later"');
    expect(shownEntries(lastFailure)).toEqual([
      { attempt: 1, trigger: 'automatic', outcome: 'failed', statusCode: 503, error: 'publisher answered HTTP 503' },
    ]);
    await screenshot(page, 'web-ui-retrying.png');
  });

  it('shows every attempt of the final failure in the event history', async () => {
    const handle = stack.client.workflow.getHandle(workflowIdFor(failedId));
    await eventually(async () => {
      const { events } = await handle.fetchHistory();
      return events?.some((event) => event.activityTaskFailedEventAttributes) || undefined;
    }, 20_000, 'the delivery activity to fail for good');

    // Tall enough for the whole failure once maximized.
    const page = await openWorkflow(failedId, 960);
    await page.getByRole('tab', { name: /^Event History/ }).click();
    const main = page.getByRole('main');
    const failedEvent = main.getByRole('row').filter({ hasText: 'Activity Task Failed' });
    expect(await textOf(failedEvent)).toContain('Activity Task Failed Failure Message attempt 3: publisher answered HTTP 500');

    // The event's own page (its id links there) shows its attributes and the failure as JSON.
    await failedEvent.getByRole('link').click();
    await main.getByText('RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED').waitFor();
    // (`has` locators are matched inside each candidate, hence page-rooted.)
    const failure = page.getByRole('textbox', { name: 'Failure', exact: true });
    const maximize = page.getByRole('button', { name: 'Maximize' });
    // The code block shows the failure's first lines only, and its editor renders no line far out of view:
    // maximized, it shows (and renders) the whole failure. Its button is in the innermost block around it.
    await main.locator('div').filter({ has: failure }).filter({ has: maximize }).last().getByRole('button', { name: 'Maximize' }).click();
    await page.getByRole('button', { name: 'Minimize' }).waitFor();

    const shown = await failure.innerText();
    expect(shown).toContain('"message": "attempt 3: publisher answered HTTP 500"');
    expect(shownEntries(shown)).toEqual(
      [1, 2, 3].map((attempt) => ({ attempt, trigger: 'automatic', outcome: 'failed', statusCode: 500, error: 'publisher answered HTTP 500' })),
    );
    await screenshot(page, 'web-ui-failed.png');
  });
});
