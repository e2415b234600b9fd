/**
 * The pre-call check ("Test my audio", `checkReadiness()`): a lazily loaded chunk, so the
 * first script does not carry it. Asks the token endpoint which kind of call the destination
 * makes (no token is minted), then, for WebRTC calls, whether this browser can call, may use
 * the microphone, has one, hears something through it, and can open the gateway's WebSocket.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { InvalidArgumentError } from '../core/errors.ts';
import type { CallSnapshot } from '../core/snapshot.ts';
import { isLive, type CallState } from '../core/states.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { CallMode, ReadinessQuery, ReadinessResponse } from '../protocol/index.ts';
import { addEnglish, type Translate } from '../i18n/index.ts';
import { EN_READINESS } from '../i18n/en-readiness.ts';

addEnglish(EN_READINESS);

export type ReadinessStatus = 'pass' | 'fail' | 'skip';

/** The checks, always reported in this order. */
export type ReadinessCheckName =
  | 'webrtc'
  | 'microphone-permission'
  | 'microphone-device'
  | 'microphone-signal'
  | 'token-endpoint'
  | 'gateway';

export interface ReadinessCheck {
  readonly name: ReadinessCheckName;
  readonly status: ReadinessStatus;
  /** An ErrorCode when the check failed, else null. */
  readonly code: string | null;
  /** A sentence for the visitor, in the widget's language at the time of the check. */
  readonly message: string;
}

export interface ReadinessReport {
  /** True when no check failed (skipped ones do not count). */
  readonly ok: boolean;
  /** The kind of call the destination makes, when the endpoint said so. */
  readonly mode: CallMode | null;
  readonly checks: readonly ReadinessCheck[];
}

export interface ReadinessOptions {
  /** Writes the sentences of the report, in the widget's language. */
  t: Translate;
  endpoint: string;
  destination: string;
  mode?: CallMode | undefined;
  /** The microphone chosen for calls (null: the browser's default). */
  microphoneId?: string | null;
  signal?: AbortSignal;
  /** How long to listen to the microphone. Default 1 s. */
  listenMs?: number;
  /** How long a gateway WebSocket may take to open. Default 3 s. */
  probeTimeoutMs?: number;
  /** How long the token endpoint may take to answer. Default 8 s. */
  requestTimeoutMs?: number;
}

/** Peak sample below this (about -60 dBFS) over the whole listen is silence. */
const SILENCE_PEAK = 0.001;

/**
 * The protocol's ReadinessQuery, ReadinessResponse and PATHS.readiness, spelt out: importing
 * the protocol module here would split it out of the engine chunk into one of its own on the
 * WebRTC path (+0.5 KB gzip and a request). A component test holds these to the schemas.
 */
export function isReadinessQuery(value: { destination?: unknown; mode?: unknown }): value is ReadinessQuery {
  const { destination, mode } = value;
  return typeof destination === 'string' && destination.length >= 1 && destination.length <= 64 &&
    (mode === undefined || mode === 'webrtc' || mode === 'callback');
}

export function readinessPath(query: ReadinessQuery): string {
  return `/readiness?destination=${encodeURIComponent(query.destination)}${query.mode ? `&mode=${query.mode}` : ''}`;
}

/** The answer as ReadinessResponse, or null when it is not one. */
export function toReadinessResponse(value: unknown): ReadinessResponse | null {
  const { mode, probeAddresses: probes } = (value ?? {}) as Record<string, unknown>;
  if (mode !== 'webrtc' && mode !== 'callback') return null;
  if (probes === undefined) return { mode };
  const valid = Array.isArray(probes) && probes.length <= 8 &&
    probes.every((p) => typeof p === 'string' && p.length >= 1 && p.length <= 256);
  return valid ? { mode, probeAddresses: probes as string[] } : null;
}

const pass = (name: ReadinessCheckName, message: string): ReadinessCheck => ({ name, status: 'pass', code: null, message });
const fail = (name: ReadinessCheckName, code: string, message: string): ReadinessCheck => ({ name, status: 'fail', code, message });
const skip = (name: ReadinessCheckName, message: string): ReadinessCheck => ({ name, status: 'skip', code: null, message });

interface EndpointAnswer {
  check: ReadinessCheck;
  mode: CallMode | null;
  probes: readonly string[];
}

