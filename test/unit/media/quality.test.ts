import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Timers } from '../../../src/core/timers.ts';
import {
  estimateMos,
  QualityMonitor,
  readSample,
  type CallQuality,
  type MosInput,
  type QualityMonitorOptions,
  type QualityWarning,
  type Sample,
  type Stat,
  type StatsReport,
} from '../../../src/media/quality.ts';

/** Lets the promise reactions queued so far run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock that moves only when the test says so. */
class FakeTimers implements Timers {
  #now = 0;
  #nextId = 1;
  readonly #due = new Map<number, { at: number; fn: () => void }>();
  readonly requested: number[] = [];

  setTimeout = (fn: () => void, ms: number): unknown => {
    this.requested.push(ms);
    this.#due.set(this.#nextId, { at: this.#now + ms, fn });
    return this.#nextId++;
  };

  clearTimeout = (handle: unknown): void => {
    this.#due.delete(handle as number);
  };

  now = (): number => this.#now;

  get pending(): number {
    return this.#due.size;
  }

  /** Moves the clock forward, running due timers in order and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const next = [...this.#due].sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next || next[1].at > end) break;
      this.#due.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
      await settle();
    }
    this.#now = end;
  }
}

const report = (...stats: Stat[]): StatsReport => new Map(stats.map((s) => [s.id, s]));

/**
 * What Chrome returns for an answered audio call (abridged: the fields read, and a few
 * neighbours that must be ignored).
 */
function chromeReport(over: { received?: number; lost?: number; sent?: number } = {}): StatsReport {
  return report(
    { id: 'T01', type: 'transport', timestamp: 1, selectedCandidatePairId: 'CPb', dtlsState: 'connected', iceState: 'connected' },
    // An older pair from before an ICE restart, still marked nominated.
    { id: 'CPa', type: 'candidate-pair', timestamp: 1, transportId: 'T01', state: 'succeeded', nominated: true, currentRoundTripTime: 0.9 },
    { id: 'CPb', type: 'candidate-pair', timestamp: 1, transportId: 'T01', state: 'succeeded', nominated: true, currentRoundTripTime: 0.048, availableOutgoingBitrate: 300000 },
    { id: 'CIT01_111', type: 'codec', timestamp: 1, mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, sdpFmtpLine: 'minptime=10;useinbandfec=1' },
    {
      id: 'IT01A1234',
      type: 'inbound-rtp',
      kind: 'audio',
      timestamp: 1,
      ssrc: 1234,
      codecId: 'CIT01_111',
      transportId: 'T01',
      jitter: 0.012,
      packetsReceived: over.received ?? 4800,
      packetsLost: over.lost ?? 12,
      audioLevel: 0.21,
      totalAudioEnergy: 3.4,
      jitterBufferDelay: 2100.5,
    },
    { id: 'IT01V99', type: 'inbound-rtp', kind: 'video', timestamp: 1, jitter: 0.5, packetsReceived: 10, packetsLost: 10 },
    { id: 'OT01A5678', type: 'outbound-rtp', kind: 'audio', timestamp: 1, ssrc: 5678, codecId: 'CIT01_111', packetsSent: over.sent ?? 4900, bytesSent: 392000 },
    {
      id: 'RIA5678',
      type: 'remote-inbound-rtp',
      kind: 'audio',
      timestamp: 1,
      ssrc: 5678,
      localId: 'OT01A5678',
      roundTripTime: 0.052,
      fractionLost: 0.004,
      packetsLost: 20,
      jitter: 0.008,
      roundTripTimeMeasurements: 9,
    },
    { id: 'ROA1234', type: 'remote-outbound-rtp', kind: 'audio', timestamp: 1, packetsSent: 4812 },
  );
}

const inbound = (received: number, lost: number, extra: Stat = {}): StatsReport =>
  report({ id: 'IT01A1', type: 'inbound-rtp', kind: 'audio', packetsReceived: received, packetsLost: lost, ...extra });

const sample = (over: Partial<Sample> = {}): Sample => ({
  rttMs: null,
  jitterMs: null,
  lossPercent: null,
  audioLevel: null,
  packetsReceived: null,
  packetsLost: null,
  packetsSent: null,
  codec: null,
  ...over,
});

describe('estimateMos', () => {
  const base: MosInput = { rttMs: 20, jitterMs: 1, lossPercent: 0 };

  it('should rate a clean network near the top of the narrowband scale', () => {
    for (const codec of ['opus', 'pcmu', 'pcma'] as const) {
      const mos = estimateMos({ ...base, codec });
      assert.ok(mos >= 4.3 && mos <= 4.5, `${codec}: ${mos}`);
    }
    const perfect = estimateMos({ rttMs: 0, jitterMs: 0, lossPercent: 0 });
    assert.ok(perfect >= 4.3 && perfect <= 4.5, String(perfect));
  });

  it('should rate 300 ms RTT with 5 % loss under 3.5', () => {
    for (const jitterMs of [0, 5, 20]) {
      const mos = estimateMos({ rttMs: 300, jitterMs, lossPercent: 5 });
      assert.ok(mos < 3.5, `jitter ${jitterMs}: ${mos}`);
      assert.ok(mos > 2, `jitter ${jitterMs}: ${mos}`);
    }
  });

  it('should rate the default thresholds alone as still usable', () => {
    // Each threshold by itself is a warning, not a broken call.
    assert.ok(estimateMos({ rttMs: 400, jitterMs: 1, lossPercent: 0 }) > 3.5);
    assert.ok(estimateMos({ rttMs: 50, jitterMs: 30, lossPercent: 0 }) > 4);
    assert.ok(estimateMos({ rttMs: 50, jitterMs: 1, lossPercent: 3 }) > 3.5);
  });

  it('should never rise when any one input gets worse', () => {
    const sweeps: Array<[keyof MosInput, number[]]> = [
      ['rttMs', Array.from({ length: 101 }, (_, i) => i * 30)],
      ['jitterMs', Array.from({ length: 101 }, (_, i) => i * 5)],
      ['lossPercent', Array.from({ length: 101 }, (_, i) => i)],
    ];
    for (const codec of ['opus', 'pcmu'] as const) {
      for (const start of [base, { rttMs: 250, jitterMs: 15, lossPercent: 2 }]) {
        for (const [key, values] of sweeps) {
          const scores = values.map((v) => estimateMos({ ...start, codec, [key]: v }));
          for (let i = 1; i < scores.length; i++) {
            assert.ok(scores[i]! <= scores[i - 1]!, `${codec} ${key}=${values[i]}: ${scores[i]} > ${scores[i - 1]}`);
          }
          assert.ok(scores.at(-1)! < scores[0]! - 1, `${codec} ${key} barely matters: ${scores[0]} .. ${scores.at(-1)}`);
        }
      }
    }
  });

  it('should pass through the delay knee without a jump', () => {
    // One-way delay 177.3 ms: rtt/2 + 10 = 177.3.
    const below = estimateMos({ rttMs: 334.5, jitterMs: 0, lossPercent: 0 });
    const above = estimateMos({ rttMs: 334.7, jitterMs: 0, lossPercent: 0 });
    assert.ok(below - above >= 0 && below - above < 0.01, `${below} → ${above}`);
  });

  it('should stay within 1 and 4.5 for any input', () => {
    assert.equal(estimateMos({ rttMs: 10_000, jitterMs: 0, lossPercent: 0 }), 1);
    // Total loss leaves R just above the cubic's dip: as good as 1.
    assert.ok(estimateMos({ rttMs: 0, jitterMs: 0, lossPercent: 100 }) < 1.01);
    assert.equal(estimateMos({ rttMs: 5_000, jitterMs: 1_000, lossPercent: 250 }), 1);
    const negative = estimateMos({ rttMs: -100, jitterMs: -5, lossPercent: -10 });
    assert.equal(negative, estimateMos({ rttMs: 0, jitterMs: 0, lossPercent: 0 }));
    for (let r = 0; r <= 2000; r += 50) {
      for (let l = 0; l <= 100; l += 10) {
        const mos = estimateMos({ rttMs: r, jitterMs: r / 20, lossPercent: l });
        assert.ok(mos >= 1 && mos <= 4.5, `${r} ms, ${l} %: ${mos}`);
      }
    }
  });

  it('should let G.711 with concealment take random loss better than opus without FEC', () => {
    const lossy = { rttMs: 80, jitterMs: 5, lossPercent: 4 };
    assert.ok(estimateMos({ ...lossy, codec: 'pcmu' }) > estimateMos({ ...lossy, codec: 'opus' }));
    assert.equal(estimateMos({ ...lossy, codec: 'pcma' }), estimateMos({ ...lossy, codec: 'pcmu' }));
  });
});

describe('readSample', () => {
  it('should read a Chrome report: RTCP round trip, worst jitter and loss, counters and codec', () => {
    const s = readSample(chromeReport());
    assert.equal(s.rttMs, 52);
    assert.equal(s.jitterMs, 12);
    // The far end lost 0.4 % of ours; we lost 12 of 4812 (0.25 %) since the call began.
    assert.equal(s.lossPercent, 0.4);
    const ours = readSample(chromeReport({ lost: 48 }));
    assert.ok(Math.abs(ours.lossPercent! - (100 * 48) / 4848) < 1e-9, String(ours.lossPercent));
    assert.equal(s.audioLevel, 0.21);
    assert.equal(s.packetsReceived, 4800);
    assert.equal(s.packetsLost, 12);
    assert.equal(s.packetsSent, 4900);
    assert.equal(s.codec, 'opus');
  });

  it('should take the RTT of the pair the transport selected when there is no RTCP round trip yet', () => {
    const stats = [...(chromeReport() as Map<unknown, Stat>).values()].filter((s) => s.type !== 'remote-inbound-rtp');
    assert.equal(readSample(report(...stats)).rttMs, 48);
  });

  it('should find the pair without a transport entry: Firefox `selected`, or nominated and succeeded', () => {
    const firefox = report(
      { id: 'p1', type: 'candidate-pair', state: 'succeeded', nominated: true, selected: false, currentRoundTripTime: 0.3 },
      { id: 'p2', type: 'candidate-pair', state: 'succeeded', nominated: true, selected: true, currentRoundTripTime: 0.07 },
    );
    // Both are nominated and succeeded; only the second is in use.
    assert.equal(readSample(firefox).rttMs, 70);
    const chrome = report(
      { id: 'p1', type: 'candidate-pair', state: 'in-progress', nominated: false, currentRoundTripTime: 0.3 },
      { id: 'p2', type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: 0.07 },
    );
    assert.equal(readSample(chrome).rttMs, 70);
    const none = report({ id: 'p1', type: 'candidate-pair', state: 'failed', nominated: false, currentRoundTripTime: 0.3 });
    assert.equal(readSample(none).rttMs, null);
  });

  it('should take the far end’s loss and jitter when they are the worse direction', () => {
    const s = readSample(
      report(
        { id: 'i', type: 'inbound-rtp', kind: 'audio', packetsReceived: 1000, packetsLost: 0, jitter: 0.004 },
        { id: 'r', type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0.0625, jitter: 0.041 },
      ),
    );
    assert.equal(s.lossPercent, 6.25);
    assert.equal(s.jitterMs, 41);
  });

  it('should count loss over the interval since the previous sample', () => {
    const first = readSample(inbound(1000, 100));
    assert.equal(first.lossPercent, (100 * 100) / 1100);
    const second = readSample(inbound(1095, 105), first);
    assert.equal(second.lossPercent, 5);
    const third = readSample(inbound(1145, 105), second);
    assert.equal(third.lossPercent, 0);
  });

  it('should say null, not NaN or 0, when no packet arrived in the interval', () => {
    const first = readSample(inbound(500, 3));
    const still = readSample(inbound(500, 3), first);
    assert.equal(still.lossPercent, null);
    assert.equal(readSample(inbound(0, 0)).lossPercent, null);
  });

  it('should count from zero when the counters go backwards (a new stream)', () => {
    const before = readSample(inbound(5000, 100));
    const reset = readSample(inbound(190, 10), before);
    assert.equal(reset.lossPercent, 5);
    assert.ok(reset.lossPercent! >= 0);
  });

  it('should never report negative loss when late duplicates lower packetsLost', () => {
    const before = readSample(inbound(1000, 20));
    const after = readSample(inbound(1050, 17), before);
    assert.equal(after.lossPercent, 0);
    // Chrome's packetsLost may even be negative (more duplicates than losses).
    assert.equal(readSample(inbound(100, -2)).lossPercent, 0);
  });

  it('should ignore video streams and older reports’ `mediaType` spelling counts as audio', () => {
    const s = readSample(
      report(
        { id: 'v', type: 'inbound-rtp', kind: 'video', packetsReceived: 10, packetsLost: 90, jitter: 1 },
        { id: 'a', type: 'inbound-rtp', mediaType: 'audio', packetsReceived: 100, packetsLost: 0, jitter: 0.002 },
      ),
    );
    assert.equal(s.lossPercent, 0);
    assert.equal(s.jitterMs, 2);
  });

  it('should turn missing, non-numeric and non-finite fields into null', () => {
    assert.deepEqual(readSample(report()), sample());
    const odd = readSample(
      report(
        { id: 'i', type: 'inbound-rtp', kind: 'audio', packetsReceived: '10', packetsLost: Number.NaN, jitter: Infinity, audioLevel: null, codecId: 'c' },
        { id: 'c', type: 'codec', mimeType: 'audio/G722' },
        { id: 'r', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: Number.NaN, fractionLost: undefined },
        { id: 'o', type: 'outbound-rtp', kind: 'audio' },
      ),
    );
    assert.deepEqual(odd, sample());
    for (const value of Object.values(odd)) assert.ok(!Number.isNaN(value));
  });

  it('should recognise G.711 codecs by their MIME type', () => {
    const pcmu = report(
      { id: 'i', type: 'inbound-rtp', kind: 'audio', codecId: 'c0' },
      { id: 'c0', type: 'codec', mimeType: 'audio/PCMU' },
    );
    assert.equal(readSample(pcmu).codec, 'pcmu');
    const pcma = report(
      { id: 'o', type: 'outbound-rtp', kind: 'audio', codecId: 'c8' },
      { id: 'c8', type: 'codec', mimeType: 'audio/PCMA' },
    );
    assert.equal(readSample(pcma).codec, 'pcma');
  });
});

describe('QualityMonitor', () => {
  interface Step {
    rttMs?: number;
    jitterMs?: number;
    /** Loss this interval; the helper keeps the cumulative counters. */
    lossPercent?: number;
  }

  /** A monitor on a fake clock whose getStats answers from a script (the last step repeats). */
  function setup(steps: Array<Step | Error>, options: Partial<QualityMonitorOptions> = {}) {
    const clock = new FakeTimers();
    const samples: CallQuality[] = [];
    const transitions: Array<[QualityWarning, boolean]> = [];
    let calls = 0;
    let received = 0;
    let lost = 0;
    const getStats = async (): Promise<StatsReport> => {
      const step = steps[Math.min(calls++, steps.length - 1)]!;
      if (step instanceof Error) throw step;
      const loss = step.lossPercent ?? 0;
      lost += loss;
      received += 100 - loss;
      return report(
        { id: 'i', type: 'inbound-rtp', kind: 'audio', packetsReceived: received, packetsLost: lost, jitter: (step.jitterMs ?? 5) / 1000 },
        { id: 'o', type: 'outbound-rtp', kind: 'audio', packetsSent: calls * 50 },
        ...(step.rttMs === undefined ? [] : [{ id: 'r', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: step.rttMs / 1000 }]),
      );
    };
    const monitor = new QualityMonitor({
      getStats,
      onSample: (q) => samples.push(q),
      onWarning: (w, active) => transitions.push([w, active]),
      timers: clock,
      ...options,
    });
    return { clock, monitor, samples, transitions, calls: () => calls };
  }

  const good: Step = { rttMs: 80 };
  const highRtt: Step = { rttMs: 600 };

  it('should sample once per interval', async () => {
    const { clock, monitor, samples, calls } = setup([good]);
    monitor.start();
    await clock.advance(999);
    assert.equal(calls(), 0);
    await clock.advance(1);
    assert.equal(calls(), 1);
    await clock.advance(4000);
    assert.equal(samples.length, 5);
    assert.deepEqual(clock.requested, [1000, 1000, 1000, 1000, 1000, 1000]);
    const last = samples.at(-1)!;
    assert.equal(last.rttMs, 80);
    assert.equal(last.jitterMs, 5);
    assert.equal(last.lossPercent, 0);
    assert.equal(last.packetsReceived, 500);
    assert.equal(last.packetsSent, 250);
    assert.ok(last.mos! > 4.3, String(last.mos));
    assert.deepEqual(last.warnings, []);
    monitor.stop();
  });

  it('should raise a warning after 3 bad samples, not after 2', async () => {
    const { clock, monitor, samples, transitions } = setup([good, highRtt, highRtt, highRtt]);
    monitor.start();
    await clock.advance(3000);
    assert.deepEqual(transitions, []);
    assert.deepEqual(samples.map((q) => q.warnings), [[], [], []]);
    await clock.advance(1000);
    assert.deepEqual(transitions, [['high-rtt', true]]);
    assert.deepEqual(samples.at(-1)!.warnings, ['high-rtt']);
    monitor.stop();
  });

  it('should report a lasting problem once', async () => {
    const { clock, monitor, transitions } = setup([highRtt]);
    monitor.start();
    await clock.advance(20_000);
    assert.deepEqual(transitions, [['high-rtt', true]]);
    monitor.stop();
  });

  it('should clear after 3 good samples, not after 2', async () => {
    const { clock, monitor, samples, transitions } = setup([highRtt, highRtt, highRtt, good, good, good, good]);
    monitor.start();
    await clock.advance(5000);
    assert.deepEqual(transitions, [['high-rtt', true]]);
    assert.deepEqual(samples.at(-1)!.warnings, ['high-rtt']);
    await clock.advance(1000);
    assert.deepEqual(transitions, [['high-rtt', true], ['high-rtt', false]]);
    assert.deepEqual(samples.at(-1)!.warnings, []);
    await clock.advance(10_000);
    assert.equal(transitions.length, 2);
    monitor.stop();
  });

  it('should not flap on a metric that wavers around its threshold', async () => {
    const wobble = [highRtt, highRtt, good, highRtt, highRtt, good, highRtt, highRtt, good];
    const { clock, monitor, transitions } = setup(wobble.concat(highRtt, highRtt, highRtt, good, good, highRtt, good, good, highRtt));
    monitor.start();
    await clock.advance(9000);
    assert.deepEqual(transitions, [], 'never 3 bad in a row');
    await clock.advance(9000);
    assert.deepEqual(transitions, [['high-rtt', true]], 'raised once, never 3 good in a row');
    monitor.stop();
  });

  it('should count a value equal to its threshold as good', async () => {
    const { clock, monitor, samples, transitions } = setup([{ rttMs: 400, jitterMs: 30, lossPercent: 3 }]);
    monitor.start();
    await clock.advance(10_000);
    // Each metric is at its limit, so only their sum, the MOS, is bad.
    assert.deepEqual(transitions, [['low-mos', true]]);
    assert.equal(samples.at(-1)!.rttMs, 400);
    assert.equal(samples.at(-1)!.lossPercent, 3);
    monitor.stop();
  });

  it('should raise each warning on its own metric, and low MOS from their sum', async () => {
    const { clock, monitor, samples, transitions } = setup([{ rttMs: 300, jitterMs: 45, lossPercent: 5 }]);
    monitor.start();
    await clock.advance(3000);
    assert.deepEqual(
      transitions.map(([w]) => w).sort(),
      ['high-jitter', 'high-packet-loss', 'low-mos'],
    );
    assert.ok(transitions.every(([, active]) => active));
    const last = samples.at(-1)!;
    assert.equal(last.lossPercent, 5);
    assert.ok(last.mos! < 3.5, String(last.mos));
    assert.deepEqual([...last.warnings].sort(), ['high-jitter', 'high-packet-loss', 'low-mos']);
    monitor.stop();
  });

  it('should take thresholds, counts and interval from its options', async () => {
    const { clock, monitor, transitions } = setup([{ rttMs: 250 }, { rttMs: 250 }, { rttMs: 100 }], {
      thresholds: { rttMs: 200 },
      raiseAfter: 2,
      clearAfter: 1,
      intervalMs: 500,
    });
    monitor.start();
    await clock.advance(1000);
    assert.deepEqual(transitions, [['high-rtt', true]]);
    await clock.advance(500);
    assert.deepEqual(transitions, [['high-rtt', true], ['high-rtt', false]]);
    assert.ok(clock.requested.every((ms) => ms === 500));
    monitor.stop();
  });

  it('should neither raise nor clear on samples where the metric is unknown', async () => {
    const unknown: Step = {};
    // Unknown samples do not break a run of bad ones either: they say nothing.
    const { clock, monitor, samples, transitions } = setup([highRtt, highRtt, unknown, unknown, highRtt, unknown, unknown, unknown, unknown]);
    monitor.start();
    await clock.advance(4000);
    assert.deepEqual(transitions, []);
    assert.equal(samples.at(-1)!.rttMs, null);
    assert.equal(samples.at(-1)!.mos, null);
    await clock.advance(1000);
    assert.deepEqual(transitions, [['high-rtt', true]]);
    await clock.advance(10_000);
    assert.deepEqual(transitions, [['high-rtt', true]]);
    assert.deepEqual(samples.at(-1)!.warnings, ['high-rtt']);
    monitor.stop();
  });

  it('should swallow and count getStats failures, and keep sampling', async () => {
    const failed = new Error('pc closed');
    const { clock, monitor, samples, transitions } = setup([highRtt, failed, highRtt, failed, highRtt, good]);
    monitor.start();
    await clock.advance(5000);
    assert.equal(monitor.errors, 2);
    assert.equal(samples.length, 3);
    // A failed call is no sample: it does not break the run of bad ones.
    assert.deepEqual(transitions, [['high-rtt', true]]);
    monitor.stop();
  });

  it('should survive a getStats that throws instead of rejecting', async () => {
    const clock = new FakeTimers();
    let calls = 0;
    const monitor = new QualityMonitor({
      getStats: () => {
        calls++;
        throw new TypeError('not a function of a closed connection');
      },
      onSample: () => assert.fail('no sample without stats'),
      onWarning: () => assert.fail('no warning without stats'),
      timers: clock,
    });
    monitor.start();
    await clock.advance(3000);
    assert.equal(calls, 3);
    assert.equal(monitor.errors, 3);
    monitor.stop();
    assert.equal(clock.pending, 0);
  });

  it('should leave no timer behind when stopped', async () => {
    const { clock, monitor, calls } = setup([good]);
    monitor.start();
    monitor.start();
    assert.equal(clock.pending, 1, 'a second start() adds nothing');
    await clock.advance(3000);
    monitor.stop();
    assert.equal(clock.pending, 0);
    await clock.advance(10_000);
    assert.equal(calls(), 3);
    monitor.stop();
    assert.equal(clock.pending, 0);
  });

  it('should drop a sample still in flight when stopped', async () => {
    const clock = new FakeTimers();
    let answer: (r: StatsReport) => void = () => {};
    const samples: CallQuality[] = [];
    const monitor = new QualityMonitor({
      getStats: () => new Promise((resolve) => (answer = resolve)),
      onSample: (q) => samples.push(q),
      onWarning: () => {},
      timers: clock,
    });
    monitor.start();
    await clock.advance(1000);
    monitor.stop();
    answer(inbound(100, 0));
    await settle();
    assert.equal(samples.length, 0);
    assert.equal(clock.pending, 0);
  });

  it('should start again after stop with one timer', async () => {
    const { clock, monitor, samples } = setup([good]);
    monitor.start();
    await clock.advance(2000);
    monitor.stop();
    monitor.start();
    assert.equal(clock.pending, 1);
    await clock.advance(2000);
    assert.equal(samples.length, 4);
    monitor.stop();
    assert.equal(clock.pending, 0);
  });

  it('should hand out a new warnings array each sample', async () => {
    const { clock, monitor, samples } = setup([highRtt]);
    monitor.start();
    await clock.advance(4000);
    const [, , third, fourth] = samples;
    assert.notEqual(third!.warnings, fourth!.warnings);
    third!.warnings.pop();
    assert.deepEqual(monitor.warnings, ['high-rtt']);
    monitor.stop();
  });
});
