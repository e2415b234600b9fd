/**
 * Call-quality warnings from `RTCPeerConnection.getStats()`, the way Twilio Voice JS raises
 * them: one sample a second, a warning raised only after several bad samples in a row and
 * cleared only after several good ones, so a single spike neither raises nor clears it.
 * No DOM access here: the report is read as a map of plain objects and the clock is injected.
 */
import { realTimers, type Timers } from '../core/timers.ts';

export type QualityWarning = 'high-rtt' | 'high-jitter' | 'high-packet-loss' | 'low-mos';
export type Codec = 'opus' | 'pcmu' | 'pcma';

/** One getStats entry as Chrome returns it: a plain object with a `type` and an `id`. */
export type Stat = Readonly<Record<string, unknown>>;

/** What `getStats()` resolves to, narrowed to what is read here: a `Map` of plain objects will do. */
export interface StatsReport {
  forEach(fn: (stat: Stat) => void): void;
}

export interface MosInput {
  rttMs: number;
  jitterMs: number;
  lossPercent: number;
  /** Default 'opus'. */
  codec?: Codec;
}

/**
 * What one getStats report says. Loss and jitter are the worse of the two directions (what we
 * receive, and what the far end reports about what we send): either one spoils the call.
 * A field the report lacks is null, never NaN.
 */
export interface Sample {
  rttMs: number | null;
  jitterMs: number | null;
  /** Lost share of the packets expected since the previous sample, 0..100. */
  lossPercent: number | null;
  /** Level of the audio we receive, 0..1. */
  audioLevel: number | null;
  /** Cumulative counters of the received (inbound) and sent audio streams. */
  packetsReceived: number | null;
  packetsLost: number | null;
  packetsSent: number | null;
  codec: Codec | null;
}

/** What the monitor reports every interval; a new object each time, never mutated. */
export interface CallQuality {
  rttMs: number | null;
  jitterMs: number | null;
  lossPercent: number | null;
  /** Estimated mean opinion score, 1..4.5; null when RTT, jitter or loss is unknown. */
  mos: number | null;
  audioLevel: number | null;
  packetsReceived: number | null;
  packetsSent: number | null;
  /** The warnings active after this sample. */
  warnings: QualityWarning[];
}

export interface QualityThresholds {
  rttMs: number;
  jitterMs: number;
  lossPercent: number;
  mos: number;
}

export interface QualityMonitorOptions {
  getStats(): Promise<StatsReport>;
  onSample(quality: CallQuality): void;
  /** Called once per transition: `active` true when raised, false when cleared. */
  onWarning(warning: QualityWarning, active: boolean): void;
  /** Default 1000. */
  intervalMs?: number;
  /** Bad samples in a row that raise a warning. Default 3. */
  raiseAfter?: number;
  /** Good samples in a row that clear it. Default 3. */
  clearAfter?: number;
  /** A metric beyond its threshold (below it, for MOS) is bad; equal to it is still good. */
  thresholds?: Partial<QualityThresholds>;
  timers?: Timers;
}

/** Twilio Voice JS's defaults for RTT and MOS; jitter and loss at the level where calls audibly suffer. */
export const DEFAULT_THRESHOLDS: Readonly<QualityThresholds> = { rttMs: 400, jitterMs: 30, lossPercent: 3, mos: 3.5 };

/**
 * Equipment impairment Ie and packet-loss robustness Bpl. G.711's are ITU-T G.113 Appendix I's
 * with packet loss concealment, which every browser's jitter buffer applies. Opus is at least
 * toll quality at WebRTC's bitrates, so Ie is 0 on the narrowband scale; its Bpl is taken low
 * (no in-band FEC assumed) because internet loss comes in bursts, which Bpl measured under
 * random loss does not see: a warning a little early beats one that never comes.
 */
const CODECS: Record<Codec, readonly [ie: number, bpl: number]> = { opus: [0, 10], pcmu: [0, 25.1], pcma: [0, 25.1] };

