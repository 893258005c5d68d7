import { writeUntilRecorded } from '../../src/activities/write-until-recorded';

/** An attempt's outcome, once the publisher answered, is written until Postgres takes it, never given up early. */
describe('writeUntilRecorded', () => {
  const unavailable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

  it('retries the write while Postgres is unavailable, then returns what it wrote', async () => {
    let calls = 0;
    const retried: unknown[] = [];
    const row = await writeUntilRecorded(
      async () => {
        calls += 1;
        if (calls < 3) throw unavailable();
        return { attempt: 1 };
      },
      { budgetMs: 10_000, onRetry: (err) => retried.push(err) },
    );
    expect(row).toEqual({ attempt: 1 });
    expect(calls).toBe(3);
    expect(retried).toHaveLength(2);
  });

  it('does not retry a write that failed for another reason (a bug is not an outage)', async () => {
    let calls = 0;
    const write = async () => {
      calls += 1;
      throw Object.assign(new Error('syntax error'), { code: '42601' });
    };
    await expect(writeUntilRecorded(write, { budgetMs: 10_000 })).rejects.toThrow('syntax error');
    expect(calls).toBe(1);
  });

  it('gives up when its budget is spent, with the last error', async () => {
    let calls = 0;
    const write = async () => {
      calls += 1;
      throw unavailable();
    };
    await expect(writeUntilRecorded(write, { budgetMs: 500 })).rejects.toThrow('ECONNREFUSED');
    // 200 ms, then 400 ms would pass the budget: two tries.
    expect(calls).toBe(2);
  });
});
