import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/db/migrate';

/**
 * Set by the jest global set-up: a superuser URL of the Postgres server shared by the whole run (embedded, or
 * DATABASE_URL when the caller provides one). Each test file gets its own database on it.
 */
export const ADMIN_URL_ENV = 'TEST_POSTGRES_ADMIN_URL';

export interface TestDatabase {
  pool: pg.Pool;
  /** Connection URL of this test database (for code under test that builds its own pool). */
  url: string;
  /** Closes the pool and drops the database, even if other connections are still open. */
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env[ADMIN_URL_ENV];
  if (!url) throw new Error(`${ADMIN_URL_ENV} is not set: run tests through jest (its globalSetup starts Postgres)`);
  return url;
}

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, uniquely named database with every migration applied. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await asAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    pool,
    url: url.toString(),
    drop: async () => {
      await pool.end();
      await asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * Call in a test file's top scope or a describe: a fresh database created before the tests (before the caller's own
 * beforeAll) and dropped after them. The returned object reads through to it once it exists.
 */
export function useTestDatabase(): TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  const current = (): TestDatabase => {
    if (!db) throw new Error('useTestDatabase: the database exists only once beforeAll has run');
    return db;
  };
  return {
    get pool() {
      return current().pool;
    },
    get url() {
      return current().url;
    },
    drop: () => current().drop(),
  };
}
