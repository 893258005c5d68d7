/** The time-skipping clock: jumps only while nothing holds a lock, runs at wall speed otherwise. */
import { Clock } from '../src/core/clock';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('with nothing holding it, the clock jumps straight to the next timer, in order', async () => {
  const clock = new Clock(true, false);
  const start = clock.now();
  const fired: string[] = [];
  clock.schedule(start + 3 * 3600_000, () => fired.push('3h'));
  clock.schedule(start + 60_000, () => fired.push('1m'));
  await tick();
  await tick();
  expect(fired).toEqual(['1m', '3h']);
  expect(clock.now() - start).toBeGreaterThanOrEqual(3 * 3600_000);
  clock.stop();
});

test('a holder stops the jump until it releases; an external lock likewise', async () => {
  const clock = new Clock(true, true);
  const fired: number[] = [];
  clock.schedule(clock.now() + 3600_000, () => fired.push(1));
  await tick();
  expect(fired).toEqual([]); // locked from the start, like the official test server
  clock.hold('activity');
  clock.unlock();
  await tick();
  expect(fired).toEqual([]);
  clock.release('activity');
  await tick();
  expect(fired).toEqual([1]);
  clock.stop();
});

test('an unbalanced unlock is refused', () => {
  const clock = new Clock(true, false);
  expect(() => clock.unlock()).toThrow('Unbalanced lock and unlock calls');
  clock.stop();
});

test('a cancelled timer does not fire; without time skipping timers fire in real time', async () => {
  const clock = new Clock(false, false);
  const fired: string[] = [];
  const start = Date.now();
  clock.schedule(clock.now() + 20, () => fired.push('real')).cancel();
  // The kept timer is due after the cancelled one: when it fires, the cancelled one would have fired before it.
  await new Promise<void>((resolve) => clock.schedule(clock.now() + 30, () => resolve(void fired.push('kept'))));
  expect(fired).toEqual(['kept']);
  expect(Date.now() - start).toBeGreaterThanOrEqual(25);
  clock.stop();
});
