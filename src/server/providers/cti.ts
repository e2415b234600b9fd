/**
 * A CTI adapter's call-event feed (seed 004): the adapter, or a small relay beside it, POSTs
 * each `InboundCall` / `InboundCallStateChange` message to our webhook. The seed documents the
 * message but no transport security, so the signature is ours:
 *
 *   x-c2c-timestamp: <unix seconds>
 *   x-c2c-signature: hex(HMAC-SHA256(secret, timestamp + "." + rawBody))
 *
 * Checked in constant time; timestamps further than maxSkewSeconds from our clock are refused,
 * and so is a signature seen before within that window (a replay).
 *
 * The call id is `message.call.id` (the seed's "Connection ID", a string). Senders must use the
 * same id that the call was registered under at the endpoint.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ErrorCode } from '../../protocol/errors.ts';
import { C2CError, type CallbackProvider, type VendorEvent, type WebhookRequest } from '../provider.ts';

export const CTI_HEADERS = {
  timestamp: 'x-c2c-timestamp',
  signature: 'x-c2c-signature',
} as const;

export const CtiConfig = z.object({
  /** Shared with the sender; at least 16 characters so it cannot be guessed. */
  secret: z.string().min(16),
  /** Largest accepted distance between the sender's timestamp and our clock. */
  maxSkewSeconds: z.number().int().min(1).max(3600).default(300),
});
export type CtiConfig = z.output<typeof CtiConfig>;
export type CtiConfigInput = z.input<typeof CtiConfig>;

/** The seed's message, reduced to what we read; every other field passes through. */
const Text = z.union([z.string(), z.number()]).transform(String);
export const CtiMessage = z.looseObject({
  topic: z.string(),
  subtopic: z.string(),
  channel: z.string().optional(),
  message: z.looseObject({
    source: z.string().optional(),
    call: z.looseObject({
      id: Text.pipe(z.string().min(1)),
      event: z.string(),
      CallType: z.string().optional(),
      ResponseFields: z
        .looseObject({
          CurrentStateTime: Text.optional(),
          CallState: z.string().optional(),
        })
        .nullish(),
    }),
  }),
});
export type CtiMessage = z.output<typeof CtiMessage>;