/**
 * Mean opinion score from network metrics: the ITU-T G.107 E-model with the other factors at
 * their defaults (R0 - Is = 93.2), in the simplified form of Cole and Rosenbluth, "Voice over
 * IP performance monitoring" (ACM SIGCOMM CCR, 2001). The one-way delay is half the RTT plus
 * the jitter buffer (twice the jitter) plus 10 ms of packetization.
 */
export function estimateMos({ rttMs, jitterMs, lossPercent, codec = 'opus' }: MosInput): number {
  const d = Math.max(0, rttMs) / 2 + 2 * Math.max(0, jitterMs) + 10;
  // Delay impairment: gentle up to ~177 ms one way, steep beyond, where talkers start to collide.
  const id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
  const [ie, bpl] = CODECS[codec];
  const loss = Math.min(100, Math.max(0, lossPercent));
  const r = Math.min(100, Math.max(0, 93.2 - id - (ie + ((95 - ie) * loss) / (loss + bpl))));
  // The cubic dips under 1 for R below ~6.5, hence the clamp.
  return Math.min(4.5, Math.max(1, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r)));
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const worst = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));
const ms = (seconds: number | null): number | null => (seconds === null ? null : seconds * 1000);

/** Reads one getStats report; `previous` is the sample before, for the loss over the interval. */
export function readSample(report: StatsReport, previous?: Sample | null): Sample {
  const byId = new Map<unknown, Stat>();
  let selectedPairId: unknown;
  let pair: Stat | undefined;
  let inbound: Stat | undefined;
  let remote: Stat | undefined;
  let outbound: Stat | undefined;
  report.forEach((s) => {
    byId.set(s.id, s);
    // Older Chrome and Safari say `mediaType` where the spec now says `kind`.
    const audio = (s.kind ?? s.mediaType) === 'audio';
    if (s.type === 'transport') selectedPairId ??= s.selectedCandidatePairId;
    // Firefox marks every pair `selected` or not; Chrome names it on the transport, else nominated and succeeded.
    else if (s.type === 'candidate-pair' && (s.selected ?? (s.nominated === true && s.state === 'succeeded')) === true) pair ??= s;
    else if (audio && s.type === 'inbound-rtp') inbound ??= s;
    else if (audio && s.type === 'remote-inbound-rtp') remote ??= s;
    else if (audio && s.type === 'outbound-rtp') outbound ??= s;
  });
  // After an ICE restart an older pair can still be nominated: the transport knows which one carries media.
  pair = byId.get(selectedPairId) ?? pair;

  const packetsReceived = num(inbound?.packetsReceived);
  const packetsLost = num(inbound?.packetsLost);
  let receivedLoss: number | null = null;
  if (packetsReceived !== null && packetsLost !== null) {
    const before = previous?.packetsReceived ?? null;
    const lostBefore = previous?.packetsLost ?? null;
    // No previous sample, or a counter gone backwards (a new stream): the counters start from zero.
    const fresh = before === null || lostBefore === null || packetsReceived < before;
    const received = packetsReceived - (fresh ? 0 : before);
    // packetsLost drops when late duplicates arrive: never a negative loss.
    const lost = Math.max(0, packetsLost - (fresh ? 0 : lostBefore));
    if (received + lost > 0) receivedLoss = (100 * lost) / (received + lost);
  }
  const sentLoss = num(remote?.fractionLost);
  const mime = byId.get(inbound?.codecId ?? outbound?.codecId)?.mimeType;
  const codec = typeof mime === 'string' ? mime.toLowerCase().replace('audio/', '') : '';

  return {
    // RTCP's round trip spans the whole media path; the ICE pair's only reaches the first relay.
    rttMs: ms(num(remote?.roundTripTime) ?? num(pair?.currentRoundTripTime)),
    jitterMs: ms(worst(num(inbound?.jitter), num(remote?.jitter))),
    lossPercent: worst(receivedLoss, sentLoss === null ? null : Math.min(100, Math.max(0, sentLoss * 100))),
    audioLevel: num(inbound?.audioLevel),
    packetsReceived,
    packetsLost,
    packetsSent: num(outbound?.packetsSent),
    codec: codec in CODECS ? (codec as Codec) : null,
  };
}