async function askEndpoint(options: ReadinessOptions): Promise<EndpointAnswer> {
  const { t } = options;
  const name = 'token-endpoint';
  const query = { destination: options.destination, ...(options.mode ? { mode: options.mode } : {}) };
  if (!isReadinessQuery(query)) {
    return { check: fail(name, ErrorCode.InvalidRequest, t('check.misconfigured')), mode: null, probes: [] };
  }
  let response: Response;
  try {
    const base = options.endpoint.replace(/\/+$/, '');
    const url = new URL(base + readinessPath(query), location.href);
    const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 8_000);
    response = await fetch(url, {
      credentials: 'omit',
      cache: 'no-store',
      // AbortSignal.any() is recent (Safari 17.4): without it, the timeout alone bounds the wait.
      signal: options.signal && typeof AbortSignal.any === 'function' ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
  } catch {
    options.signal?.throwIfAborted();
    return {
      check: fail(name, ErrorCode.TokenEndpointUnreachable, t('check.unreachable')),
      mode: null,
      probes: [],
    };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Judged below: a non-JSON answer is not what the endpoint says.
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : ErrorCode.InvalidResponse;
    const message = typeof error?.message === 'string' ? error.message : t('check.httpStatus', { status: response.status });
    return { check: fail(name, code, message), mode: null, probes: [] };
  }
  const answer = toReadinessResponse(body);
  if (!answer) {
    return { check: fail(name, ErrorCode.InvalidResponse, t('check.notUnderstood')), mode: null, probes: [] };
  }
  return { check: pass(name, t('check.serviceOk')), mode: answer.mode, probes: answer.probeAddresses ?? [] };
}

/** WebRTC support, microphone permission, a device, and a signal that is not silence. */
async function checkMicrophone(options: ReadinessOptions): Promise<ReadinessCheck[]> {
  const { t } = options;
  const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (typeof RTCPeerConnection !== 'function' || typeof devices?.getUserMedia !== 'function' || typeof WebSocket !== 'function') {
    const why = t('check.noWebrtcSkip');
    return [
      fail('webrtc', ErrorCode.WebrtcUnsupported, t('check.noWebrtc')),
      skip('microphone-permission', why),
      skip('microphone-device', why),
      skip('microphone-signal', why),
    ];
  }
  const webrtc = pass('webrtc', t('check.webrtcOk'));
  const id = options.microphoneId;
  let stream: MediaStream;
  try {
    stream = await devices.getUserMedia({
      // Raw audio: echo cancellation and noise suppression would hide what the device sends.
      audio: { ...(id ? { deviceId: { exact: id } } : {}), echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      video: false,
    });
  } catch (error) {
    options.signal?.throwIfAborted();
    const name = error instanceof Error ? error.name : '';
    const notListened = skip('microphone-signal', t('check.noMicOpened'));
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      return [
        webrtc,
        fail('microphone-permission', ErrorCode.MicrophoneDenied, t('check.micBlocked')),
        skip('microphone-device', t('check.micHidden')),
        notListened,
      ];
    }
    const busy = name === 'NotReadableError' || name === 'AbortError';
    return [
      webrtc,
      busy ? pass('microphone-permission', t('check.micAllowed')) : skip('microphone-permission', t('check.micNotAsked')),
      fail(
        'microphone-device',
        ErrorCode.MicrophoneUnavailable,
        busy
          ? t('check.micBusy')
          : id
            ? t('check.micGone')
            : t('check.noMic'),
      ),
      notListened,
    ];
  }
  try {
    const track = stream.getAudioTracks()[0];
    return [
      webrtc,
      pass('microphone-permission', t('check.micAllowed')),
      pass('microphone-device', track?.label ? t('check.micConnectedNamed', { name: track.label }) : t('check.micConnected')),
      await listen(stream, options),
    ];
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}

/** Records about a second through an AnalyserNode and reports whether anything was heard. */
async function listen(stream: MediaStream, options: ReadinessOptions): Promise<ReadinessCheck> {
  const { t } = options;
  const name = 'microphone-signal';
  const Context = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Context) return skip(name, t('check.cannotMeasure'));
  const context = new Context();
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    // Without a tap the browser may keep the context suspended: it would hear only silence.
    let wait: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([context.resume(), new Promise((r) => (wait = setTimeout(r, 500)))]);
    clearTimeout(wait);
    if (context.state !== 'running') return skip(name, t('check.needsTap'));
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let peak = 0;
    await new Promise<void>((resolve, reject) => {
      const until = performance.now() + (options.listenMs ?? 1_000);
      // Windows of 2048 samples (~43 ms) read every 20 ms overlap: a short sound is not missed.
      timer = setInterval(() => {
        if (options.signal?.aborted) return reject(options.signal.reason);
        analyser.getFloatTimeDomainData(samples);
        for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
        if (performance.now() >= until) resolve();
      }, 20);
    });
    return peak >= SILENCE_PEAK
      ? pass(name, t('check.heard'))
      : fail(name, ErrorCode.MicrophoneSilent, t('check.silent'));
  } finally {
    clearInterval(timer);
    void context.close().catch(() => undefined);
  }
}

/** A gateway address as a WebSocket URL (as the media chunk reads it): bare host:port means wss://. */
const toWebSocketUrl = (address: string) => (/^wss?:\/\//i.test(address.trim()) ? address.trim() : `wss://${address.trim()}`);

/** Opens a SIP WebSocket to each address at once; passes when any opens within the time. */
function probe(addresses: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const sockets: WebSocket[] = [];
    let left = addresses.length;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const socket of sockets) {
        socket.onopen = socket.onerror = socket.onclose = null;
        socket.close();
      }
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    for (const address of addresses) {
      let socket: WebSocket;
      try {
        socket = new WebSocket(toWebSocketUrl(address), 'sip');
      } catch {
        if (--left === 0) done(false);
        continue;
      }
      sockets.push(socket);
      socket.onopen = () => done(true);
      socket.onerror = () => {
        if (--left === 0) done(false);
      };
    }
  });
}

