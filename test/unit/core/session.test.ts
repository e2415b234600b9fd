import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { InvalidArgumentError, InvalidStateError } from '../../../src/core/errors.ts';
import type { PollerOptions } from '../../../src/core/poller.ts';
import { CallSession, type CallTarget } from '../../../src/core/session.ts';
import type { CallSnapshot } from '../../../src/core/snapshot.ts';
import { isFinal, type CallState } from '../../../src/core/states.ts';
import { CountingTimers, settle } from './fake-timers.ts';
import { TOKEN, errorReply, startProtocolServer, type ProtocolServer } from './protocol-server.ts';

const FAST_POLL: Partial<PollerOptions> = {
  floorMs: 5,
  emptyInitialMs: 10,
  emptyMaxMs: 40,
  errorInitialMs: 10,
  errorMaxMs: 40,
  maxConsecutiveErrors: 3,
};

/** Every test here must end well within this; a hang is a failure, not a stuck suite. */
const T = { timeout: 5_000 };

interface Sent {
  method: string;
  /** Path relative to the endpoint, without the query. */
  path: string;
}
const isHangup = (r: Sent) => r.method === 'POST' && /^\/calls\/[^/]+\/hangup$/.test(r.path);
const isStart = (r: Sent) => r.method === 'POST' && r.path === '/calls';
const isSession = (r: Sent) => r.method === 'POST' && r.path === '/session';
const isPoll = (r: Sent) => r.method === 'GET' && /^\/calls\/[^/]+\/events$/.test(r.path);

interface Harness {
  session: CallSession;
  timers: CountingTimers;
  /** Every snapshot the listener was given, with the previous one and a copy taken at that moment. */
  changes: Array<{ snapshot: CallSnapshot; previous: CallSnapshot; copy: string }>;
  /** Every request the session made, logged when fetch is called (so nothing is missed in flight). */
  sent: Sent[];
  /** fetch() calls not yet settled. */
  inflight(): number;
  polls(): number;
  /** States in the order they were entered (updates within a state not repeated). */
  states(): CallState[];
  until(match: CallState | ((s: CallSnapshot) => boolean)): Promise<CallSnapshot>;
}

function harness(): Harness {
  const timers = new CountingTimers();
  const sent: Sent[] = [];
  let inflight = 0;
  /** The real fetch, only watched. */
  const watched: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    sent.push({ method: init?.method ?? 'GET', path: url.pathname.replace(/^\/c2c/, '') });
    inflight++;
    try {
      return await fetch(input, init);
    } finally {
      inflight--;
    }
  };
  const session = new CallSession({ timers, fetch: watched, poller: FAST_POLL, requestTimeouts: { requestMs: 2_000, pollMs: 3_000 } });
  const changes: Harness['changes'] = [];
  session.subscribe((snapshot, previous) => changes.push({ snapshot, previous, copy: JSON.stringify(snapshot) }));
  return {
    session,
    timers,
    changes,
    sent,
    inflight: () => inflight,
    polls: () => sent.filter(isPoll).length,
    states() {
      const out: CallState[] = [];
      for (const { snapshot } of changes) if (out.at(-1) !== snapshot.state) out.push(snapshot.state);
      return out;
    },
    until(match) {
      const test = typeof match === 'string' ? (s: CallSnapshot) => s.state === match : match;
      if (test(session.snapshot)) return Promise.resolve(session.snapshot);
      return new Promise((resolve, reject) => {
        const stop = session.subscribe((s) => {
          if (test(s)) {
            stop();
            resolve(s);
          } else if (isFinal(s.state)) {
            stop();
            reject(new Error(`the call ended in ${s.state} (${s.error?.code ?? 'no error'}) before the awaited change`));
          }
        });
      });
    },
  };
}