/** Each warning, the metric it watches, and which side of the threshold is bad (+1 above, -1 below). */
const CHECKS = [
  ['high-rtt', 'rttMs', 1],
  ['high-jitter', 'jitterMs', 1],
  ['high-packet-loss', 'lossPercent', 1],
  ['low-mos', 'mos', -1],
] as const;

/**
 * Samples `getStats()` every `intervalMs` and reports each sample and each warning transition.
 * A sample where a metric is unknown does not count for that metric's warning either way.
 * A failed `getStats()` is counted in `errors` and skipped. `stop()` cancels the timer and
 * drops a sample still in flight; the warnings stay as they were.
 */
export class QualityMonitor {
  readonly #options: QualityMonitorOptions;
  readonly #timers: Timers;
  readonly #thresholds: QualityThresholds;
  #handle: unknown;
  #running = false;
  /** Bumped by stop(), so a getStats() answer from before it is dropped. */
  #run = 0;
  #previous: Sample | undefined;
  readonly #active = new Set<QualityWarning>();
  /** Per warning, samples in a row that disagree with its current state. */
  readonly #streaks = new Map<QualityWarning, number>();
  #errors = 0;

  constructor(options: QualityMonitorOptions) {
    this.#options = options;
    this.#timers = options.timers ?? realTimers;
    this.#thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  }

  /** getStats() calls that failed so far. */
  get errors(): number {
    return this.#errors;
  }

  get warnings(): QualityWarning[] {
    return [...this.#active];
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    this.#run++;
    this.#timers.clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  #schedule(): void {
    const run = this.#run;
    // One timer at a time, set after each answer: a slow getStats() never piles up calls.
    this.#handle = this.#timers.setTimeout(() => void this.#tick(run), this.#options.intervalMs ?? 1000);
  }

  async #tick(run: number): Promise<void> {
    let report: StatsReport | undefined;
    try {
      report = await this.#options.getStats();
    } catch {
      // The connection may be closing; the next interval tries again.
      this.#errors++;
    }
    if (run !== this.#run) return;
    // Scheduled before the callbacks run, so a throwing callback cannot stop the sampling.
    this.#schedule();
    if (report) this.#take(readSample(report, this.#previous));
  }

  #take(sample: Sample): void {
    this.#previous = sample;
    const { rttMs, jitterMs, lossPercent } = sample;
    const mos =
      rttMs === null || jitterMs === null || lossPercent === null
        ? null
        : estimateMos({ rttMs, jitterMs, lossPercent, codec: sample.codec ?? 'opus' });
    const values = { rttMs, jitterMs, lossPercent, mos };
    const changed: Array<[QualityWarning, boolean]> = [];
    for (const [warning, key, side] of CHECKS) {
      const value = values[key];
      if (value === null) continue;
      const active = this.#active.has(warning);
      const streak = side * (value - this.#thresholds[key]) > 0 === active ? 0 : (this.#streaks.get(warning) ?? 0) + 1;
      const needed = active ? (this.#options.clearAfter ?? 3) : (this.#options.raiseAfter ?? 3);
      this.#streaks.set(warning, streak >= needed ? 0 : streak);
      if (streak < needed) continue;
      if (active) this.#active.delete(warning);
      else this.#active.add(warning);
      changed.push([warning, !active]);
    }
    for (const [warning, active] of changed) this.#options.onWarning(warning, active);
    const { audioLevel, packetsReceived, packetsSent } = sample;
    this.#options.onSample({ ...values, audioLevel, packetsReceived, packetsSent, warnings: [...this.#active] });
  }
}
