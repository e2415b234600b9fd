/**
 * Google CCAI Platform (formerly UJET) callbacks through the Apps API: `Voice Inbound (API)`
 * rings the visitor's phone and routes the call to a menu's queue; `Voice Scheduled (API)` books
 * it for later. Progress is read back by polling `GET /apps/api/v1/calls/:id` (one watcher per
 * call) or pushed by "External session events". The company key/secret stay here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.ts';
import { C2CError, type CallbackStart, vendorDestination, type CallbackProvider, type VendorEvent, type WebhookRequest } from '../provider.ts';
import {
  CCAI_CALL_TYPE,
  CCAI_PATHS,
  CcaiCall,
  CcaiConfig,
  CcaiDestination,
  CcaiErrorAnswer,
  CcaiPushBody,
  CcaiPushEvent,
  ccaiCallPath,
  type CcaiConfigInput,
  type CcaiCreateCallBody,
  type CcaiPushEventFields,
} from './ccai-schemas.ts';

export { CcaiConfig, CcaiDestination } from './ccai-schemas.ts';

// ---------------------------------------------------------------------------------------------
// Rate limiting

export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Most tokens the bucket holds (the largest burst). */
  capacity?: number;
  /** Monotonic clock in ms. */
  now?: () => number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A token bucket that makes callers wait in FIFO order and never drops one. One timer at most,
 * and none while nobody waits, so an idle provider keeps nothing alive.
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;
  readonly #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
    this.#ratePerMs = options.ratePerSecond / 1000;
    this.#capacity = Math.max(1, options.capacity ?? 1);
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = this.#capacity;
    this.#updatedAt = this.#now();
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves when the caller may send; rejects with the signal's reason when it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.#refill();
    if (this.#queue.length === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          if (this.#queue.length === 0) this.#stopTimer();
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#queue.length === 0) return;
    const wait = Math.max(1, Math.ceil((1 - this.#tokens) / this.#ratePerMs));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, wait);
  }

  #drain(): void {
    this.#refill();
    while (this.#queue.length > 0 && this.#tokens >= 1) {
      const waiter = this.#queue.shift()!;
      this.#tokens -= 1;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.#schedule();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * CCAI allows N requests per second per customer, and we cannot know how it counts a second.
 * A bucket of ONE token refilled at 0.9·N per second spaces requests at least 1/(0.9·N) s apart,
 * so any 1000 ms window (however it is aligned) holds at most 1 + floor(0.9·N) ≤ N requests, and
 * the 10 % slack absorbs network jitter between our clock and theirs.
 */
export function ccaiRequestBucket(maxRequestsPerSecond: number): TokenBucket {
  return new TokenBucket({ ratePerSecond: maxRequestsPerSecond * 0.9, capacity: 1 });
}

// ---------------------------------------------------------------------------------------------
// Mapping

/** "Voicemail Received", "voicemail_received", "VOICEMAIL-RECEIVED" -> "voicemail_received". */
export function normalizeCcaiStatus(status: string): string {
  return status.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

type Mapped = Omit<VendorEvent, 'vendorCallId'>;

function failCode(reason: string): ErrorCode {
  // fail_reason values other than "nothing" are not documented [gap]: read them by keyword.
  if (/after_?hours|closed/.test(reason)) return ErrorCode.OutsideBusinessHours;
  if (/queue|timeout|timed_out/.test(reason)) return ErrorCode.QueueTimeout;
  if (/agent/.test(reason)) return ErrorCode.NoAgentAvailable;
  return ErrorCode.CallFailed;
}

function usable(text: string | null | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed && trimmed !== 'nothing' && trimmed !== 'no_deflection' && trimmed !== 'not_voicemail' ? trimmed : undefined;
}

/**
 * One status of the call object as a protocol step, or null for "nothing to tell the visitor"
 * (unknown statuses, and statuses that do not change what the visitor experiences).
 *
 * Why these:
 * - selecting, queued -> queued: the call exists at CCAI and waits for a menu choice or an agent.
 *   A `Voice Inbound (API)` call is created already `queued` (the 201 says so): the agent is
 *   found first, and only then is the visitor's phone dialled.
 * - assigned, connecting -> ringing: an agent has been picked (assigned) and CCAI is setting up
 *   the leg between agent and visitor (connecting). For a callback that leg is the visitor's
 *   phone being rung; nobody can answer for the visitor, so "ringing" is the honest word.
 * - switching -> null: CCAI retries the connection through another VoIP carrier; the visitor
 *   still waits for the same ring.
 * - connected -> connected; finished -> ended.
 * - failed -> failed, coded by `fail_reason` when it says why; message from `fail_details`.
 * - recovered -> ended ('recovered'): the failed call is being called back as a child call,
 *   which this watcher does not follow; the visitor's phone will ring again.
 * - deflected -> failed: excess-queue or after-hours rules sent the call elsewhere (voicemail,
 *   a booking, ...): no agent will take it now. `deflection` tells after-hours apart.
 * - voicemail, voicemail_received, voicemail_read -> ended ('voicemail'): the visitor reached
 *   voicemail instead of an agent; the callback is over from the widget's side.
 * - scheduled -> scheduled (final for the widget); action_only -> null; action_only_finished ->
 *   ended (SDK-only flows the widget never starts, mapped so they cannot hang a watcher).
 */
export function mapCcaiCall(call: CcaiCall, options: { scheduledFallback?: string } = {}): Mapped | null {
  const status = normalizeCcaiStatus(call.status);
  switch (status) {
    case 'selecting':
    case 'queued':
      return { type: 'queued' };
    case 'assigned':
    case 'connecting':
      return { type: 'ringing' };
    case 'connected':
      return { type: 'connected' };
    case 'finished':
    case 'action_only_finished':
      return { type: 'ended', reason: 'completed' };
    case 'failed': {
      const reason = usable(call.fail_reason);
      return {
        type: 'failed',
        code: reason ? failCode(reason) : ErrorCode.CallFailed,
        ...(reason ? { reason } : {}),
        message: usable(call.fail_details) ?? 'The call could not be completed.',
      };
    }
    case 'recovered':
      return { type: 'ended', reason: 'recovered', message: 'The contact center will call you back again.' };
    case 'deflected': {
      const deflection = usable(call.deflection);
      const afterHours = deflection !== undefined && /after_?hours|closed/.test(deflection);
      return {
        type: 'failed',
        code: afterHours ? ErrorCode.OutsideBusinessHours : ErrorCode.NoAgentAvailable,
        reason: deflection ?? 'deflected',
        message: afterHours ? 'The contact center is closed now.' : 'No agent can take your call now.',
      };
    }
    case 'voicemail':
    case 'voicemail_received':
    case 'voicemail_read':
      return { type: 'ended', reason: 'voicemail', message: 'No agent was free; the call went to voicemail.' };
    case 'scheduled': {
      const at = call.scheduled_at ?? options.scheduledFallback;
      return at ? { type: 'scheduled', at } : null;
    }
    default:
      // switching, action_only, and anything new: keep the last state, keep watching.
      return null;
  }
}

const FINAL_TYPES: ReadonlySet<VendorEvent['type']> = new Set(['ended', 'failed', 'scheduled']);

function epochMs(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

function withCallFacts(vendorCallId: string, mapped: Mapped, call: CcaiCall): VendorEvent {
  const when = {
    queued: call.queued_at ?? call.created_at,
    ringing: call.assigned_at,
    connected: call.connected_at,
    ended: call.ends_at,
    failed: call.ends_at,
    scheduled: call.created_at,
  }[mapped.type];
  const occurredAt = epochMs(when);
  return {
    vendorCallId,
    ...mapped,
    vendorEventId: `ccai:${vendorCallId}:${mapped.type}`,
    ...(occurredAt === undefined ? {} : { occurredAt }),
  };
}

interface Refusal {
  test: RegExp;
  code: ErrorCode;
  message: (vendorMessage: string) => string;
}

/**
 * Every documented 4xx message of POST /apps/api/v1/calls (seed 002), including those of the
 * outbound call type that this provider never sends, so that a misrouted request still reads
 * well. The message text is what routes return and what the site owner will find in logs.
 */
const REFUSALS: readonly Refusal[] = [
  {
    test: /^end_user_number is not well[- ]formed/i,
    code: ErrorCode.InvalidPhoneNumber,
    message: () => 'The contact center refused this phone number as malformed.',
  },
  {
    test: /^(end_user_number is required|ticket_id or end_user_number required)/i,
    code: ErrorCode.InvalidRequest,
    message: (m) => `The contact center received no phone number (CCAI: "${m}").`,
  },
  {
    test: /after hours/i,
    code: ErrorCode.OutsideBusinessHours,
    message: () => 'The contact center is outside its business hours (the CCAI menu is in its after-hours state).',
  },
  {
    test: /manual redirection/i,
    code: ErrorCode.VendorRejected,
    message: (m) => `The CCAI menu is in its 'manual redirection' state and accepts no calls: check the menu in CCAI or the destination's menuId (CCAI: "${m}").`,
  },
  {
    test: /^(menu_id is required|menu_id .*is not found|menu_id is not well formed|only .* menu ids are permitted)/i,
    code: ErrorCode.VendorRejected,
    message: (m) => `CCAI refused the destination's menuId: it must be an existing leaf menu of the kind this call type accepts (CCAI: "${m}").`,
  },
  {
    test: /^language .* is not (available|found)/i,
    code: ErrorCode.VendorRejected,
    message: (m) => `CCAI refused the destination's lang: use an ISO 639-1 code enabled for the tenant (CCAI: "${m}").`,
  },
  {
    test: /^scheduled_at/i,
    code: ErrorCode.InvalidRequest,
    message: (m) => `The contact center refused the booking time (CCAI: "${m}").`,
  },
  {
    test: /agent is not available/i,
    code: ErrorCode.NoAgentAvailable,
    message: () => 'No agent is available to take the call.',
  },
  {
    test: /^invalid call type/i,
    code: ErrorCode.VendorRejected,
    message: (m) => `CCAI refused the call type: check that the Apps API call types are enabled for the tenant (CCAI: "${m}").`,
  },
  {
    test: /^missing param/i,
    code: ErrorCode.VendorRejected,
    message: (m) => `CCAI reports a missing parameter in our request (CCAI: "${m}").`,
  },
  {
    test: /agent email|agent does not have access|contact not found/i,
    code: ErrorCode.VendorRejected,
    message: (m) => `CCAI refused an outbound-call parameter this integration does not send (CCAI: "${m}").`,
  },
];

/** A refusal of POST /apps/api/v1/calls (or GET of one call) as a C2CError. */
export function ccaiRefusal(status: number, text: string, api: 'create' | 'get' = 'create'): C2CError {
  const parsed = CcaiErrorAnswer.safeParse(safeJson(text));
  const vendorMessage = parsed.success ? parsed.data.message.trim() : '';
  if (status === 401 || status === 403) {
    return new C2CError(
      ErrorCode.VendorRejected,
      `CCAI refused the API credentials (HTTP ${status}): check companyKey and companySecret (Settings → Developer Settings → API Credentials).`,
    );
  }
  if (status === 404) {
    if (api === 'get') return new C2CError(ErrorCode.CallNotFound, 'CCAI does not know this call (HTTP 404).');
    return new C2CError(
      ErrorCode.VendorRejected,
      `CCAI answered "resource not found" (HTTP 404): check baseUrl, which must be the tenant's https://{subdomain}.{domain}${vendorMessage ? ` (CCAI: "${vendorMessage}")` : ''}.`,
    );
  }
  if (status === 429) {
    return new C2CError(ErrorCode.VendorUnavailable, 'CCAI is rate limiting this tenant (HTTP 429); try again shortly.');
  }
  if (status >= 500) {
    return new C2CError(ErrorCode.VendorUnavailable, `CCAI is unavailable (HTTP ${status}).`);
  }
  if (vendorMessage) {
    const rule = REFUSALS.find((r) => r.test.test(vendorMessage));
    if (rule) return new C2CError(rule.code, rule.message(vendorMessage));
  }
  return new C2CError(
    ErrorCode.VendorRejected,
    `CCAI refused the request (HTTP ${status})${vendorMessage ? `: "${vendorMessage}"` : ''}.`,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** ISO 8601 with a date, a time and a zone: a zone-less time would be read in the server's zone. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

// ---------------------------------------------------------------------------------------------
// External session events (push)

/**
 * One pushed event as a protocol step, or null when it is not about a call or says nothing new.
 * The documented progression is start, routing (session connected, external participant
 * connected), assigned (agent accepted), active (agent connected), end and final (session
 * disconnected). An Apps API `status`, when the event carries one, is mapped like polling.
 */
export function mapCcaiPushEvent(event: CcaiPushEvent): VendorEvent | null {
  const item: CcaiPushEventFields = event.item ?? {};
  const callId = item.call_id ?? event.call_id ?? item.id;
  if (callId === undefined || callId === null || String(callId) === '') return null;
  const vendorCallId = String(callId);
  const pick = <K extends keyof CcaiPushEventFields>(key: K): CcaiPushEventFields[K] => item[key] ?? event[key];
  const participants = pick('participants') ?? [];
  const agentStatuses = participants
    .filter((p) => normalizeCcaiStatus(p.type ?? '') === 'agent')
    .map((p) => normalizeCcaiStatus(p.status ?? ''));

  let mapped: Mapped | null = null;
  const status = pick('status');
  if (status) {
    mapped = mapCcaiCall({ id: vendorCallId, status, connected_at: pick('connected_at'), ends_at: pick('ends_at') });
  }
  if (!mapped) {
    const state = normalizeCcaiStatus(pick('state') ?? '');
    const agentTalked = agentStatuses.some((s) => s === 'connected' || s === 'dispositionsubmitted' || s === 'disposition_submitted');
    if (state === 'disconnected') {
      mapped = agentTalked || pick('connected_at')
        ? { type: 'ended', reason: 'completed' }
        : { type: 'failed', code: ErrorCode.CallFailed, message: 'The call ended before an agent joined.' };
    } else if (state === 'connected') {
      // Session up: agent connected means the conversation started; before that the visitor waits.
      mapped = agentStatuses.includes('connected') ? { type: 'connected' } : { type: 'queued' };
    }
  }
  if (!mapped) return null;

  const eventId = event.event_id ?? item.event_id;
  const timestamp = Number(event.timestamp ?? item.timestamp);
  return {
    vendorCallId,
    ...mapped,
    vendorEventId: eventId !== undefined && eventId !== null && String(eventId) !== ''
      ? String(eventId)
      : `ccai:${vendorCallId}:${mapped.type}`,
    ...(Number.isFinite(timestamp) && timestamp > 0 ? { occurredAt: timestamp } : {}),
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The provider

export interface CcaiProviderOptions {
  /** Wall clock for "is scheduledAt in the future" (tests move it). */
  now?: () => number;
  /** Overrides the config's request timeout (default 5000 ms). */
  requestTimeoutMs?: number;
  /** Overrides the config's poll interval. */
  pollIntervalMs?: number;
  /** watch() gives up after this many failed polls in a row (timeouts, 5xx, 429, garbage). */
  maxPollFailures?: number;
}

interface Answer {
  status: number;
  text: string;
}

/** Errors a retry will not fix: watch() stops on them at once. */
const PERMANENT = new Set<ErrorCode>([ErrorCode.CallNotFound, ErrorCode.VendorRejected]);

export class CcaiProvider implements CallbackProvider {
  readonly name = 'ccai';
  readonly modes = ['callback'] as const;
  readonly canSchedule = true;
  readonly #config: CcaiConfig;
  readonly #authorization: string;
  readonly #now: () => number;
  readonly #requestTimeoutMs: number;
  readonly #pollIntervalMs: number;
  readonly #maxPollFailures: number;
  /** Shared by every request of this instance: all calls, creation and polling alike. */
  readonly #bucket: TokenBucket;

  constructor(config: CcaiConfigInput, options: CcaiProviderOptions = {}) {
    this.#config = CcaiConfig.parse(config);
    this.#authorization = `Basic ${Buffer.from(`${this.#config.companyKey}:${this.#config.companySecret}`, 'utf8').toString('base64')}`;
    this.#now = options.now ?? Date.now;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? this.#config.requestTimeoutMs ?? 5_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? this.#config.pollIntervalMs;
    this.#maxPollFailures = options.maxPollFailures ?? 10;
    this.#bucket = ccaiRequestBucket(this.#config.maxRequestsPerSecond);
  }

  async startCall(input: CallbackStart): Promise<{ vendorCallId: string; events?: VendorEvent[] }> {
    const destination = vendorDestination('CCAI', CcaiDestination, input.destination);

    let scheduledAt: string | undefined;
    if (input.scheduledAt !== undefined) {
      const time = ISO_WITH_ZONE.test(input.scheduledAt) ? Date.parse(input.scheduledAt) : Number.NaN;
      if (!Number.isFinite(time)) {
        throw new C2CError(ErrorCode.InvalidRequest, 'The booking time must be an ISO 8601 time with a zone, e.g. 2030-05-01T14:30:00Z.');
      }
      // CCAI documents scheduled_at as "a valid future time"; refuse here, before any request.
      if (time <= this.#now()) throw new C2CError(ErrorCode.InvalidRequest, 'The booking time is in the past.');
      scheduledAt = new Date(time).toISOString();
    }

    // Field order as in the documented examples.
    const body: CcaiCreateCallBody = {
      call_type: scheduledAt === undefined ? CCAI_CALL_TYPE.inbound : CCAI_CALL_TYPE.scheduled,
      lang: destination.lang,
      menu_id: destination.menuId,
      end_user_number: input.phone,
      ...(scheduledAt === undefined ? {} : { scheduled_at: scheduledAt }),
      ...(destination.recordingPermission === undefined ? {} : { recording_permission: destination.recordingPermission }),
    };

    const answer = await this.#send('create a call', 'POST', CCAI_PATHS.calls, JSON.stringify(body), input.signal);
    if (answer.status !== 200 && answer.status !== 201 && answer.status !== 202) {
      throw ccaiRefusal(answer.status, answer.text, 'create');
    }
    const json = safeJson(answer.text);
    const call = CcaiCall.safeParse(json);
    if (!call.success) {
      if (answer.status === 202 || (answer.status === 200 && json !== undefined)) {
        // Documented for outbound calls: accepted, but an agent must act in the adapter first.
        throw new C2CError(ErrorCode.VendorRejected, `CCAI accepted the request without placing a call (HTTP ${answer.status}): it needs manual action in the agent adapter.`);
      }
      throw new C2CError(ErrorCode.InvalidResponse, `CCAI answered HTTP ${answer.status} without a usable call object.`, { cause: call.error });
    }

    const vendorCallId = call.data.id;
    let mapped = mapCcaiCall(call.data, scheduledAt === undefined ? {} : { scheduledFallback: scheduledAt });
    // The documented scheduled example answers status "queued" with the future scheduled_at:
    // what we asked for is a booking, so tell the visitor it is booked.
    if (scheduledAt !== undefined && mapped?.type === 'queued') {
      mapped = { type: 'scheduled', at: call.data.scheduled_at ?? scheduledAt };
    }
    return { vendorCallId, events: mapped ? [withCallFacts(vendorCallId, mapped, call.data)] : [] };
  }

  /** The Apps API documents no way to end or cancel a call (seed 002): nothing to drop. */
  async hangup(_vendorCallId: string): Promise<{ dropped: boolean }> {
    return { dropped: false };
  }

  /**
   * Reads the call every pollIntervalMs until a final status (emitted, then resolves) or until
   * `signal` aborts (resolves). Emits only when the mapped step changes. Transient failures
   * (timeouts, 5xx, 429, garbage) are retried on the next tick, up to maxPollFailures in a row;
   * a 404 (call-not-found) or a credentials refusal rejects at once.
   */
  async watch(vendorCallId: string, emit: (event: VendorEvent) => void, signal: AbortSignal): Promise<void> {
    let last: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      let call: CcaiCall | undefined;
      try {
        call = await this.getCall(vendorCallId, signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof C2CError && PERMANENT.has(error.code)) throw error;
        if (++failures >= this.#maxPollFailures) throw error;
      }
      if (call) {
        const mapped = mapCcaiCall(call);
        if (mapped) {
          const key = `${mapped.type}:${mapped.code ?? ''}`;
          if (key !== last) {
            last = key;
            emit(withCallFacts(vendorCallId, mapped, call));
          }
          if (FINAL_TYPES.has(mapped.type)) return;
        }
      }
      if (!(await pause(this.#pollIntervalMs, signal))) return;
    }
  }

  /** `GET /apps/api/v1/calls/:id`, parsed. */
  async getCall(vendorCallId: string, signal?: AbortSignal): Promise<CcaiCall> {
    const answer = await this.#send('read a call', 'GET', ccaiCallPath(vendorCallId), undefined, signal);
    if (answer.status !== 200) throw ccaiRefusal(answer.status, answer.text, 'get');
    const call = CcaiCall.safeParse(safeJson(answer.text));
    if (!call.success) throw new C2CError(ErrorCode.InvalidResponse, 'CCAI answered a call read with an unexpected body.', { cause: call.error });
    return call.data;
  }

  /**
   * External session events: `POST {count, events: [...]}` with the Basic credentials configured
   * in CCAI (ours: pushUsername/pushPassword). Events of calls we do not know are returned too;
   * the endpoint drops those whose vendorCallId it never started.
   */
  async webhook(request: WebhookRequest): Promise<{ events: VendorEvent[] }> {
    const { pushUsername, pushPassword } = this.#config;
    if (pushUsername === undefined || pushPassword === undefined) {
      throw new C2CError(ErrorCode.NotSupported, 'CCAI session event push is not configured (pushUsername/pushPassword).');
    }
    const given = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header(request.headers, 'authorization') ?? '');
    const decoded = given?.[1] ? Buffer.from(given[1], 'base64').toString('utf8') : '';
    // Compare digests: equal length whatever was sent, and constant time.
    const ok = timingSafeEqual(digest(decoded), digest(`${pushUsername}:${pushPassword}`));
    if (!given || !ok) throw new C2CError(ErrorCode.Unauthorized, 'CCAI session event push: wrong or missing credentials.');
    if (request.method.toUpperCase() !== 'POST') throw new C2CError(ErrorCode.InvalidRequest, 'CCAI session events are POSTed.');

    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch (cause) {
      throw new C2CError(ErrorCode.InvalidRequest, 'CCAI session event push: the body is not JSON.', { cause });
    }
    const body = CcaiPushBody.safeParse(json);
    if (!body.success) {
      throw new C2CError(ErrorCode.InvalidRequest, 'CCAI session event push: expected {count, events: [...]}.', { cause: body.error });
    }
    const events: VendorEvent[] = [];
    for (const raw of body.data.events) {
      // One odd event must not cost the others: skip what does not parse.
      const event = CcaiPushEvent.safeParse(raw);
      const mapped = event.success ? mapCcaiPushEvent(event.data) : null;
      if (mapped) events.push(mapped);
    }
    return { events };
  }

  /** One request: waits its turn in the shared bucket, then sends with Basic auth and a timeout. */
  async #send(api: string, method: 'GET' | 'POST', path: string, body: string | undefined, signal?: AbortSignal): Promise<Answer> {
    await this.#bucket.take(signal);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), this.#requestTimeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const headers: Record<string, string> = { Authorization: this.#authorization, Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(`${this.#config.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: 'error',
        signal: controller.signal,
      });
      const text = await response.text();
      return { status: response.status, text };
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = controller.signal.aborted;
      throw new C2CError(
        ErrorCode.VendorUnavailable,
        timedOut ? `CCAI did not answer "${api}" within ${this.#requestTimeoutMs} ms.` : `CCAI could not be reached to ${api}.`,
        { cause },
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Waits `ms`; false when `signal` aborted first. Leaves no timer behind either way. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