export async function checkReadiness(options: ReadinessOptions): Promise<ReadinessReport> {
  const { t } = options;
  const endpoint = await askEndpoint(options);
  options.signal?.throwIfAborted();
  const mode = endpoint.mode ?? options.mode ?? null;
  let media: ReadinessCheck[];
  let gateway: ReadinessCheck;
  if (mode === 'callback') {
    const why = t('check.callbackSkip');
    media = (['webrtc', 'microphone-permission', 'microphone-device', 'microphone-signal'] as const).map((name) => skip(name, why));
    gateway = skip('gateway', why);
  } else {
    media = await checkMicrophone(options);
    options.signal?.throwIfAborted();
    if (endpoint.check.status !== 'pass') {
      gateway = skip('gateway', t('check.gatewayNoService'));
    } else if (endpoint.probes.length === 0) {
      gateway = skip('gateway', t('check.gatewayLater'));
    } else {
      gateway = (await probe(endpoint.probes, options.probeTimeoutMs ?? 3_000, options.signal))
        ? pass('gateway', t('check.gatewayOk'))
        : fail('gateway', ErrorCode.GatewayUnreachable, t('check.gatewayFail'));
      options.signal?.throwIfAborted();
    }
  }
  const checks = [...media, endpoint.check, gateway];
  return { ok: checks.every((check) => check.status !== 'fail'), mode, checks };
}

const MARKS: Record<ReadinessStatus, string> = { pass: '✓', fail: '✗', skip: '–' };

// Its styles are adopted with the audio settings' (devices.ts): no <style> element here.

/** The report as the visitor reads it; `null` while the check runs. */
export function renderReport(report: ReadinessReport | null, t: Translate) {
  if (!report) return html`<p part="readiness-summary">${t('check.testing')}</p>`;
  const shown = report.checks.filter((check) => check.status !== 'skip' || report.mode !== 'callback');
  return html`<p part="readiness-summary">
      ${t(report.ok ? 'check.ready' : 'check.attention')}
    </p>
    ${report.mode === 'callback'
      ? html`<p part="readiness-summary">${t('check.callbackNote')}</p>`
      : nothing}
    <ul part="readiness-list">
      ${shown.map(
        (check) => html`<li part="readiness-check" data-name=${check.name} data-status=${check.status}>
          <span aria-hidden="true">${MARKS[check.status]}</span>
          <span class="visually-hidden">${t(`check.${check.status}`)}</span>
          ${check.message}
        </li>`,
      )}
    </ul>`;
}

/** What the runner reads of `<click-to-call>`. */
export interface ReadinessHost extends ReactiveControllerHost {
  readonly state: CallState;
  readonly isConnected: boolean;
  readonly endpoint: string;
  readonly destination: string;
  readonly mode: CallMode | undefined;
  readonly snapshot: CallSnapshot;
}

/**
 * The pre-call check of one `<click-to-call>`: one run at a time (a second call joins it),
 * its report shown until a call starts, the microphone released when the element leaves.
 */
export class ReadinessRunner implements ReactiveController {
  /** The last report; null while a check runs; undefined when there is none to show. */
  report: ReadinessReport | null | undefined = undefined;
  #run: Promise<ReadinessReport> | null = null;
  #abort: AbortController | null = null;

  constructor(
    private readonly host: ReadinessHost,
    private readonly t: Translate,
  ) {
    host.addController(this);
  }

  get running(): boolean {
    return this.#run !== null;
  }

  hostUpdate(): void {
    if (isLive(this.host.state)) this.report = undefined;
  }

  hostDisconnected(): void {
    // A move within the page reconnects at once; only a removal stops the check.
    queueMicrotask(() => {
      if (!this.host.isConnected) this.#abort?.abort();
    });
  }

  /** Checks with the host's endpoint, destination, mode and chosen microphone. */
  run(): Promise<ReadinessReport> {
    if (this.#run) return this.#run;
    const { endpoint, destination, mode } = this.host;
    if (!endpoint || !destination) return Promise.reject(new InvalidArgumentError('checkReadiness(): set endpoint and destination first.'));
    const options = { t: this.t, endpoint, destination, mode, microphoneId: this.host.snapshot.microphoneId };
    const abort = (this.#abort = new AbortController());
    this.report = null;
    this.host.requestUpdate();
    const done = () => {
      this.#run = this.#abort = null;
      this.host.requestUpdate();
    };
    const run = checkReadiness({ ...options, signal: abort.signal }).then(
      (report) => {
        done();
        return (this.report = report);
      },
      (error: unknown) => {
        done();
        this.report = undefined;
        throw error;
      },
    );
    this.#run = run;
    return run;
  }

  render() {
    return this.report === undefined ? nothing : renderReport(this.report, this.t);
  }
}
