import type { CallEvent, CallMode, Gateway, IceServer, SessionRequest, SessionResponse } from '../protocol/index.ts';
import { FINAL_EVENT_TYPES, PATHS } from '../protocol/index.ts';
import { NotAStream, readEventStream } from './stream.ts';
import { delay } from './timers.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { MediaCall, MediaEnd, MediaModule, Trace } from '../media/types.ts';
import { EndpointClient } from './client.ts';
import type { CallSessionOptions, CallTarget, PreparedMedia } from './session.ts';
import { CallError, InvalidStateError, isAbort, toCallError } from './errors.ts';
import { poll } from './poller.ts';
import type { CallSnapshot } from './snapshot.ts';
import { CallState, canTransition, isFinal, isLive } from './states.ts';
import type { Timers } from './timers.ts';

/** A prefetched token is used only with this much of its life left, and never older than this. */
const PREFETCH_MARGIN_MS = 15_000;
const MAX_PREFETCH_MS = 120_000;
/** Waits before each new try of a hang-up the network lost (each try has its own timeout). */
const HANGUP_RETRY_MS = [1_000, 3_000, 9_000] as const;
/** Failures of the moment (network, endpoint, vendor); an unknown call or an expired session are final. */
const RETRY_HANGUP_ON: ReadonlySet<string> = new Set([
  ErrorCode.TokenEndpointUnreachable,
  ErrorCode.InternalError,
  ErrorCode.VendorUnavailable,
]);

function sessionRequest(target: CallTarget): SessionRequest {
  return {
    destination: target.destination,
    ...(target.mode ? { mode: target.mode } : {}),
    ...(target.locale ? { locale: target.locale } : {}),
    ...(target.captchaToken ? { captchaToken: target.captchaToken } : {}),
  };
}

/** The last two digits only: enough to tell numbers apart in a log, not to call one. */
const maskPhone = (phone: string | undefined) => phone && `***${phone.slice(-2)}`;

function targetKey(target: CallTarget): string {
  return JSON.stringify([target.endpoint, target.destination, target.mode ?? null, target.locale ?? null, target.captchaToken ?? null]);
}

/** Resources of one call; a newer call never sees an older one's. */
class Run {
  readonly abort = new AbortController();
  token: string | null = null;
  callId: string | null = null;
  mode: CallMode | null = null;
  iceServers: readonly IceServer[] = [];
  media: MediaCall | null = null;
  microphone: MediaStream | null = null;
  /** getUserMedia() started in the click, not yet taken by the call. */
  pendingMicrophone: Promise<MediaStream> | null = null;
  /** The element that plays the agent, started in the click. */
  audio: HTMLAudioElement | undefined = undefined;
  mediaStarted = false;
  /** The vendor already knows the call is over: no hang-up request needed. */
  vendorDone = false;
  /** hangup() or dispose() was called: whatever is still being set up must be undone. */
  stopping = false;
  lastEventId: string | null = null;
  readonly seen = new Set<string>();
  constructor(readonly client: EndpointClient) {}
  get signal(): AbortSignal {
    return this.abort.signal;
  }
}

/** What the engine needs from the CallSession that loaded it. */
export interface EngineHost {
  readonly snapshot: CallSnapshot;
  replace(next: CallSnapshot): void;
  prefetchMedia(): Promise<MediaModule>;
  /** A quality warning was raised or cleared (the snapshot's `quality.warnings` has it too). */
  qualityWarning?(warning: string, active: boolean): void;
  readonly options: CallSessionOptions;
  readonly timers: Timers;
  /** Each step of a call, for the `debug` log: a no-op unless someone listens. Unbound. */
  readonly trace: Trace;
}

/**
 * The work of a call: token endpoint, event polling, media. Loaded on intent or click, so the
 * first script stays small; the CallSession in the first script owns the snapshot.
 */
export class CallEngine {
  #run: Run | null = null;
  #ending: Promise<void> | null = null;
  #prefetched: { key: string; promise: Promise<{ session: SessionResponse; usableUntil: number }> } | null = null;

  constructor(private readonly host: EngineHost) {}

