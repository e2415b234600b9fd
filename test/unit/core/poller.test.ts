import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallError } from '../../../src/core/errors.ts';
import { poll, type PollerOptions } from '../../../src/core/poller.ts';
import { delay } from '../../../src/core/timers.ts';
import type { CallEvent } from '../../../src/protocol/index.ts';
import { FakeTimers } from './fake-timers.ts';

const BASE: Omit<PollerOptions, 'timers'> = {
  floorMs: 100,
  emptyInitialMs: 200,
  emptyMaxMs: 1_000,
  errorInitialMs: 500,
  errorMaxMs: 8_000,
  maxConsecutiveErrors: 5,
  random: () => 1,
};

/** One scripted answer: events, an empty list, a failure; optionally after `ms` on the fake clock. */
type Answer = readonly CallEvent[] | Error;
type Step = Answer | { ms: number; answer: Answer };

const queued = (id: string): CallEvent => ({ id, type: 'queued' });

function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

/** Runs `poll` on a fake clock over a script; after the script, requests hang until aborted. */
function start(steps: readonly Step[], options: Partial<PollerOptions> = {}, onEvents: (events: readonly CallEvent[]) => boolean = () => false) {
  const clock = new FakeTimers();
  const t0 = clock.now();
  const controller = new AbortController();
  const starts: number[] = [];
  const delivered: Array<readonly CallEvent[]> = [];
  const signals: AbortSignal[] = [];
  let index = 0;

  const fetchOnce = (signal: AbortSignal): Promise<readonly CallEvent[]> => {
    starts.push(clock.now() - t0);
    signals.push(signal);
    const step = steps[index++];
    if (step === undefined) {
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(abortError()), { once: true }));
    }
    const answer = step instanceof Error || Array.isArray(step) ? (step as Answer) : (step as { ms: number; answer: Answer }).answer;
    const ms = step instanceof Error || Array.isArray(step) ? 0 : (step as { ms: number }).ms;
    const settleWith = (resolve: (v: readonly CallEvent[]) => void, reject: (e: unknown) => void) =>
      answer instanceof Error ? reject(answer) : resolve(answer);
    if (ms === 0) return new Promise(settleWith);
    return new Promise((resolve, reject) => clock.setTimeout(() => settleWith(resolve, reject), ms));
  };

  const outcome: { done: boolean; error?: unknown } = { done: false };
  const promise = poll(
    fetchOnce,
    (events) => {
      delivered.push(events);
      return onEvents(events);
    },
    controller.signal,
    { ...BASE, ...options, timers: clock },
  ).then(
    () => void (outcome.done = true),
    (error: unknown) => {
      outcome.done = true;
      outcome.error = error;
    },
  );
  return { clock, controller, starts, delivered, signals, outcome, promise, requests: () => index };
}

