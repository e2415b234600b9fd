/**
 * Deterministic clocks for the core's `Timers`: a fake one that only moves when a test says
 * so, and a counting one over the real clock that tells whether anything is still scheduled.
 */
import type { Timers } from '../../../src/core/timers.ts';

/** Lets every promise reaction queued so far (and the ones they queue) run. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Scheduled {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

export class FakeTimers implements Timers {
  #now: number;
  #nextId = 1;
  readonly #scheduled = new Map<number, Scheduled>();
  /** Every `setTimeout` delay asked for, in order. */
  readonly requested: number[] = [];

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.#nextId++;
    this.requested.push(ms);
    this.#scheduled.set(id, { id, at: this.#now + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    if (typeof handle === 'number') this.#scheduled.delete(handle);
  };

  now = (): number => this.#now;

  /** Timers scheduled and neither run nor cleared. */
  get pending(): number {
    return this.#scheduled.size;
  }

  /**
   * Moves the clock `ms` forward, running due timers in time order (ties in the order they
   * were set), and letting promises settle before and after each one.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await settle();
    for (;;) {
      const due = this.#earliest();
      if (!due || due.at > end) break;
      this.#scheduled.delete(due.id);
      this.#now = due.at;
      due.fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }

  /** Moves the clock to the next timer and runs it; false when nothing is scheduled. */
  async runNext(): Promise<boolean> {
    await settle();
    const due = this.#earliest();
    if (!due) return false;
    await this.advance(due.at - this.#now);
    return true;
  }

  #earliest(): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const s of this.#scheduled.values()) {
      if (!best || s.at < best.at || (s.at === best.at && s.id < best.id)) best = s;
    }
    return best;
  }
}

/**
 * The real clock, counting what is still scheduled; `now()` ticks one second per read so
 * that timestamps taken at different moments always differ.
 */
export class CountingTimers implements Timers {
  readonly #live = new Set<ReturnType<typeof setTimeout>>();
  #t = 1_700_000_000_000;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const handle = setTimeout(() => {
      this.#live.delete(handle);
      fn();
    }, ms);
    this.#live.add(handle);
    return handle;
  };

  clearTimeout = (handle: unknown): void => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
    this.#live.delete(handle as ReturnType<typeof setTimeout>);
  };

  now = (): number => (this.#t += 1_000);

  get pending(): number {
    return this.#live.size;
  }
}
