/**
 * The microphone level meter of a WebRTC call, shown in the audio settings (next to the
 * microphone list, where it helps most) and so part of their lazily loaded chunk: a call that
 * never opens them does not load it.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { CallSession } from '../core/session.ts';
import type { Translate } from '../i18n/index.ts';
import { isLive } from '../core/states.ts';

/** How often the level is read; ten times a second is smooth enough for a bar. */
const INTERVAL_MS = 100;
/** The quietest level shown above zero, in dBFS. */
const FLOOR_DB = -60;
/** Percentage points the bar falls per reading: peaks stay visible for a moment. */
const FALL = 12;

/**
 * Reads `stream` through an AnalyserNode and calls `onLevel` with 0-100 (the loudest sample
 * of each reading on a decibel scale) until the returned function is called, which closes the
 * AudioContext and stops the timer. The stream's tracks are the caller's and stay open.
 */
export function startLevelMeter(stream: MediaStream, onLevel: (level: number) => void): () => void {
  const Context = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Context) return () => undefined;
  const context = new Context();
  void context.resume().catch(() => undefined);
  const analyser = context.createAnalyser();
  // ~85 ms of audio at 48 kHz: most of each interval is seen, so short sounds are not missed.
  analyser.fftSize = 4096;
  const source = context.createMediaStreamSource(stream);
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let shown = 0;
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let peak = 0;
    for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
    const level = peak > 0 ? Math.round(Math.min(100, Math.max(0, (1 - (20 * Math.log10(peak)) / FLOOR_DB) * 100))) : 0;
    const next = Math.max(level, shown - FALL, 0);
    if (next !== shown) onLevel((shown = next));
  }, INTERVAL_MS);
  return () => {
    clearInterval(timer);
    source.disconnect();
    void context.close().catch(() => undefined);
  };
}

/**
 * Follows the session while `enabled`: meters `session.microphone` while a WebRTC call is
 * live (after a microphone switch, the new stream), shows 0 while muted, and releases
 * everything (timer, AudioContext) when the call ends, when disabled, or when the element
 * leaves the page.
 */
export class LevelMeter implements ReactiveController {
  level = 0;
  enabled = false;
  #stream: MediaStream | null = null;
  #stop: (() => void) | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly session: CallSession,
    private readonly t: Translate,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#unsubscribe ??= this.session.subscribe(() => this.#sync());
    this.#sync();
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#sync(true);
  }

  #sync(gone = false): void {
    const s = this.session.snapshot;
    const stream = this.enabled && !gone && isLive(s.state) && s.mode !== 'callback' ? this.session.microphone : null;
    if (s.muted || stream !== this.#stream) this.#show(0);
    if (stream === this.#stream) return;
    this.#stop?.();
    this.#stop = null;
    this.#stream = stream;
    if (stream) this.#stop = startLevelMeter(stream, (level) => this.#show(this.session.snapshot.muted ? 0 : level));
    this.host.requestUpdate();
  }

  /** Starts (true) or stops (false) metering; nothing runs while the settings are closed. */
  enable(enabled: boolean): void {
    this.enabled = enabled;
    this.#sync();
  }

  #show(level: number): void {
    if (level === this.level) return;
    this.level = level;
    this.host.requestUpdate();
  }

  render() {
    return this.#stream
      ? html`<meter part="level" min="0" max="100" aria-label=${this.t('settings.level')} .value=${this.level}></meter>`
      : nothing;
  }
}
