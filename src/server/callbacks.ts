/**
 * Callback calls on the endpoint's side: the vendor rings the visitor's phone, and its
 * progress arrives by webhook or by one upstream watcher per call. Here vendor events become
 * protocol events: numbered per call (ids that resume a stream), deduplicated, put in order
 * (a late "ringing" after "connected" is dropped), stored, and fanned out to every browser that
 * follows the call.
 */
import type { CallEvent } from '../protocol/index.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { EventHub } from './hub.ts';
import { C2CError, type CallbackProvider, type VendorEvent, type WebhookRequest } from './provider.ts';
import type { CallRecord, Stores } from './store.ts';

const RANK: Record<VendorEvent['type'], number> = { queued: 1, ringing: 2, connected: 3, ended: 4, failed: 4, scheduled: 4 };
const KEEP_EVENTS = 50;
const KEEP_FINGERPRINTS = 200;

export interface CallbackCallsOptions {
  stores: Stores;
  hub: EventHub;
  providers: ReadonlyMap<string, CallbackProvider>;
  now: () => number;
  callIdleMs: number;
  onError: (error: unknown) => void;
}

export class CallbackCalls {
  readonly #o: CallbackCallsOptions;
  /** One upstream watcher per call, whatever the number of browsers. */
  readonly #watchers = new Map<string, AbortController>();
  /** Appends to one call run one after another, so read-change-write never interleaves. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: CallbackCallsOptions) {
    this.#o = options;
  }

  provider(name: string): CallbackProvider {
    const provider = this.#o.providers.get(name);
    if (!provider) throw new C2CError(ErrorCode.InternalError, `Provider ${name} is not configured.`);
    return provider;
  }

  /** After the vendor accepted the call: index it, store its first events, start a watcher. */
  async started(call: CallRecord, vendorCallId: string, events: readonly VendorEvent[] = []): Promise<void> {
    call.vendorCallId = vendorCallId;
    call.rank = 0;
    await this.#o.stores.calls.set(call.callId, call, call.keepUntil);
    await this.#o.stores.vendorCalls.set(`${call.provider}:${vendorCallId}`, call.callId, call.keepUntil);
    // A CTI feed reports calls by the vendor's call id, whichever vendor placed them.
    await this.#o.stores.vendorCalls.set(`*:${vendorCallId}`, call.callId, call.keepUntil);
    for (const event of events) await this.append(call.callId, event);
    const provider = this.provider(call.provider);
    if (provider.watch && !this.#watchers.has(call.callId)) {
      const controller = new AbortController();
      this.#watchers.set(call.callId, controller);
      provider
        .watch(
          vendorCallId,
          // A store failing here must reach onError, not vanish (or become an unhandled rejection).
          (event) => void this.append(call.callId, event).catch((error: unknown) => this.#o.onError(error)),
          controller.signal,
        )
        .catch(async (error: unknown) => {
          if (controller.signal.aborted) return;
          this.#o.onError(error);
          // Nothing more will be heard of this call: tell the visitor instead of leaving them waiting.
          const code = error instanceof C2CError ? error.code : ErrorCode.VendorUnavailable;
          await this.append(call.callId, {
            vendorCallId,
            type: 'failed',
            code,
            reason: 'vendor-lost',
            message: code === ErrorCode.CallNotFound
              ? 'The contact center no longer knows this call.'
              : 'We can no longer follow this call at the contact center.',
            vendorEventId: 'watch-failed',
          });
        })
        .catch((error: unknown) => this.#o.onError(error))
        .finally(() => this.#watchers.delete(call.callId));
    }
  }

  /** Numbers, orders, stores and publishes one vendor event; returns it, or null when dropped. */
  append(callId: string, vendor: VendorEvent): Promise<CallEvent | null> {
    const previous = this.#queues.get(callId) ?? Promise.resolve();
    const next = previous.then(() => this.#append(callId, vendor));
    const settled = next.catch(() => null);
    this.#queues.set(callId, settled);
    void settled.then(() => {
      if (this.#queues.get(callId) === settled) this.#queues.delete(callId);
    });
    return next;
  }

  async #append(callId: string, vendor: VendorEvent): Promise<CallEvent | null> {
    const call = await this.#o.stores.calls.get(callId);
    if (!call || call.final) return null;
    const fingerprint = vendor.vendorEventId ?? `${vendor.type}:${vendor.code ?? ''}:${vendor.at ?? ''}`;
    if (call.seenEventIds.includes(fingerprint)) return null;
    const rank = RANK[vendor.type];
    // Equal rank repeats are updates (a queue position); lower ranks are late deliveries.
    if (rank < (call.rank ?? 0) || (rank === (call.rank ?? 0) && vendor.type !== 'queued')) return null;
    const event = toCallEvent(vendor, String(++call.seq));
    call.rank = rank;
    call.seenEventIds.push(fingerprint);
    if (call.seenEventIds.length > KEEP_FINGERPRINTS) call.seenEventIds.splice(0, call.seenEventIds.length - KEEP_FINGERPRINTS);
    call.recentEvents.push(event);
    if (call.recentEvents.length > KEEP_EVENTS) call.recentEvents.splice(0, call.recentEvents.length - KEEP_EVENTS);
    if (rank === 4) {
      call.final = true;
      call.status = event.type === 'failed' ? 'failed' : 'ended';
      this.#watchers.get(callId)?.abort();
    }
    call.keepUntil = Math.max(call.keepUntil, this.#o.now() + this.#o.callIdleMs);
    await this.#o.stores.calls.set(callId, call, call.keepUntil);
    this.#o.hub.publish(callId, event);
    return event;
  }

  /** A vendor's webhook: the provider checks it; its events go to the calls they name. */
  async webhook(providerName: string, request: WebhookRequest): Promise<{ status: number; body: string; contentType: string }> {
    const provider = this.#o.providers.get(providerName);
    if (!provider?.webhook) throw new C2CError(ErrorCode.InvalidRequest, `No webhook for '${providerName}'.`, { status: 404 });
    const { events, reply } = await provider.webhook(request);
    // A vendor that places calls speaks of its own; a feed (CTI) of anyone's.
    const scope = provider.canPlaceCalls === false ? '*' : providerName;
    for (const event of events) {
      const callId = await this.#o.stores.vendorCalls.get(`${scope}:${event.vendorCallId}`);
      if (callId) await this.append(callId, event);
    }
    return { status: reply?.status ?? 200, body: reply?.body ?? 'ok', contentType: reply?.contentType ?? 'text/plain' };
  }

  /** Ends the call at the vendor (when it can) and stops its watcher. */
  async hangup(call: CallRecord): Promise<{ dropped: boolean }> {
    this.#watchers.get(call.callId)?.abort();
    if (!call.vendorCallId) return { dropped: false };
    return this.provider(call.provider).hangup(call.vendorCallId);
  }

  /** Events of a call after `after` (all when absent or unknown). */
  since(call: CallRecord, after: string | null | undefined): CallEvent[] {
    if (!after) return [...call.recentEvents];
    const index = call.recentEvents.findIndex((event) => event.id === after);
    return index < 0 ? [...call.recentEvents] : call.recentEvents.slice(index + 1);
  }

  /** Resolves with the next events after `after`, or [] after `timeoutMs` or on abort. */
  async waitFor(callId: string, after: string | null | undefined, timeoutMs: number, signal?: AbortSignal): Promise<CallEvent[]> {
    const call = await this.#o.stores.calls.get(callId);
    if (!call) return [];
    const ready = this.since(call, after);
    if (ready.length > 0 || call.final) return ready;
    return new Promise<CallEvent[]>((resolve) => {
      const done = (events: CallEvent[]) => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        resolve(events);
      };
      const onAbort = () => done([]);
      const unsubscribe = this.#o.hub.subscribe(callId, (event) => done([event]));
      const timer = setTimeout(() => done([]), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Server-sent events: what the browser missed after `lastEventId`, then live events, with a
   * comment every `heartbeatMs` so proxies keep the connection; closes after a final event.
   */
  stream(callId: string, lastEventId: string | null, signal: AbortSignal, heartbeatMs = 15_000): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    const hub = this.#o.hub;
    const stores = this.#o.stores;
    const since = (call: CallRecord, after: string | null) => this.since(call, after);
    let cleanup = () => undefined as void;
    return new ReadableStream<Uint8Array>({
      async start(controller) {
        let closed = false;
        let lastSent = lastEventId;
        const close = () => {
          if (closed) return;
          closed = true;
          cleanup();
          try {
            controller.close();
          } catch {
            // Already closed by the client.
          }
        };
        const send = (event: CallEvent) => {
          if (closed) return;
          if (lastSent !== null && Number(event.id) <= Number(lastSent)) return;
          lastSent = event.id;
          controller.enqueue(encoder.encode(`id: ${event.id}\nevent: call\ndata: ${JSON.stringify(event)}\n\n`));
          if (event.type === 'ended' || event.type === 'failed' || event.type === 'scheduled') close();
        };
        // Subscribe before reading the backlog, so nothing falls between the two.
        const buffered: CallEvent[] = [];
        let live = false;
        const unsubscribe = hub.subscribe(callId, (event) => (live ? send(event) : buffered.push(event)));
        const heartbeat = setInterval(() => {
          if (!closed) controller.enqueue(encoder.encode(': keep-alive\n\n'));
        }, heartbeatMs);
        const onAbort = () => close();
        cleanup = () => {
          unsubscribe();
          clearInterval(heartbeat);
          signal.removeEventListener('abort', onAbort);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        controller.enqueue(encoder.encode('retry: 1000\n\n'));
        const call = await stores.calls.get(callId);
        if (!call) return close();
        for (const event of since(call, lastEventId)) send(event);
        live = true;
        for (const event of buffered) send(event);
        if (call.final && !closed) close();
      },
      cancel() {
        cleanup();
      },
    });
  }

  /** Stops every watcher (server shutdown, tests). */
  close(): void {
    for (const controller of this.#watchers.values()) controller.abort();
    this.#watchers.clear();
  }
}

function toCallEvent(vendor: VendorEvent, id: string): CallEvent {
  switch (vendor.type) {
    case 'queued':
      return { id, type: 'queued', ...(vendor.position === undefined ? {} : { position: vendor.position }) };
    case 'ringing':
      return { id, type: 'ringing' };
    case 'connected':
      return { id, type: 'connected' };
    case 'ended':
      return { id, type: 'ended', ...(vendor.reason ? { reason: vendor.reason } : {}), ...(vendor.message ? { message: vendor.message } : {}) };
    case 'failed':
      return { id, type: 'failed', code: vendor.code ?? ErrorCode.CallFailed, message: vendor.message ?? 'The call could not be completed.' };
    case 'scheduled':
      return { id, type: 'scheduled', at: vendor.at ?? '' };
  }
}
