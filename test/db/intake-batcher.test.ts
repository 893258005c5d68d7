import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { NewConversion } from '../../src/db/conversions';
import { IntakeBatcher } from '../../src/db/intake-batcher';
import { upsertPublisher } from '../../src/db/publishers';
import { newConversion } from '../support/fixtures';
import { useTestDatabase } from '../support/postgres';

const db = useTestDatabase();

const row = (id?: string, payloadHash = 'hash'): NewConversion => newConversion('pub-g', { ...(id ? { id } : {}), payloadHash });

/** The test database's pool, counting the statements sent through it. */
function countingPool(): { pool: pg.Pool; statements: () => number } {
  let statements = 0;
  const pool = Object.create(db.pool) as pg.Pool;
  pool.query = ((text: string, values?: unknown[]) => {
    statements += 1;
    return db.pool.query(text, values);
  }) as pg.Pool['query'];
  return { pool, statements: () => statements };
}

describe('IntakeBatcher', () => {
  beforeAll(async () => {
    await upsertPublisher(db.pool, { id: 'pub-g', callbackUrl: 'https://p.example/cb', method: 'POST', timeoutMs: 1000, successRule: null });
  });

  it('writes concurrent calls together: each gets its own outcomes, in fewer statements than calls', async () => {
    const { pool, statements } = countingPool();
    const batcher = new IntakeBatcher(pool);
    const calls = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? [row(), row()] : [row()]));
    const outcomes = await Promise.all(calls.map((rows) => batcher.insert(rows)));
    expect(outcomes.map((o) => o.map((outcome) => outcome.kind))).toEqual(calls.map((rows) => rows.map(() => 'created')));
    expect(statements()).toBeLessThan(calls.length / 4);
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM delivery_outbox WHERE conversion_id = ANY($1)', [
      calls.flat().map((r) => r.id),
    ]);
    expect(Number(rows[0].n)).toBe(80);
  });

  it('never puts one id twice in a statement: the second call of an id is answered as a re-post', async () => {
    const batcher = new IntakeBatcher(db.pool);
    const id = `conv-${randomUUID()}`;
    const outcomes = await Promise.all([row(), row(id, 'first'), row(), row(id, 'second'), row(id, 'first')].map((r) => batcher.insert([r])));
    expect(outcomes.map(([o]) => o.kind)).toEqual(['created', 'created', 'created', 'existing', 'existing']);
    expect(outcomes.slice(3).map(([o]) => (o.kind === 'existing' ? o.payloadHash : undefined))).toEqual(['first', 'first']);
  });

  it('fails every call of a failed statement, and the next calls are written', async () => {
    const failing = Object.create(db.pool) as pg.Pool;
    let fail = true;
    failing.query = ((text: string, values?: unknown[]) =>
      fail ? Promise.reject(new Error('Connection terminated unexpectedly')) : db.pool.query(text, values)) as pg.Pool['query'];
    const batcher = new IntakeBatcher(failing);
    const failed = await Promise.allSettled([row(), row(), row()].map((r) => batcher.insert([r])));
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    fail = false;
    expect((await batcher.insert([row()]))[0].kind).toBe('created');
  });
});