describe('poll()', () => {
  describe('the floor', () => {
    it('keeps the starts of two requests at least floorMs apart when answers bring events', async () => {
      const p = start([[queued('1')], [queued('2')], [queued('3')], [queued('4')]]);
      await p.clock.advance(1_000);
      assert.deepEqual(p.starts, [0, 100, 200, 300, 400]);
      assert.deepEqual(p.delivered.map((e) => e[0]?.id), ['1', '2', '3', '4']);
      p.controller.abort();
      await p.promise;
    });

    it('counts the time a request took: a 30 ms answer is followed 70 ms later, a 150 ms one at once', async () => {
      const p = start([{ ms: 30, answer: [queued('1')] }, { ms: 150, answer: [queued('2')] }, { ms: 10, answer: [queued('3')] }]);
      await p.clock.advance(1_000);
      assert.deepEqual(p.starts, [0, 100, 250, 350]);
      p.controller.abort();
      await p.promise;
    });

    it('is respected after empty answers even when the empty back-off is shorter', async () => {
      const p = start([[], [], []], { emptyInitialMs: 20, emptyMaxMs: 40, random: () => 0.5 });
      await p.clock.advance(1_000);
      assert.deepEqual(p.starts, [0, 100, 200, 300]);
      p.controller.abort();
      await p.promise;
    });
  });

  describe('back-off on empty answers', () => {
    it('doubles from emptyInitialMs up to emptyMaxMs and starts over after events', async () => {
      const p = start([[], [], [], [], [], [], [queued('a')], [], []]);
      await p.clock.advance(10_000);
      // waits: 200, 400, 800, 1000 (cap), 1000, 1000, floor after events, then 200, 400 again
      assert.deepEqual(p.starts, [0, 200, 600, 1_400, 2_400, 3_400, 4_400, 4_500, 4_700, 5_100]);
      p.controller.abort();
      await p.promise;
    });

    it('jitters each wait between the floor and the back-off, one random draw per wait', async () => {
      const draws = [0, 0.5, 0.25];
      let calls = 0;
      const p = start([[], [], []], { random: () => draws[calls++] ?? 0 });
      await p.clock.advance(5_000);
      // 100 + r * (backoff - 100) with backoff 200, 400, 800
      assert.deepEqual(p.starts, [0, 100, 100 + 250, 100 + 250 + 275]);
      assert.equal(calls, 3);
      p.controller.abort();
      await p.promise;
    });
  });

  describe('back-off on errors', () => {
    const fail = (n: number) => new CallError('network-lost', `failure ${n}`);

    it('doubles from errorInitialMs up to errorMaxMs, and a success resets it', async () => {
      const steps: Step[] = [fail(1), fail(2), fail(3), fail(4), fail(5), fail(6), fail(7), [queued('ok')], fail(8)];
      const p = start(steps, { maxConsecutiveErrors: 10 });
      await p.clock.advance(60_000);
      // waits 500, 1000, 2000, 4000, 8000, 8000 (cap), 8000, floor, then 500 again
      assert.deepEqual(p.starts, [0, 500, 1_500, 3_500, 7_500, 15_500, 23_500, 31_500, 31_600, 32_100]);
      assert.equal(p.outcome.done, false);
      p.controller.abort();
      await p.promise;
    });

    it('honours retryAfter when it asks for more than the back-off, even above errorMaxMs', async () => {
      const p = start([
        new CallError('rate-limited', 'slow down', { retryAfter: 3 }),
        new CallError('rate-limited', 'slower', { retryAfter: 20 }),
      ]);
      await p.clock.advance(60_000);
      assert.deepEqual(p.starts, [0, 3_000, 23_000]);
      p.controller.abort();
      await p.promise;
    });

    it('never comes back before retryAfter, whatever the jitter draws', async () => {
      const p = start([new CallError('rate-limited', 'slow down', { retryAfter: 3 })], { random: () => 0 });
      await p.clock.advance(10_000);
      assert.equal(p.starts.length, 2);
      assert.ok((p.starts[1] ?? 0) >= 3_000, `second request at ${p.starts[1]} ms, retryAfter was 3 s`);
      p.controller.abort();
      await p.promise;
    });

    it('gives up after maxConsecutiveErrors failures in a row, rejecting with the last CallError', async () => {
      const last = fail(3);
      const p = start([fail(1), fail(2), last, [queued('never')]], { maxConsecutiveErrors: 3 });
      await p.clock.advance(60_000);
      assert.equal(p.outcome.done, true);
      assert.equal(p.outcome.error, last);
      assert.equal(p.requests(), 3);
      assert.equal(p.delivered.length, 0);
      assert.equal(p.clock.pending, 0);
    });

    it('counts only failures in a row', async () => {
      const p = start([fail(1), fail(2), [queued('x')], fail(3), fail(4), [queued('y')], fail(5), fail(6), fail(7)], { maxConsecutiveErrors: 3 });
      await p.clock.advance(60_000);
      assert.equal(p.requests(), 9);
      assert.equal((p.outcome.error as CallError).message, 'failure 7');
    });

    it('turns a failure that is not a CallError into network-lost, keeping the cause', async () => {
      const boom = new TypeError('socket hang up');
      const p = start([boom], { maxConsecutiveErrors: 1 });
      await p.clock.advance(1_000);
      const error = p.outcome.error;
      assert.ok(error instanceof CallError);
      assert.equal(error.code, 'network-lost');
      assert.equal(error.message, 'socket hang up');
      assert.equal(error.cause, boom);
    });

    for (const code of ['session-expired', 'call-not-found', 'invalid-request', 'unauthorized', 'origin-not-allowed']) {
      it(`stops at once on the fatal code ${code}`, async () => {
        const fatal = new CallError(code, 'no retry can mend this');
        const p = start([fatal, [queued('never')]], { maxConsecutiveErrors: 10 });
        await p.clock.advance(60_000);
        assert.equal(p.outcome.error, fatal);
        assert.equal(p.requests(), 1);
        assert.equal(p.clock.pending, 0);
      });
    }

    it('retries a TimeoutError of its own request (the poll signal did not abort)', async () => {
      const p = start([new DOMException('The operation timed out', 'TimeoutError'), [queued('after')]]);
      await p.clock.advance(5_000);
      assert.equal(p.requests(), 3);
      assert.equal(p.delivered.length, 1);
      p.controller.abort();
      await p.promise;
    });
  });

  describe('stopping', () => {
    it('stops when onEvents returns true: resolves, no further request, no timer left', async () => {
      const p = start([[queued('1')], [{ id: '2', type: 'ended' }], [queued('never')]], {}, (events) => events.some((e) => e.type === 'ended'));
      await p.clock.advance(10_000);
      assert.equal(p.outcome.done, true);
      assert.equal(p.outcome.error, undefined);
      assert.equal(p.requests(), 2);
      assert.equal(p.clock.pending, 0);
    });

    it('abort during a wait resolves at once and clears the timer', async () => {
      const p = start([[], []]);
      await p.clock.advance(250); // second request at 200 was empty: now waiting
      assert.equal(p.requests(), 2);
      assert.equal(p.clock.pending, 1);
      p.controller.abort();
      await p.promise;
      assert.equal(p.clock.pending, 0);
      await p.clock.advance(60_000);
      assert.equal(p.requests(), 2);
      assert.equal(p.outcome.error, undefined);
    });

    it('abort during a request resolves, passes the signal to the request, and drops a late answer', async () => {
      const p = start([{ ms: 500, answer: [queued('late')] }]);
      await p.clock.advance(100);
      assert.equal(p.signals[0], p.controller.signal);
      p.controller.abort();
      await p.clock.advance(1_000);
      await p.promise;
      assert.equal(p.outcome.error, undefined);
      assert.equal(p.delivered.length, 0);
      assert.equal(p.requests(), 1);
      assert.equal(p.clock.pending, 0);
    });

    it('abort while the request hangs: the rejection is not an error', async () => {
      const p = start([]);
      await p.clock.advance(100);
      p.controller.abort();
      await p.promise;
      assert.equal(p.outcome.done, true);
      assert.equal(p.outcome.error, undefined);
      assert.equal(p.clock.pending, 0);
    });

    it('sends nothing when the signal is already aborted', async () => {
      const clock = new FakeTimers();
      let requests = 0;
      await poll(async () => (requests++, []), () => false, AbortSignal.abort(), { ...BASE, timers: clock });
      assert.equal(requests, 0);
      assert.equal(clock.pending, 0);
    });
  });
});

describe('delay()', () => {
  it('resolves after ms on the given clock, not before', async () => {
    const clock = new FakeTimers();
    let done = false;
    const p = delay(100, new AbortController().signal, clock).then(() => (done = true));
    await clock.advance(99);
    assert.equal(done, false);
    await clock.advance(1);
    await p;
    assert.equal(done, true);
    assert.equal(clock.pending, 0);
  });

  it('resolves early on abort and leaves no timer behind', async () => {
    const clock = new FakeTimers();
    const controller = new AbortController();
    const p = delay(10_000, controller.signal, clock);
    assert.equal(clock.pending, 1);
    controller.abort();
    await p;
    assert.equal(clock.pending, 0);
  });

  it('sets no timer for ms <= 0 or an aborted signal', async () => {
    const clock = new FakeTimers();
    await delay(0, new AbortController().signal, clock);
    await delay(-5, new AbortController().signal, clock);
    await delay(100, AbortSignal.abort(), clock);
    assert.deepEqual(clock.requested, []);
  });
});
