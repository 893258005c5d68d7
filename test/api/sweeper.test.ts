import { startSweeper } from '../../src/api/sweeper';
import { createLogger, silentLogger } from '../../src/logger';
import { eventually } from '../support/eventually';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startSweeper', () => {
  it('runs at once, then again after each interval, never two runs at a time', async () => {
    let running = 0;
    let overlapped = false;
    let runs = 0;
    const sweeper = startSweeper(
      'test-sweep',
      async () => {
        running += 1;
        overlapped ||= running > 1;
        runs += 1;
        await tick(30); // longer than the interval: the next run waits for this one
        running -= 1;
      },
      10,
      silentLogger,
    );
    expect(runs).toBe(1);
    await eventually(async () => (runs >= 3 ? true : undefined), 20_000, 'three runs');
    await sweeper.stop();
    expect(overlapped).toBe(false);
  });

  it('logs a failed run and keeps sweeping', async () => {
    const lines: string[] = [];
    let runs = 0;
    const sweeper = startSweeper(
      'test-sweep',
      () => {
        runs += 1;
        return runs === 1 ? Promise.reject(new Error('Temporal is down')) : Promise.resolve();
      },
      5,
      createLogger({ write: (line) => lines.push(line) }),
    );
    await eventually(async () => (runs > 1 ? true : undefined), 20_000, 'a run after the failed one');
    await sweeper.stop();
    expect(lines.some((line) => line.includes('test-sweep failed') && line.includes('Temporal is down'))).toBe(true);
  });

  it('stop() waits for the run in progress and prevents the next one', async () => {
    let finished = false;
    let runs = 0;
    const sweeper = startSweeper(
      'test-sweep',
      async () => {
        runs += 1;
        await tick(40);
        finished = true;
      },
      1,
      silentLogger,
    );
    await sweeper.stop();
    expect(finished).toBe(true);
    // Twenty intervals: a next run, had one been scheduled, would have started by now.
    await tick(20);
    expect(runs).toBe(1);
  });
});