describe('CallSession + CallEngine (callback mode, real HTTP)', () => {
  let server: ProtocolServer;
  let target: CallTarget;
  beforeEach(async () => {
    server = await startProtocolServer();
    target = { endpoint: server.url, destination: 'sales', mode: 'callback', phone: '+14155550123' };
  });
  afterEach(() => server.close());

  /**
   * After a final state: no request of the session still running, nothing left scheduled on
   * its clock (so nothing can send another request), and every request answered or dropped
   * at the server.
   */
  async function assertQuiet(h: Harness): Promise<void> {
    await settle();
    assert.equal(h.inflight(), 0, 'a request is still running');
    assert.equal(h.timers.pending, 0, 'a timer is still pending');
    await server.idle();
  }

  /** Starts a call and waits until the endpoint gave it a call id (state dialing). */
  async function dial(h: Harness): Promise<{ callId: string; done: Promise<void> }> {
    const done = h.session.call(target);
    const s = await h.until((x) => x.callId !== null);
    assert.equal(s.state, 'dialing');
    return { callId: s.callId ?? '', done };
  }

  it('prefetch(target) mints one session ahead; the next call uses it instead of asking again', T, async () => {
    const h = harness();
    await h.session.prefetch('callback', target);
    await h.session.prefetch('callback', target);
    await settle();
    assert.equal(h.sent.filter(isSession).length, 1, 'one session minted, however often the visitor hovers');
    const { done } = await dial(h);
    assert.equal(h.sent.filter(isSession).length, 1, 'the click used the prefetched session');
    const callId = h.session.snapshot.callId ?? '';
    server.push(callId, { id: 'e1', type: 'ended' });
    await done;
    // Used once: the next call asks for a new session.
    const second = h.session.call(target);
    await h.until((x) => x.state === 'dialing' && x.callId !== callId);
    assert.equal(h.sent.filter(isSession).length, 2);
    await h.session.hangup();
    await second;
  });

  it("sends the page's CAPTCHA token with the session request and names the destination again at the start", T, async () => {
    const h = harness();
    await h.session.prefetch('callback', { ...target, captchaToken: 'solved-1' });
    await settle();
    // The click comes with another CAPTCHA token (here none): the session minted with the first is not used.
    const { done } = await dial(h);
    const sessions = server.requests.filter((r) => isSession(r));
    assert.deepEqual(sessions[0]?.body, { destination: 'sales', mode: 'callback', captchaToken: 'solved-1' });
    assert.deepEqual(sessions[1]?.body, { destination: 'sales', mode: 'callback' });
    const start = server.requests.find((r) => isStart(r));
    assert.deepEqual(start?.body, { destination: 'sales', phone: '+14155550123' });
    await h.session.hangup();
    await done;
  });

  it('a prefetched session for another destination is not used', T, async () => {
    const h = harness();
    await h.session.prefetch('callback', { ...target, destination: 'support' });
    await settle();
    const { done } = await dial(h);
    assert.equal(h.sent.filter(isSession).length, 2);
    await h.session.hangup();
    await done;
  });

  it('goes authorizing -> dialing -> queued -> connected -> ended from the events', T, async () => {
    const h = harness();
    const { callId, done } = await dial(h);
    server.push(callId, { id: 'e1', type: 'queued', position: 2 });
    const queued = await h.until('queued');
    assert.equal(queued.queuePosition, 2);
    assert.equal(typeof queued.queuedAt, 'number');
    server.push(callId, { id: 'e2', type: 'connected' });
    await done; // call() resolves once connected
    assert.equal(h.session.snapshot.state, 'connected');
    assert.equal(typeof h.session.snapshot.connectedAt, 'number');
    server.push(callId, { id: 'e3', type: 'ended', reason: 'agent' });
    const ended = await h.until('ended');

    assert.deepEqual(h.states(), ['authorizing', 'dialing', 'queued', 'connected', 'ended']);
    assert.equal(ended.provider, 'test-vendor');
    assert.equal(ended.mode, 'callback');
    assert.equal(ended.callId, callId);
    assert.equal(ended.error, null);
    assert.ok((ended.endedAt ?? 0) > (ended.connectedAt ?? Infinity));
    assert.ok((ended.connectedAt ?? 0) > (ended.queuedAt ?? Infinity));

    const session = server.requests.find((r) => isSession(r));
    assert.deepEqual(session?.body, { destination: 'sales', mode: 'callback' });
    const start = server.requests.find((r) => isStart(r));
    assert.equal(start?.headers.authorization, `Bearer ${TOKEN}`);
    const polls = server.requests.filter((r) => r.method === 'GET');
    assert.equal(polls[0]?.query.get('after'), null);
    assert.ok(polls.some((r) => r.query.get('after') === 'e1'), 'resumes after the last event id');
    assert.equal(h.sent.filter(isHangup).length, 0, 'the vendor ended it: no hang-up');
    await assertQuiet(h);
  });

  it('replaces the snapshot on every change and never mutates one', T, async () => {
    const h = harness();
    const initial = h.session.snapshot;
    assert.ok(Object.isFrozen(initial));
    const { callId } = await dial(h);
    server.push(callId, { id: 'e1', type: 'queued', position: 5 }, { id: 'e2', type: 'queued', position: 4 });
    await h.until((s) => s.queuePosition === 4);
    server.push(callId, { id: 'e3', type: 'connected' }, { id: 'e4', type: 'ended' });
    await h.until('ended');

    assert.ok(h.changes.length >= 6);
    assert.equal(h.changes[0]?.previous, initial);
    for (const [i, change] of h.changes.entries()) {
      assert.ok(Object.isFrozen(change.snapshot), `snapshot ${i} is frozen`);
      assert.notEqual(change.snapshot, change.previous, `snapshot ${i} is a new object`);
      if (i > 0) assert.equal(change.previous, h.changes[i - 1]?.snapshot, `snapshot ${i} follows the one before`);
      assert.equal(JSON.stringify(change.snapshot), change.copy, `snapshot ${i} unchanged since it was handed out`);
    }
    assert.equal(h.session.snapshot, h.changes.at(-1)?.snapshot);
    assert.equal(initial.state, 'idle');
    await assertQuiet(h);
  });

  it('ringing', T, async () => {
    const h = harness();
    const { callId } = await dial(h);
    server.push(callId, { id: 'r1', type: 'ringing' });
    await h.until('ringing');
    server.push(callId, { id: 'r2', type: 'connected' });
    await h.until('connected');
    assert.deepEqual(h.states(), ['authorizing', 'dialing', 'ringing', 'connected']);
    await h.session.hangup();
    await assertQuiet(h);
  });

  it('scheduled: the booked time is kept, the call is over, no hang-up is sent', T, async () => {
    const h = harness();
    const { callId, done } = await dial(h);
    server.push(callId, { id: 's1', type: 'queued' }, { id: 's2', type: 'scheduled', at: '2030-01-02T10:00:00Z' });
    await done;
    const s = h.session.snapshot;
    assert.equal(s.state, 'scheduled');
    assert.equal(s.scheduledAt, '2030-01-02T10:00:00Z');
    assert.equal(typeof s.endedAt, 'number');
    assert.equal(s.error, null);
    await assertQuiet(h);
    assert.equal(h.sent.filter(isHangup).length, 0);
  });

  it('failed event: failed with its code and message, and no hang-up request (the vendor is done)', T, async () => {
    const h = harness();
    const { callId, done } = await dial(h);
    server.push(callId, { id: 'f1', type: 'failed', code: 'no-agent-available', message: 'Nobody is free.' });
    await done;
    const s = h.session.snapshot;
    assert.equal(s.state, 'failed');
    assert.deepEqual(s.error, { code: 'no-agent-available', message: 'Nobody is free.' });
    assert.equal(typeof s.endedAt, 'number');
    await assertQuiet(h);
    assert.equal(h.sent.filter(isHangup).length, 0);

    // A new call after a failure starts clean.
    const again = h.session.call(target);
    assert.equal(h.session.snapshot.state, 'authorizing');
    assert.equal(h.session.snapshot.error, null);
    assert.equal(h.session.snapshot.callId, null);
    const next = await h.until((x) => x.callId !== null && x.callId !== callId);
    server.push(next.callId ?? '', { id: 'x', type: 'ended' });
    await again;
    assert.equal(h.session.snapshot.state, 'ended');
    assert.equal(h.sent.filter(isStart).length, 2);
    await assertQuiet(h);
  });

  it('ignores an event id it has seen (queuedAt kept, listener called once per real change)', T, async () => {
    const h = harness();
    server.replay = true;
    const { callId } = await dial(h);
    server.push(callId, { id: 'q1', type: 'queued', position: 3 });
    const first = await h.until('queued');
    const changesAfterFirst = h.changes.length;
    // The server repeats q1 on every poll: wait until at least two more answers carrying it were read.
    const pollsSoFar = server.count('GET', /events$/);
    await server.waitFor(() => server.count('GET', /events$/) >= pollsSoFar + 3);
    assert.equal(h.changes.length, changesAfterFirst, 'a repeated event changes nothing');

    server.push(callId, { id: 'q2', type: 'queued', position: 1 });
    const second = await h.until((s) => s.queuePosition === 1);
    assert.equal(second.queuedAt, first.queuedAt, 'queuedAt is when the call was first queued');
    assert.equal(h.changes.filter((c) => c.snapshot.state === 'queued').length, 2);
    server.push(callId, { id: 'q3', type: 'ended' });
    await h.until('ended');
    await assertQuiet(h);
  });

  it('hangup() while connected: ending until the endpoint answers, then ended; one hang-up request', T, async () => {
    const h = harness();
    const { callId } = await dial(h);
    server.push(callId, { id: 'c1', type: 'connected' });
    await h.until('connected');
    const release = server.hold('hangup');
    const first = h.session.hangup();
    const second = h.session.hangup();
    assert.equal(h.session.snapshot.state, 'ending');
    await server.waitFor(isHangup);
    assert.equal(h.session.snapshot.state, 'ending', 'still ending while the endpoint has not answered');
    release();
    await first;
    await second;
    assert.equal(h.session.snapshot.state, 'ended');
    assert.deepEqual(h.states().slice(-3), ['connected', 'ending', 'ended']);
    await h.session.hangup();
    await assertQuiet(h);
    assert.equal(h.sent.filter(isHangup).length, 1);
    const hangups = server.requests.filter((r) => isHangup(r));
    assert.equal(hangups.length, 1);
    assert.equal(hangups[0]?.path, `/calls/${callId}/hangup`);
    assert.equal(hangups[0]?.headers.authorization, `Bearer ${TOKEN}`);
  });

  it('a hang-up the endpoint could not take (503) is sent again in the background until it is; a 404 is not retried', T, async () => {
    const h = harness();
    const { callId } = await dial(h);
    server.push(callId, { id: 'c1', type: 'connected' });
    await h.until('connected');
    let refusals = 1;
    server.intercept = (route) => (route === 'hangup' && refusals-- > 0 ? errorReply(503, 'internal-error', 'down for a moment') : undefined);
    await h.session.hangup();
    assert.equal(h.session.snapshot.state, 'ended', 'the page does not wait for the retries');
    await server.waitFor(() => server.requests.filter(isHangup).length >= 2);
    await assertQuiet(h);
    assert.equal(server.requests.filter(isHangup).length, 2, 'tried again once, then it went through');
    server.intercept = () => undefined;

    // A refusal that is not the network's (the call is unknown) is final.
    const again = harness();
    const second = await dial(again);
    server.push(second.callId, { id: 'c1', type: 'connected' });
    await again.until('connected');
    server.intercept = (route) => (route === 'hangup' ? errorReply(404, 'call-not-found', 'no such call') : undefined);
    await again.session.hangup();
    await assertQuiet(again);
    assert.equal(server.requests.filter((r) => r.path === `/calls/${second.callId}/hangup`).length, 1);
    server.intercept = () => undefined;
  });

  it('hangup() before the engine has loaded: ended, and nothing is ever asked of the endpoint', T, async () => {
    const h = harness();
    const done = h.session.call(target);
    await h.session.hangup();
    assert.equal(h.session.snapshot.state, 'ended');
    await done;
    await h.session.prefetch('callback');
    await settle();
    assert.equal(h.session.snapshot.state, 'ended');
    assert.equal(server.requests.length, 0);
    assert.equal(h.timers.pending, 0);
  });

  it('hangup() while authorizing (session request in flight): ended, the session request dropped, no call started', T, async () => {
    const h = harness();
    await h.session.prefetch('callback');
    const release = server.hold('session');
    const done = h.session.call(target);
    await server.waitFor(isSession);
    assert.equal(h.session.snapshot.state, 'authorizing');
    await h.session.hangup();
    assert.deepEqual(h.states(), ['authorizing', 'ending', 'ended']);
    await done;
    release();
    await assertQuiet(h);
    assert.equal(h.sent.filter(isStart).length, 0);
    assert.equal(h.sent.filter(isHangup).length, 0);
  });

  it('hangup() while the start request is in flight: ended, and the call the endpoint accepted is hung up', T, async () => {
    const h = harness();
    const release = server.hold('start');
    void h.session.call(target);
    await server.waitFor(isStart);
    assert.equal(h.session.snapshot.state, 'dialing');
    await h.session.hangup();
    assert.equal(h.session.snapshot.state, 'ended');
    release();
    const hangup = await server.waitFor(isHangup);
    assert.equal(hangup.path, '/calls/call-1/hangup');
    await assertQuiet(h);
    assert.equal(h.sent.filter(isHangup).length, 1);
    assert.equal(h.polls(), 0, 'no poll for a call hung up');
    assert.equal(h.session.snapshot.state, 'ended');
  });

  it('hangup() right after a second call(): that call ends too', T, async () => {
    const h = harness();
    const { callId } = await dial(h);
    server.push(callId, { id: 'c1', type: 'connected' });
    await h.until('connected');
    await h.session.hangup();
    assert.equal(h.session.snapshot.state, 'ended');

    void h.session.call(target);
    try {
      await h.session.hangup();
      assert.equal(h.session.snapshot.state, 'ended');
      await assertQuiet(h);
      assert.equal(h.sent.filter(isStart).length, 1, 'the second call was never started at the endpoint');
      assert.equal(h.session.snapshot.state, 'ended');
    } finally {
      h.session.dispose();
      await server.idle();
    }
  });

  it('hangup() right after call() that follows a dispose(): that call ends too', T, async () => {
    const h = harness();
    await dial(h);
    h.session.dispose();
    await server.waitFor(isHangup);

    void h.session.call(target);
    try {
      await h.session.hangup();
      assert.equal(h.session.snapshot.state, 'ended');
      await assertQuiet(h);
      assert.equal(h.sent.filter(isStart).length, 1, 'the second call was never started at the endpoint');
      assert.equal(h.session.snapshot.state, 'ended');
    } finally {
      h.session.dispose();
      await server.idle();
    }
  });

  it('a second call() while one is live starts nothing and resolves with the first', T, async () => {
    const h = harness();
    const a = h.session.call(target);
    const b = h.session.call(target);
    const { callId } = await dial(h);
    const c = h.session.call(target);
    server.push(callId, { id: 'c1', type: 'connected' });
    await Promise.all([a, b, c]);
    assert.equal(h.session.snapshot.state, 'connected');
    assert.equal(h.sent.filter(isSession).length, 1);
    assert.equal(h.sent.filter(isStart).length, 1);
    assert.equal(h.changes.filter((x) => x.snapshot.state === 'authorizing' && x.previous.state !== 'authorizing').length, 1);
    await h.session.hangup();
    await assertQuiet(h);
  });

  it('session refused with 401 session-expired: failed with that code and message', T, async () => {
    server.session = () => errorReply(401, 'session-expired', 'Please reload the page.');
    const h = harness();
    await h.session.call(target);
    assert.equal(h.session.snapshot.state, 'failed');
    assert.deepEqual(h.session.snapshot.error, { code: 'session-expired', message: 'Please reload the page.' });
    assert.deepEqual(h.states(), ['authorizing', 'failed']);
    await assertQuiet(h);
    assert.equal(h.sent.filter(isStart).length, 0);
  });

  it('rate-limited session: failed with retryAfter in the error', T, async () => {
    server.session = () => errorReply(429, 'rate-limited', 'Too many calls.', 60);
    const h = harness();
    await h.session.call(target);
    assert.deepEqual(h.session.snapshot.error, { code: 'rate-limited', message: 'Too many calls.', retryAfter: 60 });
  });

  it('events answered with session-expired mid-call: failed at once, without retrying', T, async () => {
    const h = harness();
    const { callId } = await dial(h);
    server.push(callId, { id: 'q', type: 'queued' });
    await h.until('queued');
    const polls = h.polls();
    server.intercept = (route) => (route === 'events' ? errorReply(401, 'session-expired', 'The session is over.') : undefined);
    const failed = await h.until('failed');
    assert.deepEqual(failed.error, { code: 'session-expired', message: 'The session is over.' });
    await assertQuiet(h);
    assert.equal(h.polls() - polls, 1, 'one refused poll, no retry');
  });

  it('events failing with 500 again and again: failed after maxConsecutiveErrors polls', T, async () => {
    const h = harness();
    const { callId } = await dial(h);
    server.push(callId, { id: 'q', type: 'queued' });
    await h.until('queued');
    const polls = h.polls();
    server.intercept = (route) => (route === 'events' ? { status: 500, body: 'oops' } : undefined);
    const failed = await h.until('failed');
    assert.equal(failed.error?.code, 'token-endpoint-unreachable');
    await assertQuiet(h);
    assert.equal(h.polls() - polls, 3);
  });

  it('endpoint unreachable (closed port): failed with token-endpoint-unreachable', T, async () => {
    const gone = await startProtocolServer();
    await gone.close();
    const h = harness();
    await h.session.call({ ...target, endpoint: gone.url });
    assert.equal(h.session.snapshot.state, 'failed');
    assert.equal(h.session.snapshot.error?.code, 'token-endpoint-unreachable');
    assert.equal(h.timers.pending, 0);
  });

  it('dispose() while live: ended at once, the hang-up request still arrives, the poll is dropped', T, async () => {
    const h = harness();
    const { callId } = await dial(h);
    server.push(callId, { id: 'c1', type: 'connected' });
    await h.until('connected');
    await server.waitFor((r) => r.method === 'GET' && r.query.get('after') === 'c1');
    h.session.dispose();
    assert.equal(h.session.snapshot.state, 'ended');
    assert.equal(typeof h.session.snapshot.endedAt, 'number');
    const hangup = await server.waitFor(isHangup);
    assert.equal(hangup.path, `/calls/${callId}/hangup`);
    await assertQuiet(h);
    assert.equal(h.sent.filter(isHangup).length, 1);
    h.session.dispose();
    await h.session.hangup();
    assert.equal(h.sent.filter(isHangup).length, 1);
  });

  it('a listener that throws does not break the call (the error is reported asynchronously)', T, async () => {
    const saved = process.listeners('uncaughtException');
    const reported: unknown[] = [];
    const catcher = (error: unknown) => void reported.push(error);
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', catcher);
    try {
      const h = harness();
      const boom = new Error('page bug');
      h.session.subscribe(() => {
        throw boom;
      });
      const { callId, done } = await dial(h);
      server.push(callId, { id: 'c1', type: 'connected' });
      await done;
      server.push(callId, { id: 'c2', type: 'ended' });
      await h.until('ended');
      assert.deepEqual(h.states(), ['authorizing', 'dialing', 'connected', 'ended']);
      await settle();
      assert.ok(reported.length >= 4, `reported ${reported.length}`);
      assert.ok(reported.every((e) => e === boom));
      await assertQuiet(h);
    } finally {
      process.off('uncaughtException', catcher);
      for (const listener of saved) process.on('uncaughtException', listener);
    }
  });

  it('unsubscribing stops the listener', T, async () => {
    const h = harness();
    let calls = 0;
    const stop = h.session.subscribe(() => void calls++);
    h.session.setMuted(true);
    stop();
    h.session.setMuted(false);
    assert.equal(calls, 1);
  });

  describe('argument and state checks', () => {
    it('call() without an endpoint or destination throws InvalidArgumentError and changes nothing', () => {
      const h = harness();
      assert.throws(() => h.session.call({ endpoint: '', destination: 'sales' }), InvalidArgumentError);
      assert.throws(() => h.session.call({ endpoint: server.url, destination: '' }), InvalidArgumentError);
      assert.equal(h.session.snapshot.state, 'idle');
      assert.equal(h.changes.length, 0);
    });

    it('sendDtmf() with bad digits throws InvalidArgumentError, whatever the state', () => {
      const h = harness();
      for (const bad of ['', 'x', '1 2', '12E', '1'.repeat(33), 12 as unknown as string, null as unknown as string]) {
        assert.throws(() => h.session.sendDtmf(bad), InvalidArgumentError, String(bad));
      }
    });

    it('sendDtmf() with good digits but no connected call throws InvalidStateError', () => {
      const h = harness();
      for (const good of ['0', '123#', '*9', 'abcd', 'A,B,C,D', '1'.repeat(32)]) {
        assert.throws(() => h.session.sendDtmf(good), InvalidStateError, good);
      }
    });

    it('sendDtmf() on a connected callback call (no media) throws InvalidStateError', T, async () => {
      const h = harness();
      const { callId } = await dial(h);
      assert.throws(() => h.session.sendDtmf('1'), InvalidStateError);
      server.push(callId, { id: 'c1', type: 'connected' });
      await h.until('connected');
      assert.throws(() => h.session.sendDtmf('1'), InvalidStateError);
      await h.session.hangup();
      await assertQuiet(h);
    });

    it('setMuted() takes booleans only; a real change replaces the snapshot once and is kept for the next call', T, async () => {
      const h = harness();
      for (const bad of ['true', 1, null, undefined]) {
        assert.throws(() => h.session.setMuted(bad as unknown as boolean), InvalidArgumentError);
      }
      assert.equal(h.changes.length, 0);
      h.session.setMuted(true);
      h.session.setMuted(true);
      assert.equal(h.changes.length, 1);
      assert.equal(h.session.snapshot.muted, true);
      const done = h.session.call(target);
      assert.equal(h.session.snapshot.muted, true);
      await h.session.hangup();
      await done;
    });
  });
});