  get #snapshot(): CallSnapshot {
    return this.host.snapshot;
  }

  get #timers(): Timers {
    return this.host.timers;
  }

  /** Starts a call; the host has already moved to `authorizing`. */
  start(target: CallTarget, prepared?: PreparedMedia): void {
    this.host.trace('start', {
      destination: target.destination,
      mode: target.mode,
      locale: target.locale,
      phone: maskPhone(target.phone),
      captcha: !!target.captchaToken,
    });
    const client = this.#client(target);
    const run = new Run(client);
    run.pendingMicrophone = prepared?.microphone ?? null;
    run.audio = prepared?.audio;
    this.#run = run;
    this.#ending = null;
    void this.#start(run, target);
  }

  hangup(): Promise<void> {
    const run = this.#run;
    if (!run || !isLive(this.#snapshot.state)) return Promise.resolve();
    this.#ending ??= this.#hangup(run);
    return this.#ending;
  }

  setMuted(muted: boolean): void {
    this.#run?.media?.setMuted(muted);
  }

  /** The live call's microphone, or null. */
  get microphone(): MediaStream | null {
    return this.#run?.microphone ?? null;
  }

  /** Opens `deviceId` and sends it instead of the current microphone; the old one is stopped. */
  async setMicrophone(deviceId: string | null): Promise<void> {
    const run = this.#run;
    // Before the microphone is open, the snapshot's choice is used when it is.
    if (!run || run.stopping || !run.microphone) return;
    const module = await this.host.prefetchMedia();
    const next = await module.acquireMicrophone(deviceId);
    if (run !== this.#run || run.stopping) return stopTracks(next);
    const previous = run.microphone;
    try {
      await run.media?.replaceMicrophone(next);
    } catch (error) {
      stopTracks(next);
      throw toCallError(error, ErrorCode.MicrophoneUnavailable);
    }
    run.microphone = next;
    if (previous !== next) stopTracks(previous);
    // A new stream object: let the page know (a level meter follows `microphone`).
    this.#replace({ ...this.#snapshot, microphoneId: deviceId });
  }

  async setSpeaker(deviceId: string | null): Promise<void> {
    await this.#run?.media?.setSpeaker(deviceId);
  }

  async resumeAudio(): Promise<void> {
    const run = this.#run;
    if (run?.media) return run.media.resumeAudio();
    await run?.audio?.play();
    if (this.#snapshot.audioBlocked) this.#replace({ ...this.#snapshot, audioBlocked: false });
  }

  sendDtmf(digits: string): void {
    const media = this.#run?.media;
    if (!media || this.#snapshot.state !== CallState.Connected) {
      throw new InvalidStateError('sendDtmf(): no connected call.');
    }
    media.sendDtmf(digits);
  }

  /** Drops a live call with a request that outlives the page; the host marks it ended. */
  dispose(): void {
    const run = this.#run;
    if (run && isLive(this.#snapshot.state)) this.#teardown(run, { keepalive: true });
    this.#run = null;
  }

  prefetch(): Promise<MediaModule> {
    return this.host.prefetchMedia();
  }

  /**
   * Mints the session token ahead of the click (the visitor's pointer is on the button), so the
   * click goes straight to dialing. One token at a time; it starts one call and is kept only
   * while it has time left.
   */
  prefetchSession(target: CallTarget): void {
    const key = targetKey(target);
    if (this.#prefetched?.key === key || isLive(this.#snapshot.state)) return;
    const client = this.#client(target);
    const requestedAt = this.#timers.now();
    const promise = client.createSession(sessionRequest(target), new AbortController().signal).then((session) => ({
      session,
      // The server's clock may differ from ours: count the token's life from when we asked.
      usableUntil: requestedAt + Math.min(session.expiresAt - requestedAt, MAX_PREFETCH_MS) - PREFETCH_MARGIN_MS,
    }));
    const entry = { key, promise };
    this.#prefetched = entry;
    promise.catch(() => {
      if (this.#prefetched === entry) this.#prefetched = null;
    });
  }

  #client(target: CallTarget): EndpointClient {
    const { fetch, requestTimeouts } = this.host.options;
    return new EndpointClient(target.endpoint, fetch, requestTimeouts, this.host.trace);
  }

  /** A prefetched session for this target if it is still good; used once. */
  async #takePrefetched(target: CallTarget): Promise<SessionResponse | null> {
    const entry = this.#prefetched;
    this.#prefetched = null;
    if (!entry || entry.key !== targetKey(target)) return null;
    try {
      const { session, usableUntil } = await entry.promise;
      return this.#timers.now() < usableUntil ? session : null;
    } catch {
      return null;
    }
  }

  async #start(run: Run, target: CallTarget): Promise<void> {
    const wantsMedia = target.mode !== 'callback';
    const media = wantsMedia ? this.host.prefetchMedia() : null;
    media?.catch(() => undefined);
    try {
      const prefetched = await this.#takePrefetched(target);
      const session = prefetched ?? (await run.client.createSession(sessionRequest(target), run.signal));
      if (run.stopping) return;
      this.host.trace('session', { provider: session.provider, mode: session.mode, prefetched: !!prefetched, iceServers: session.iceServers?.length ?? 0 });
      run.token = session.token;
      run.mode = session.mode;
      run.iceServers = session.iceServers ?? [];
      this.#replace({ ...this.#snapshot, provider: session.provider, mode: session.mode });

      if (session.mode !== 'webrtc') this.#discardPending(run);
      if (session.mode === 'callback' && !target.phone) {
        throw new CallError(ErrorCode.InvalidPhoneNumber, 'Enter your phone number so that we can call you.');
      }
      if (session.mode === 'webrtc') {
        if (!webrtcAvailable()) {
          throw new CallError(ErrorCode.WebrtcUnsupported, 'This browser cannot make calls. Try a current Chrome, Edge, Firefox or Safari.');
        }
        let module: MediaModule;
        const loading = this.#timers.now();
        try {
          module = await (media ?? this.host.prefetchMedia());
          this.host.trace('media-chunk', { ms: this.#timers.now() - loading });
        } catch (error) {
          throw new CallError(ErrorCode.MediaFailed, 'The calling component could not be loaded. Check your connection and try again.', { cause: error });
        }
        const pending = run.pendingMicrophone;
        const microphone = await module.acquireMicrophone(this.#snapshot.microphoneId, pending ?? undefined);
        if (run.pendingMicrophone === pending) run.pendingMicrophone = null;
        if (run.stopping) return stopTracks(microphone);
        run.microphone = microphone;
        this.host.trace('microphone');
      }

      this.#move(run, CallState.Dialing);
      // Not aborted by hangup(): if the vendor created the call, we must learn its id to drop it.
      // The destination is named again: the endpoint refuses a token minted for another.
      const request = session.mode === 'callback'
        ? { destination: target.destination, phone: target.phone, ...(target.scheduledAt ? { scheduledAt: target.scheduledAt } : {}) }
        : { destination: target.destination };
      const { callId } = await run.client.startCall(run.token, request, new AbortController().signal);
      run.callId = callId;
      if (run.stopping) {
        void run.client.hangup(run.token, callId, { keepalive: true }).catch(() => undefined);
        return;
      }
      this.#replace({ ...this.#snapshot, callId });
      if (run.mode === 'callback') void this.#follow(run);
      else this.#poll(run);
    } catch (error) {
      if (run.stopping || isAbort(error)) return;
      this.#fail(run, error);
    }
  }

  /**
   * Callback calls: server-sent events, resumed after a drop from the last event seen; a
   * server or proxy that does not stream gets the JSON long-poll instead.
   */
  async #follow(run: Run): Promise<void> {
    const token = run.token;
    const callId = run.callId;
    if (token === null || callId === null) return;
    let failures = 0;
    this.host.trace('events', { via: 'sse' });
    while (!run.signal.aborted) {
      let final = false;
      let received = false;
      try {
        await readEventStream(
          run.client.url(PATHS.events(callId)),
          token,
          run.lastEventId,
          run.signal,
          (event) => {
            failures = 0;
            received = true;
            final ||= this.#onEvents(run, [event]);
          },
          this.host.options.fetch,
        );
        if (final || run.signal.aborted) return;
        // Closed by the server with the call still on (a restart, a proxy's time limit):
        // reconnect, but a server that keeps closing at once is a failure like any other.
        failures = received ? 0 : failures + 1;
        if (failures >= 5) {
          this.#fail(run, new CallError(ErrorCode.NetworkLost, 'The connection to the call service keeps dropping.'));
          return;
        }
      } catch (error) {
        if (run.signal.aborted || run.stopping) return;
        if (error instanceof NotAStream) return this.#poll(run);
        const e = toCallError(error, ErrorCode.NetworkLost);
        failures += 1;
        if (e.code === ErrorCode.SessionExpired || e.code === ErrorCode.CallNotFound || failures >= 5) {
          this.#fail(run, e);
          return;
        }
      }
      this.host.trace('events-retry', { failures });
      await delay(Math.min(8_000, 250 * 2 ** failures), run.signal, this.#timers);
    }
  }

  #poll(run: Run): void {
    const token = run.token;
    const callId = run.callId;
    if (token === null || callId === null) return;
    this.host.trace('events', { via: 'poll' });
    poll(
      async (signal) => (await run.client.events(token, callId, run.lastEventId, signal)).events,
      (events) => this.#onEvents(run, events),
      run.signal,
      { timers: this.#timers, ...this.host.options.poller },
    ).catch((error: unknown) => {
      if (!run.stopping) this.#fail(run, error);
    });
  }

  /** Applies events in order; returns true once the call is over for the vendor. */
  #onEvents(run: Run, events: readonly CallEvent[]): boolean {
    for (const event of events) {
      if (run !== this.#run || run.stopping) return true;
      if (run.seen.has(event.id)) continue;
      run.seen.add(event.id);
      run.lastEventId = event.id;
      this.host.trace('event', { id: event.id, type: event.type, code: (event as { code?: string }).code });
      if (FINAL_EVENT_TYPES.has(event.type)) run.vendorDone = true;
      const now = this.#timers.now();
      switch (event.type) {
        case 'queued':
          this.#move(run, CallState.Queued, {
            queuedAt: this.#snapshot.queuedAt ?? now,
            queuePosition: event.position ?? null,
          });
          break;
        case 'ringing':
          this.#move(run, CallState.Ringing);
          break;
        case 'media':
          if (run.mode === 'webrtc' && !run.mediaStarted) {
            run.mediaStarted = true;
            this.#move(run, CallState.Connecting);
            void this.#connectMedia(run, event.gateway);
          }
          break;
        case 'connected':
          this.#move(run, CallState.Connected, { connectedAt: this.#snapshot.connectedAt ?? now });
          break;
        case 'ended':
          this.#teardown(run, { notifyVendor: false });
          this.#move(run, CallState.Ended, { endedAt: now });
          return true;
        case 'failed':
          this.#fail(run, new CallError(event.code, event.message || 'The call could not be completed.'));
          return true;
        case 'scheduled':
          this.#teardown(run, { notifyVendor: false });
          this.#move(run, CallState.Scheduled, { scheduledAt: event.at, endedAt: now });
          return true;
      }
    }
    return false;
  }

  async #connectMedia(run: Run, gateway: Gateway): Promise<void> {
    try {
      const module = await this.host.prefetchMedia();
      const microphone = run.microphone;
      if (!microphone) throw new CallError(ErrorCode.MicrophoneUnavailable, 'No microphone is available.');
      const media = await module.connect({
        gateway,
        iceServers: run.iceServers,
        microphone,
        signal: run.signal,
        ...(run.audio ? { audio: run.audio } : {}),
        speakerId: this.#snapshot.speakerId,
        trace: this.host.trace,
        ...(this.host.options.reconnectTimeoutMs === undefined ? {} : { reconnectTimeoutMs: this.host.options.reconnectTimeoutMs }),
        onEnd: (end) => this.#onMediaEnd(run, end),
        onReconnecting: () => this.#move(run, CallState.Reconnecting),
        onReconnected: () => this.#move(run, CallState.Connected),
        onAudioBlocked: (blocked) => {
          if (run === this.#run && !run.stopping && this.#snapshot.audioBlocked !== blocked) {
            this.#replace({ ...this.#snapshot, audioBlocked: blocked });
          }
        },
        onQuality: (q) => {
          if (run !== this.#run || run.stopping) return;
          const quality = { rttMs: q.rttMs, jitterMs: q.jitterMs, lossPercent: q.lossPercent, mos: q.mos, warnings: q.warnings };
          this.#replace({ ...this.#snapshot, quality });
        },
        onQualityWarning: (warning, active) => {
          if (run === this.#run && !run.stopping) this.host.qualityWarning?.(warning, active);
        },
      });
      if (run.stopping || run !== this.#run) return media.hangup();
      run.media = media;
      media.setMuted(this.#snapshot.muted);
      // The visitor chose another microphone while the call was being set up.
      if (run.microphone && run.microphone !== microphone) await media.replaceMicrophone(run.microphone);
      if (run.stopping || run !== this.#run) return;
      this.#move(run, CallState.Connected, { connectedAt: this.#timers.now() });
    } catch (error) {
      if (run.stopping || isAbort(error)) return;
      this.#fail(run, error);
    }
  }

  #onMediaEnd(run: Run, end: MediaEnd): void {
    if (run !== this.#run || run.stopping || !isLive(this.#snapshot.state)) return;
    if (end.by === 'error') {
      this.#fail(run, new CallError(end.code ?? ErrorCode.MediaFailed, end.message ?? 'The call\'s audio failed.'));
      return;
    }
    // The agent hung up: make sure the vendor releases the call too.
    this.#teardown(run, {});
    this.#move(run, CallState.Ended, { endedAt: this.#timers.now() });
  }

  async #hangup(run: Run): Promise<void> {
    this.host.trace('hangup');
    this.#move(run, CallState.Ending);
    const notify = this.#teardown(run, {});
    await notify;
    if (run === this.#run && this.#snapshot.state === CallState.Ending) {
      this.#move(run, CallState.Ended, { endedAt: this.#timers.now() });
    }
  }

  #fail(run: Run, error: unknown): void {
    if (run !== this.#run || isFinal(this.#snapshot.state)) return;
    const e = toCallError(error);
    this.#teardown(run, {});
    this.#move(run, CallState.Failed, {
      endedAt: this.#timers.now(),
      error: { code: e.code, message: e.message, ...(e.retryAfter === undefined ? {} : { retryAfter: e.retryAfter }) },
    });
  }

  /** Stops polling and media, releases the microphone, and tells the vendor unless it knows. */
  #teardown(run: Run, options: { notifyVendor?: boolean; keepalive?: boolean }): Promise<void> {
    run.stopping = true;
    run.abort.abort();
    run.media?.hangup();
    run.media = null;
    stopTracks(run.microphone);
    run.microphone = null;
    this.#discardPending(run);
    if (run.audio) run.audio.srcObject = null;
    const notify = options.notifyVendor ?? !run.vendorDone;
    run.vendorDone = true;
    if (!notify || run.token === null || run.callId === null) return Promise.resolve();
    const { token, callId } = run;
    const keepalive = options.keepalive === true;
    const first = run.client.hangup(token, callId, { keepalive });
    // A call must not stay open at the vendor because the network was down at that moment (the
    // usual reason a call is lost): the hang-up is tried again in the background, a few times.
    // The page waits only for the first attempt.
    if (!keepalive) void first.catch((error: unknown) => this.#retryHangup(run, token, callId, error));
    return first.catch(() => undefined);
  }

  async #retryHangup(run: Run, token: string, callId: string, error: unknown): Promise<void> {
    for (const wait of HANGUP_RETRY_MS) {
      if (!RETRY_HANGUP_ON.has(toCallError(error).code)) return;
      this.host.trace('hangup-retry', { wait });
      await delay(wait, new AbortController().signal, this.#timers);
      try {
        return await run.client.hangup(token, callId, {});
      } catch (next) {
        error = next;
      }
    }
  }

  /** A microphone asked for in the click that the call will not use. */
  #discardPending(run: Run): void {
    run.pendingMicrophone?.then(stopTracks, () => undefined);
    run.pendingMicrophone = null;
  }

  #move(run: Run, state: CallState, changes: Partial<CallSnapshot> = {}): void {
    if (run !== this.#run) return;
    const from = this.#snapshot.state;
    if (!canTransition(from, state)) return;
    this.#replace({ ...this.#snapshot, ...changes, state });
  }

  #replace(next: CallSnapshot): void {
    this.host.replace(next);
  }
}

function stopTracks(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

function webrtcAvailable(): boolean {
  return typeof RTCPeerConnection === 'function' && typeof navigator !== 'undefined' &&
    typeof navigator.mediaDevices?.getUserMedia === 'function';
}
