import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import type { Dispatcher } from '../../src/api/dispatcher';
import { loadConfig, type Config } from '../../src/config';
import { createHttpSender } from '../../src/delivery/http-sender';
import { silentLogger } from '../../src/logger';
import type { CallbackScheduler } from '../../src/temporal/callback-scheduler';
import { useTestDatabase, type TestDatabase } from './postgres';
import { RecordingScheduler } from './schedulers';

export const TEST_API_KEY = 'test-api-key-0123456789';
export const AUTH = { Authorization: `Bearer ${TEST_API_KEY}` };

/** The service's configuration as in production, with test keys and any overrides (environment variable names). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', API_KEYS: TEST_API_KEY, ...env });
}

/** The API's app; with `outbox` (a dispatcher) to nudge after intake, as the API service builds it. */
export function testApp(db: TestDatabase, scheduler: CallbackScheduler, config: Config = testConfig(), outbox?: Dispatcher): Express {
  const http = createHttpSender({ allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS });
  return createApp({ pool: db.pool, scheduler, http, config, logger: silentLogger, ...(outbox ? { outbox } : {}) });
}

export interface TestApi {
  /** The scheduler double the app uses (created at once, so tests may destructure it). */
  readonly scheduler: RecordingScheduler;
  /** This file's fresh, migrated database (created in beforeAll). */
  readonly db: TestDatabase;
  /** The service's Express app on that database (set in beforeAll). */
  readonly app: Express;
}

/**
 * Call in a test file's top scope or a describe: a fresh database and the app on it with a scheduler double, made
 * before the tests (before the caller's own beforeAll) and dropped after them.
 */
export function useTestApi(config: () => Config = () => testConfig()): TestApi {
  const scheduler = new RecordingScheduler();
  const db = useTestDatabase();
  let app: Express | undefined;
  beforeAll(() => {
    app = testApp(db, scheduler, config());
  });
  return {
    scheduler,
    db,
    get app() {
      if (!app) throw new Error('useTestApi: the app exists only once beforeAll has run');
      return app;
    },
  };
}

/** A valid publisher body; `callbackUrl` defaults to a URL nothing listens on (the scheduler double sends nothing). */
export function publisherBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { callbackUrl: 'https://publisher.example/cb?click={click_id}&payout={payout}', ...overrides };
}

let sequence = 0;

/** A valid conversion body with unique ids. */
export function conversionBody(publisherId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  const n = `${Date.now().toString(36)}-${sequence}`;
  return {
    conversionId: `conv-${n}`,
    publisherId,
    clickId: `click-${n}`,
    eventId: `event-${n}`,
    offerId: 'offer-1',
    payout: '1.50',
    userId: 'user-1',
    ...overrides,
  };
}

/** Follows a report's nextCursor from the first page to the last, `limit` rows a page; the conversion ids in order. */
export async function pageThrough(app: Express, path: string, limit: number): Promise<{ conversionIds: string[]; pages: number }> {
  const conversionIds: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: request.Response = await request(app)
      .get(path)
      .query({ limit, ...(cursor ? { cursor } : {}) })
      .set(AUTH)
      .expect(200);
    conversionIds.push(...res.body.data.map((row: { conversionId: string }) => row.conversionId));
    cursor = res.body.nextCursor as string | null;
    pages += 1;
  } while (cursor);
  return { conversionIds, pages };
}
