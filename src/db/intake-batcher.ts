import type pg from 'pg';
import type { NewConversion } from './conversions';
import { insertConversions, type IntakeOutcome } from './intake';

interface PendingCall {
  rows: readonly NewConversion[];
  resolve(outcomes: IntakeOutcome[]): void;
  reject(err: unknown): void;
}

/** Rows of one statement at most (a batch request larger than this still goes alone, as one statement). */
const MAX_ROWS_PER_STATEMENT = 1_000;
/**
 * Intake statements in flight at once. Each statement costs the API a socket write and Postgres a WAL flush
 * whatever its size, and both dominate the cost of a POST (see README, Benchmarks): while two run, the requests that
 * arrive wait and go together in the next one.
 */
const MAX_STATEMENTS_IN_FLIGHT = 2;

/**
 * Group commit for intake: concurrent POSTs are written together, in one intake statement, instead of one statement
 * each. A call waits at most for the statements in flight when it arrives. Calls are taken in arrival order; a call
 * holding an id that the group already holds waits for the next group (one statement must not hold an id twice).
 * A failed statement fails every call in it, as it would have failed each one alone.
 */
export class IntakeBatcher {
  private readonly queue: PendingCall[] = [];
  private inFlight = 0;

  constructor(private readonly pool: pg.Pool) {}

  /** Records these conversions (distinct ids) as insertConversions does; the outcomes in their order. */
  insert(rows: readonly NewConversion[]): Promise<IntakeOutcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < MAX_STATEMENTS_IN_FLIGHT && this.queue.length > 0) {
      const group = this.takeGroup();
      this.inFlight += 1;
      void this.write(group).finally(() => {
        this.inFlight -= 1;
        this.drain();
      });
    }
  }

  /** The queued calls, from the first, that fit one statement. */
  private takeGroup(): PendingCall[] {
    const ids = new Set<string>();
    let rows = 0;
    let taken = 0;
    for (const call of this.queue) {
      const fits = taken === 0 || (rows + call.rows.length <= MAX_ROWS_PER_STATEMENT && call.rows.every((row) => !ids.has(row.id)));
      if (!fits) break;
      for (const row of call.rows) ids.add(row.id);
      rows += call.rows.length;
      taken += 1;
    }
    return this.queue.splice(0, taken);
  }

  private async write(group: PendingCall[]): Promise<void> {
    try {
      const outcomes = await insertConversions(this.pool, group.flatMap((call) => call.rows));
      let offset = 0;
      for (const call of group) {
        call.resolve(outcomes.slice(offset, offset + call.rows.length));
        offset += call.rows.length;
      }
    } catch (err) {
      for (const call of group) call.reject(err);
    }
  }
}
