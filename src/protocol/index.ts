/**
 * What the browser and the token endpoint say to each other: one source of truth for both
 * sides. zod/mini keeps the browser bundle small.
 *
 * Routes, relative to the endpoint URL (`<click-to-call endpoint>`):
 *
 *   POST /session                     SessionRequest            -> SessionResponse
 *   POST /calls                       StartCallRequest  (Bearer) -> StartCallResponse
 *   GET  /calls/:callId/events?after= (Bearer)                  -> EventsResponse
 *   POST /calls/:callId/hangup        (Bearer)                  -> HangupResponse
 *
 * Any non-2xx answer has an ErrorBody. `Bearer` is the session token from /session.
 */
import * as z from 'zod/mini';
export { ErrorCode, ERROR_CODES, isErrorCode } from './errors.ts';

export const CALL_MODES = ['webrtc', 'callback'] as const;
export type CallMode = (typeof CALL_MODES)[number];

export const PATHS = {
  session: '/session',
  calls: '/calls',
  events: (callId: string) => `/calls/${encodeURIComponent(callId)}/events`,
  hangup: (callId: string) => `/calls/${encodeURIComponent(callId)}/hangup`,
} as const;

export const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.optional(z.string()),
  credential: z.optional(z.string()),
});
export type IceServer = z.infer<typeof IceServer>;

export const SessionRequest = z.object({
  destination: z.string().check(z.minLength(1), z.maxLength(64)),
  mode: z.optional(z.enum(CALL_MODES)),
  locale: z.optional(z.string().check(z.maxLength(16))),
});
export type SessionRequest = z.infer<typeof SessionRequest>;

export const SessionResponse = z.object({
  token: z.string().check(z.minLength(16)),
  /** Epoch milliseconds after which the token no longer starts a call. */
  expiresAt: z.number(),
  provider: z.string(),
  mode: z.enum(CALL_MODES),
  iceServers: z.optional(z.array(IceServer)),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

export const StartCallRequest = z.object({
  /** Callback mode: the visitor's number in E.164. */
  phone: z.optional(z.string()),
  /** Callback mode: ISO 8601 time for a booked callback. */
  scheduledAt: z.optional(z.string()),
});
export type StartCallRequest = z.infer<typeof StartCallRequest>;

export const StartCallResponse = z.object({
  callId: z.string().check(z.minLength(1)),
});
export type StartCallResponse = z.infer<typeof StartCallResponse>;

/** Where the browser sends its audio: the vendor's WebRTC gateway. */
export const Gateway = z.object({
  domain: z.string().check(z.minLength(1)),
  /** WebSocket URLs (or bare host:port, which means wss://host:port), tried in order. */
  addresses: z.array(z.string()).check(z.minLength(1)),
  /** The user part to INVITE (Huawei: accessCode). */
  target: z.string().check(z.minLength(1)),
  /** The user part we call from (Huawei: clickToCallCaller). */
  caller: z.string().check(z.minLength(1)),
});
export type Gateway = z.infer<typeof Gateway>;

const eventBase = { id: z.string().check(z.minLength(1)) };

export const CallEvent = z.discriminatedUnion('type', [
  z.object({ ...eventBase, type: z.literal('queued'), position: z.optional(z.number()) }),
  z.object({ ...eventBase, type: z.literal('ringing') }),
  /** WebRTC: the agent is reserved; connect media to this gateway. */
  z.object({ ...eventBase, type: z.literal('media'), gateway: Gateway }),
  /** Callback: the visitor and the agent are bridged. */
  z.object({ ...eventBase, type: z.literal('connected') }),
  z.object({
    ...eventBase,
    type: z.literal('ended'),
    reason: z.optional(z.string()),
    message: z.optional(z.string()),
  }),
  z.object({
    ...eventBase,
    type: z.literal('failed'),
    /** An ErrorCode; unknown codes from a newer server are kept as they are. */
    code: z.string(),
    message: z.string(),
  }),
  z.object({ ...eventBase, type: z.literal('scheduled'), at: z.string() }),
]);
export type CallEvent = z.infer<typeof CallEvent>;

export const EventsResponse = z.object({
  events: z.array(CallEvent),
});
export type EventsResponse = z.infer<typeof EventsResponse>;

export const HangupResponse = z.object({ ok: z.boolean() });
export type HangupResponse = z.infer<typeof HangupResponse>;

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Seconds, for rate-limited. */
    retryAfter: z.optional(z.number()),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Event types after which no further event for the call will come. */
export const FINAL_EVENT_TYPES: ReadonlySet<CallEvent['type']> = new Set(['ended', 'failed', 'scheduled']);
