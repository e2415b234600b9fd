/**
 * What the routes need from a vendor, and the one error type everything below the routes
 * throws. Routes turn a C2CError into an ErrorBody; anything else becomes `internal-error`.
 */
import { ErrorCode } from '../protocol/errors.ts';
import type { CallEvent, CallMode, IceServer, StartCallRequest } from '../protocol/index.ts';
import type { DestinationConfig, ProviderName } from './config.ts';

/** HTTP status the endpoint answers with for each error code it produces. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidRequest]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.SessionExpired]: 401,
  [ErrorCode.OriginNotAllowed]: 403,
  [ErrorCode.UnknownDestination]: 404,
  [ErrorCode.CallNotFound]: 404,
  [ErrorCode.NotSupported]: 409,
  [ErrorCode.OutsideBusinessHours]: 409,
  [ErrorCode.NoAgentAvailable]: 409,
  [ErrorCode.InvalidPhoneNumber]: 400,
  [ErrorCode.QueueTimeout]: 409,
  [ErrorCode.CallFailed]: 409,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.CaptchaFailed]: 403,
  [ErrorCode.VendorRejected]: 502,
  [ErrorCode.InvalidResponse]: 502,
  [ErrorCode.VendorUnavailable]: 503,
  [ErrorCode.InternalError]: 500,
};

export class C2CError extends Error {
  override readonly name = 'C2CError';
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds, for `rate-limited` (sent as `Retry-After` and `error.retryAfter`). */
  readonly retryAfter: number | undefined;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number; retryAfter?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options?.status ?? STATUS[code] ?? 500;
    this.retryAfter = options?.retryAfter;
  }
}

/** Provider-private state kept in the session record: JSON, never sent to the browser. */
export type ProviderState = Record<string, unknown>;

export interface Provider {
  readonly name: ProviderName;
  readonly modes: readonly CallMode[];
  readonly iceServers?: IceServer[] | undefined;
  /** Vendor credentials for one visitor. */
  openSession(input: { locale?: string | undefined }): Promise<ProviderState>;
  /** Starts the call; `state` may be changed in place (renewed tokens) and is saved after. */
  startCall(state: ProviderState, input: { destination: DestinationConfig; request: StartCallRequest }): Promise<void>;
  /** One relay of the vendor's events; `nextId` numbers events the vendor gave no id. */
  pollEvents(state: ProviderState, nextId: () => string): Promise<CallEvent[]>;
  /** Ends the call at the vendor; `dropped: false` when the vendor had nothing to drop. */
  hangup(state: ProviderState): Promise<{ dropped: boolean }>;
}

/**
 * A callback vendor (Sarv, udesk, CCAI Platform, a CTI feed): it rings the visitor's phone and
 * bridges an agent. Progress arrives by webhook, or is polled upstream by the endpoint with one
 * watcher per call however many browsers follow it. The endpoint owns call ids, event ids,
 * ordering and fan-out; a provider only speaks its vendor's language.
 */
export interface CallbackProvider {
  readonly name: string;
  readonly modes: readonly ['callback'];
  /** True when the vendor can book a call for later (`scheduledAt`). */
  readonly canSchedule: boolean;
  /** False for a feed that only reports calls placed by another vendor (a CTI adapter). */
  readonly canPlaceCalls?: boolean;
  /**
   * Places the call at the vendor. `phone` is E.164 (`+14155550123`), already checked against
   * the number policy. Throws C2CError with a mapped code on a vendor refusal.
   */
  startCall(input: CallbackStart): Promise<{ vendorCallId: string; events?: VendorEvent[] }>;
  /** Ends or cancels the call at the vendor, when the vendor can. */
  hangup(vendorCallId: string): Promise<{ dropped: boolean }>;
  /**
   * A webhook from the vendor, with its raw body. Checks the signature or credential first
   * (constant time; stale timestamps refused) and throws C2CError `unauthorized` when it fails.
   * `reply` is what the vendor expects back (e.g. Sarv's `GODBLESSYOU`).
   */
  webhook?(request: WebhookRequest): Promise<{ events: VendorEvent[]; reply?: { status: number; body: string; contentType?: string } }>;
  /**
   * Polls the vendor for one call until the call is over or `signal` aborts, calling `emit`
   * for each change. Only for vendors without webhooks; the endpoint runs one per call.
   */
  watch?(vendorCallId: string, emit: (event: VendorEvent) => void, signal: AbortSignal): Promise<void>;
}

export interface CallbackStart {
  destination: Record<string, unknown>;
  phone: string;
  scheduledAt?: string | undefined;
  signal?: AbortSignal;
}

/** A destination's vendor keys, checked again by the vendor's schema (config already did). */
export function vendorDestination<T>(
  vendor: string,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } } },
  destination: Record<string, unknown>,
): T {
  const parsed = schema.safeParse(destination);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new C2CError(ErrorCode.InternalError, `The ${vendor} destination is misconfigured: ${detail}`, { cause: parsed.error });
}

export interface WebhookRequest {
  method: string;
  /** The path after `/webhooks/<provider>`, e.g. '' or '/secret-path'. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

/** One step of a callback call as the vendor told it, before the endpoint numbers it. */
export interface VendorEvent {
  vendorCallId: string;
  /** Protocol event type: queued, ringing (the visitor's phone rings), connected, ended, failed, scheduled. */
  type: 'queued' | 'ringing' | 'connected' | 'ended' | 'failed' | 'scheduled';
  /** For failed: an ErrorCode; for ended: why. */
  code?: ErrorCode;
  reason?: string;
  /** Plain text for the visitor (never HTML). */
  message?: string;
  /** ISO 8601, for scheduled. */
  at?: string;
  position?: number;
  /** The vendor's own event id or a stable fingerprint, to drop duplicates. */
  vendorEventId?: string;
  /** When the vendor says it happened (epoch ms), to order late webhooks. */
  occurredAt?: number;
}
