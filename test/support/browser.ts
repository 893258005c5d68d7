import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * Headless Chromium for the page tests: Debian's, never a downloaded one. Screenshots are taken on every run; with
 * UPDATE_SCREENSHOTS=1 they replace those in docs/ that the README shows.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve(__dirname, '../../docs') : path.join(tmpdir(), 'conversion-callbacks-screenshots');

export async function launchChromium(): Promise<Browser> {
  return chromium
    .launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    })
    .catch((err: Error) => {
      throw new Error(
        `Chromium did not start from ${CHROMIUM}: install Debian's chromium (scripts/install-chromium.sh, which npm test runs first) or set CHROMIUM_PATH. ${err.message}`,
        { cause: err },
      );
    });
}

/**
 * A page in a new browser context (its own cookies) of the viewport's size that reaches `origin` only: any other
 * request is aborted, so a test needs nothing outside this machine. The context is added to `contexts`, which the
 * test closes after each test.
 */
export async function openLocalPage(browser: Browser, contexts: BrowserContext[], origin: string, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  context.setDefaultTimeout(15_000);
  await context.route((url) => url.origin !== origin, (route) => route.abort());
  return context.newPage();
}

/** The text an element shows, its white space collapsed. */
export async function textOf(locator: Locator): Promise<string> {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name), ...options });
}

/** Runs every step in order even when one fails, then throws what failed: nothing started is left running. */
export async function stopInOrder(steps: (() => Promise<unknown> | undefined)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'tear-down failed');
}
