/**
 * What the browser and the token endpoint say to each other: one source of truth for both
 * sides. Checked with the tiny validator in check.ts, which keeps the browser bundle small.
 *
 * Routes, relative to the endpoint URL (`<click-to-call endpoint>`):
 *
 *   POST /session                     SessionRequest            -> SessionResponse
 *   POST /calls                       StartCallRequest  (Bearer) -> StartCallResponse
 *   GET  /calls/:callId/events?after= (Bearer)                  -> EventsResponse
 *   POST /calls/:callId/hangup        (Bearer)                  -> HangupResponse
 *   GET  /slots?destination=                                    -> SlotsResponse
 *   GET  /readiness?destination=&mode=  ReadinessQuery          -> ReadinessResponse
 *
 * Any non-2xx answer has an ErrorBody (`rate-limited` also sets `Retry-After`). `Bearer` is
 * the session token from /session: it starts one call within `expiresAt`, then stays good for
 * that call's events and hang-up while the call lives.
 */
import { array, boolean, literal, number, object, oneOf, optional, string, tagged, union, type Check, type Infer } from './check.ts';

export { ErrorCode, ERROR_CODES, isErrorCode } from './errors.ts';
export { ShapeError, type Check, type Infer } from './check.ts';

export const CALL_MODES = ['webrtc', 'callback'] as const;
export type CallMode = (typeof CALL_MODES)[number];

export const PATHS = {
  session: '/session',
  calls: '/calls',
  events: (callId: string) => `/calls/${encodeURIComponent(callId)}/events`,
  hangup: (callId: string) => `/calls/${encodeURIComponent(callId)}/hangup`,
  slots: (destination: string) => `/slots?destination=${encodeURIComponent(destination)}`,
  readiness: (query: ReadinessQuery) =>
    `/readiness?destination=${encodeURIComponent(query.destination)}${query.mode ? `&mode=${query.mode}` : ''}`,
} as const;

export const IceServer = object({
  urls: union<string | string[]>(string(), array(string())),
  username: optional(string()),
  credential: optional(string()),
});
export type IceServer = Infer<typeof IceServer>;

export const SessionRequest = object({
  destination: string({ min: 1, max: 64 }),
  mode: optional(oneOf(CALL_MODES)),
  locale: optional(string({ max: 16 })),
  /** The token the page's CAPTCHA (Turnstile, hCaptcha, reCAPTCHA) produced, when the endpoint asks for one. */
  captchaToken: optional(string({ min: 1, max: 8192 })),
});
export type SessionRequest = Infer<typeof SessionRequest>;

export const SessionResponse = object({
  token: string({ min: 16 }),
  /** Epoch milliseconds after which the token no longer starts a call. */
  expiresAt: number(),
  provider: string(),
  mode: oneOf(CALL_MODES),
  iceServers: optional(array(IceServer)),
});
export type SessionResponse = Infer<typeof SessionResponse>;

export const StartCallRequest = object({
  /** The destination the session was minted for; another one is refused. */
  destination: optional(string({ min: 1, max: 64 })),
  /** Callback mode: the visitor's number in E.164. */
  phone: optional(string({ max: 32 })),
  /** Callback mode: ISO 8601 time for a booked callback. */
  scheduledAt: optional(string({ max: 40 })),
});
export type StartCallRequest = Infer<typeof StartCallRequest>;

export const StartCallResponse = object({
  callId: string({ min: 1 }),
});
export type StartCallResponse = Infer<typeof StartCallResponse>;

/** Where the browser sends its audio: the vendor's WebRTC gateway. */
export const Gateway = object({
  domain: string({ min: 1 }),
  /** WebSocket URLs (or bare host:port, which means wss://host:port), tried in order. */
  addresses: array(string({ min: 1 }), { min: 1 }),
  /** The user part to INVITE (Huawei: accessCode). */
  target: string({ min: 1 }),
  /** The user part we call from (Huawei: clickToCallCaller). */
  caller: string({ min: 1 }),
});
export type Gateway = Infer<typeof Gateway>;

const id = string({ min: 1 });

export const QueuedEvent = object({ id, type: literal('queued'), position: optional(number()) });
export const RingingEvent = object({ id, type: literal('ringing') });
/** WebRTC: the agent is reserved; connect media to this gateway. */
export const MediaEvent = object({ id, type: literal('media'), gateway: Gateway });
/** Callback: the visitor and the agent are bridged. */
export const ConnectedEvent = object({ id, type: literal('connected') });
export const EndedEvent = object({ id, type: literal('ended'), reason: optional(string()), message: optional(string()) });
/** `code` is an ErrorCode; unknown codes from a newer server are kept as they are. */
export const FailedEvent = object({ id, type: literal('failed'), code: string({ min: 1 }), message: string() });
export const ScheduledEvent = object({ id, type: literal('scheduled'), at: string() });

export type CallEvent =
  | Infer<typeof QueuedEvent>
  | Infer<typeof RingingEvent>
  | Infer<typeof MediaEvent>
  | Infer<typeof ConnectedEvent>
  | Infer<typeof EndedEvent>
  | Infer<typeof FailedEvent>
  | Infer<typeof ScheduledEvent>;

export const CallEvent: Check<CallEvent> = tagged<'type', CallEvent>('type', {
  queued: QueuedEvent,
  ringing: RingingEvent,
  media: MediaEvent,
  connected: ConnectedEvent,
  ended: EndedEvent,
  failed: FailedEvent,
  scheduled: ScheduledEvent,
} as Record<string, Check<CallEvent>>);

export const EventsResponse = object({ events: array(CallEvent) });
export type EventsResponse = Infer<typeof EventsResponse>;

/** Times a callback can be booked at (ISO 8601, UTC); empty when the destination books none. */
export const SlotsResponse = object({ slots: array(string({ min: 1, max: 40 }), { max: 200 }) });
export type SlotsResponse = Infer<typeof SlotsResponse>;

/**
 * The pre-call check asks which kind of call a destination makes and where its gateway is,
 * without minting a token. The same check runs in the browser before sending and in the
 * endpoint on the query string. Marked pure so that the engine chunk, which does not use
 * them, drops them (the browser's readiness chunk spells them out).
 */
export const ReadinessQuery = /* @__PURE__ */ object({
  destination: /* @__PURE__ */ string({ min: 1, max: 64 }),
  mode: /* @__PURE__ */ optional(/* @__PURE__ */ oneOf(CALL_MODES)),
});
export type ReadinessQuery = Infer<typeof ReadinessQuery>;

export const ReadinessResponse = /* @__PURE__ */ object({
  mode: /* @__PURE__ */ oneOf(CALL_MODES),
  /** WebRTC: gateway WebSocket URLs (or bare host:port, meaning wss://) to try opening. */
  probeAddresses: /* @__PURE__ */ optional(/* @__PURE__ */ array(/* @__PURE__ */ string({ min: 1, max: 256 }), { max: 8 })),
});
export type ReadinessResponse = Infer<typeof ReadinessResponse>;

export const HangupResponse = object({ ok: boolean() });
export type HangupResponse = Infer<typeof HangupResponse>;

export const ErrorBody = object({
  error: object({
    code: string(),
    message: string(),
    /** Seconds, for rate-limited. */
    retryAfter: optional(number()),
  }),
});
export type ErrorBody = Infer<typeof ErrorBody>;

/** Event types after which no further event for the call will come. */
export const FINAL_EVENT_TYPES: ReadonlySet<CallEvent['type']> = new Set(['ended', 'failed', 'scheduled']);