/** hex(HMAC-SHA256(secret, `${timestamp}.${body}`)): what a sender puts in x-c2c-signature. */
export function signCtiMessage(secret: string, body: string, timestamp: number | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

type Mapped = Omit<VendorEvent, 'vendorCallId'>;

/**
 * `message.call.event` (case-insensitive) as a protocol step; null = no change for the visitor.
 * The events describe the agent's side of the connection:
 * - connecting -> ringing: the call is being offered/put through; for the visitor it is the
 *   moment between waiting and talking.
 * - missed -> failed `no-agent-available`: the agent the call was offered to let it ring out.
 *   For the visitor that is "nobody took my call", which is what no-agent-available says;
 *   `call-failed` would blame the line. (An ACD that re-offers missed calls to another agent
 *   should not forward `missed`, or the endpoint ends the call here.)
 * - connected -> connected.
 * - rejected -> failed `call-failed`: the call was declined, not merely unanswered.
 * - hold, acw -> null: hold is a pause within a connected call; ACW (after-call work) is the
 *   agent's wrap-up, and the end of the call itself arrives as `Dropped`.
 * - dropped -> ended.
 */
export function mapCtiEvent(event: string): Mapped | null {
  switch (event.trim().toLowerCase()) {
    case 'connecting':
      return { type: 'ringing' };
    case 'missed':
      return { type: 'failed', code: ErrorCode.NoAgentAvailable, reason: 'missed', message: 'No agent answered the call.' };
    case 'connected':
      return { type: 'connected' };
    case 'rejected':
      return { type: 'failed', code: ErrorCode.CallFailed, reason: 'rejected', message: 'The call was declined.' };
    case 'dropped':
      return { type: 'ended', reason: 'dropped' };
    default:
      return null;
  }
}

export interface CtiProviderOptions {
  /** Wall clock in ms (tests move it). */
  now?: () => number;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

export class CtiProvider implements CallbackProvider {
  readonly name = 'cti';
  readonly modes = ['callback'] as const;
  readonly canSchedule = false;
  readonly canPlaceCalls = false;
  readonly #secret: string;
  readonly #maxSkewMs: number;
  readonly #now: () => number;
  /** Signatures accepted recently -> when they may be forgotten (their timestamp is stale by then). */
  readonly #seen = new Map<string, number>();
  #prunedAt = 0;

  constructor(config: CtiConfigInput, options: CtiProviderOptions = {}) {
    const parsed = CtiConfig.parse(config);
    this.#secret = parsed.secret;
    this.#maxSkewMs = parsed.maxSkewSeconds * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Recent signatures held for replay detection (for tests and metrics). */
  get rememberedSignatures(): number {
    this.#prune(true);
    return this.#seen.size;
  }

  async startCall(): Promise<{ vendorCallId: string; events?: VendorEvent[] }> {
    throw new C2CError(ErrorCode.NotSupported, 'The CTI feed only reports call events; it cannot start a call.');
  }

  async hangup(_vendorCallId: string): Promise<{ dropped: boolean }> {
    return { dropped: false };
  }

  async webhook(request: WebhookRequest): Promise<{ events: VendorEvent[] }> {
    const now = this.#now();
    const stamp = header(request.headers, CTI_HEADERS.timestamp) ?? '';
    const signature = (header(request.headers, CTI_HEADERS.signature) ?? '').trim().toLowerCase();
    if (!/^\d{1,12}$/.test(stamp) || !/^[0-9a-f]{64}$/.test(signature)) {
      throw new C2CError(ErrorCode.Unauthorized, 'CTI event: missing or malformed x-c2c-timestamp / x-c2c-signature.');
    }
    const expected = Buffer.from(signCtiMessage(this.#secret, request.body, stamp), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw new C2CError(ErrorCode.Unauthorized, 'CTI event: bad signature.');
    }
    const sentAt = Number(stamp) * 1000;
    if (Math.abs(now - sentAt) > this.#maxSkewMs) {
      throw new C2CError(ErrorCode.Unauthorized, 'CTI event: stale timestamp.');
    }
    this.#prune();
    if (this.#seen.has(signature)) throw new C2CError(ErrorCode.Unauthorized, 'CTI event: replayed signature.');
    // Once sentAt + skew has passed, the timestamp check refuses it anyway.
    this.#seen.set(signature, sentAt + this.#maxSkewMs);

    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch (cause) {
      throw new C2CError(ErrorCode.InvalidRequest, 'CTI event: the body is not JSON.', { cause });
    }
    const parsed = CtiMessage.safeParse(json);
    if (!parsed.success) {
      throw new C2CError(ErrorCode.InvalidRequest, 'CTI event: expected {topic, subtopic, message: {call: {id, event}}}.', { cause: parsed.error });
    }
    const message = parsed.data;
    if (message.topic.toLowerCase() !== 'inboundcall' || message.subtopic.toLowerCase() !== 'inboundcallstatechange') {
      return { events: [] };
    }
    const { call } = message.message;
    const mapped = mapCtiEvent(call.event);
    if (!mapped) return { events: [] };
    const stateTime = call.ResponseFields?.CurrentStateTime;
    const stateMs = stateTime === undefined ? Number.NaN : /^\d+$/.test(stateTime) ? Number(stateTime) : Date.parse(stateTime);
    return {
      events: [
        {
          vendorCallId: call.id,
          ...mapped,
          // The same state change sent twice (re-signed) is one event.
          vendorEventId: `cti:${call.id}:${call.event.toLowerCase()}${stateTime ? `:${stateTime}` : ''}`,
          occurredAt: Number.isFinite(stateMs) ? stateMs : sentAt,
        },
      ],
    };
  }

  /** Forgets signatures whose timestamps are stale now; at most once a second unless forced. */
  #prune(force = false): void {
    const now = this.#now();
    if (!force && now - this.#prunedAt < 1000) return;
    this.#prunedAt = now;
    for (const [signature, until] of this.#seen) if (until < now) this.#seen.delete(signature);
  }
}
