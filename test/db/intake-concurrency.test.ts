import { randomUUID } from 'node:crypto';
import { insertConversions } from '../../src/db/intake';
import { insertConversion, newConversion } from '../support/fixtures';
import { useTestDatabase } from '../support/postgres';

const db = useTestDatabase();

describe('intake statements under concurrency', () => {
  it('two batches sharing their ids in opposite orders neither deadlock nor record an id twice', async () => {
    const { publisherId } = await insertConversion(db.pool, { callbackUrl: 'http://example.com/cb' });
    const conversion = (id: string) => newConversion(publisherId, { id });
    for (let round = 0; round < 5; round += 1) {
      const ids = Array.from({ length: 200 }, () => `c-${randomUUID()}`);
      const reversed = [...ids].reverse();
      const [forward, backward] = await Promise.all([
        insertConversions(db.pool, ids.map(conversion)),
        insertConversions(db.pool, reversed.map(conversion)),
      ]);
      const backwardById = new Map(reversed.map((id, i) => [id, backward[i].kind]));
      expect(ids.map((id, i) => [forward[i].kind, backwardById.get(id)].sort())).toEqual(ids.map(() => ['created', 'existing']));
    }
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery_outbox WHERE publisher_id = $1', [publisherId]);
    expect(rows[0].n).toBe(1 + 200 * 5);
  });
});
