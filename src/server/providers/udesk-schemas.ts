/**
 * What udesk CTI Cloud (`/ccapi/v2/...`, seed 001) answers and what its callbacks carry.
 * Lenient: unknown fields pass, codes may arrive as numbers, and the document spells the same
 * things several ways (`ErrCode`/`ErrDesc`/`Result` on most APIs, `code`/`message`/`results`
 * on the call-control ones, `results` holding the call id on originatev2).
 *
 * The body of a call-event callback is not documented anywhere public
 * (vendors/callback-vendors.md). The callback schema therefore only says "a JSON object";
 * the provider looks for the event name and the call id under every name the seed uses for
 * them elsewhere (see EVENT_NAME_KEYS and CALL_ID_KEYS).
 */
import * as z from 'zod';

/** "000000" or 0 -> a string; the tables say string (digits), samples are always quoted. */
const Code = z.union([z.string(), z.number()]).transform(String);
const Text = z.union([z.string(), z.number()]).transform(String);

/** Everything after the base URL: `https://{host}/ccapi/v2/{api}`. */
export const API_PREFIX = '/ccapi/v2';

export const PATHS = {
  originate: `${API_PREFIX}/originatev2`,
  subscriptions: `${API_PREFIX}/subscriptions`,
  webhookEvents: `${API_PREFIX}/webhooks/events`,
  apps: `${API_PREFIX}/apps`,
} as const;

export const SUCCESS_CODE = '000000';

/**
 * The documented answer envelope. `ErrCode`/`ErrDesc` on most APIs; the call-control APIs use
 * `code`/`message`; both are accepted and the first present wins.
 */
export const Envelope = z.looseObject({
  ErrCode: Code.optional(),
  ErrDesc: Text.optional(),
  code: Code.optional(),
  message: Text.optional(),
  Result: z.unknown().optional(),
  results: z.unknown().optional(),
  msg_id: z.unknown().optional(),
  data: z.unknown().optional(),
});
export type Envelope = z.output<typeof Envelope>;

/** originatev2 body: the document's four required fields plus the optional associated data. */
export const OriginateRequest = z.object({
  caller: z.string().min(1),
  called: z.string().min(1),
  called_display: z.string().min(1),
  agent_id: z.string().min(1),
  user_data: z.array(z.object({ evt: z.string().min(1), data: z.string() })).optional(),
});
export type OriginateRequest = z.infer<typeof OriginateRequest>;

/** originatev2 success: `results` is the call id (a UUID in the sample). */
export const OriginateAnswer = Envelope.extend({
  results: z.union([z.string().min(1), z.number()]).transform(String),
});

/** POST subscriptions answer: `Result.sub_succ` [{id, name}] and `Result.sub_fail` [name]. */
export const SubscriptionsAnswer = Envelope.extend({
  Result: z
    .looseObject({
      sub_succ: z.array(z.looseObject({ id: z.union([z.number(), z.string()]), name: z.string() })).nullish(),
      sub_fail: z.array(z.string()).nullish(),
    })
    .nullish(),
});

/** The callback authentication parameters: Timestamp (seconds, a string), AppId, Sign. */
export const CallbackAuth = z.object({
  Timestamp: z.string().regex(/^\d{1,16}$/),
  AppId: z.string().min(1),
  Sign: z.string().min(1),
});
export type CallbackAuth = z.infer<typeof CallbackAuth>;

/** One callback event: any JSON object. What is in it is read by the provider, tolerantly. */
export const CallbackEvent = z.record(z.string(), z.unknown());
export type CallbackEvent = z.infer<typeof CallbackEvent>;

/**
 * Where an event name may sit: `evt` (originatev2's associated data), `Method` (the WebSocket
 * event messages), and the usual spellings of "event".
 */
export const EVENT_NAME_KEYS = ['evt', 'Evt', 'event', 'Event', 'EventName', 'event_name', 'eventName', 'Method', 'method', 'type', 'Type'] as const;
/** Where a call id may sit: `call_id` (hold/transfer), `CallId` (call logs), and variants. */
export const CALL_ID_KEYS = ['call_id', 'CallId', 'CallID', 'callId', 'callid', 'call_uuid', 'CallUuid', 'uuid'] as const;
/** The vendor's own id of one message, when it sends one (`MsgId` in the WebSocket header). */
export const MESSAGE_ID_KEYS = ['MsgId', 'msg_id', 'msgId', 'EventId', 'event_id', 'eventId'] as const;
/** When it happened (the document's timestamps are ms; the callback's own is seconds). */
export const TIME_KEYS = ['Timestamp', 'timestamp', 'EventTime', 'event_time', 'eventTime', 'time', 'Time', 'ts'] as const;
/** Why a call ended: the call-log names (`HangupReason`, `HangupCode`), WebSocket `Reason`, the event name. */
export const CAUSE_KEYS = ['hangup_cause', 'HangupCause', 'hangupCause', 'HangupReason', 'hangup_reason', 'HangupCode', 'hangup_code', 'Reason', 'reason', 'cause', 'Cause'] as const;
/** When the visitor answered (call-log `UserAnswerTime`; 0 = never). */
export const USER_ANSWER_KEYS = ['UserAnswerTime', 'user_answer_time', 'userAnswerTime'] as const;
/** Objects that may wrap the event (`data`, `Data`, `Result`, `results`, `body`). */
export const WRAPPER_KEYS = ['data', 'Data', 'Result', 'result', 'results', 'body', 'Body', 'payload'] as const;

/** The `call` category's event names as the event subscription API (`webhooks/events`) lists them. */
export const CALL_CATEGORY_EVENTS = [
  'agent_breakout', 'agent_interrupt', 'asr_gather_fail', 'asr_gather_succ', 'begin', 'call_notes',
  'consult_fail', 'consult_succ', 'dtmf_gather_fail', 'dtmf_gather_succ', 'eavesdrop_fail', 'eavesdrop_succ',
  'end', 'end_consult_fail', 'end_consult_succ', 'enqueue_succ', 'extern_succ', 'general_hangup',
  'hangup_cause', 'hold_call', 'play_fail', 'play_succ', 'record_stop', 'start_dialout', 'start_ivr',
  'substitute_fail', 'substitute_succ', 'three_way_fail', 'three_way_succ', 'transfer_agent_fail',
  'transfer_agent_succ', 'user_answer', 'user_hangup', 'user_ringing', 'voice_mail_fail', 'voice_mail_succ',
] as const;

/**
 * The events this widget listens to. The agent_* names appear only in the message subscription
 * (`subscriptions`) examples, not in the `call` category list above.
 */
export const DEFAULT_SUBSCRIBED_EVENTS = [
  'agent_ringing',
  'agent_answer',
  'start_dialout',
  'user_ringing',
  'user_answer',
  'user_hangup',
  'agent_hangup',
  'hangup_cause',
  'end',
] as const;
