/**
 * udesk CTI Cloud callback calls (seed 001, `/ccapi/v2/...`). `originatev2` rings the agent
 * first and then the visitor's phone, and bridges them; progress arrives by webhook, signed
 * with the application Secret. The Sid, AuthToken and Secret stay on this server.
 *
 * What the document leaves open is handled tolerantly and said so where it is done: the
 * callback body (not documented), error codes for an offline/busy agent or a bad number (not in
 * the code table), the unit of the callback Timestamp (seconds per the table) against the API
 * Timestamp (milliseconds per the text, 10-digit values in the examples).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ErrorCode } from '../../protocol/errors.ts';
import { C2CError, type CallbackStart, vendorDestination, type CallbackProvider, type VendorEvent, type WebhookRequest } from '../provider.ts';
import {
  CALL_CATEGORY_EVENTS,
  CALL_ID_KEYS,
  CallbackAuth,
  CAUSE_KEYS,
  DEFAULT_SUBSCRIBED_EVENTS,
  Envelope,
  EVENT_NAME_KEYS,
  MESSAGE_ID_KEYS,
  OriginateAnswer,
  type OriginateRequest,
  PATHS,
  SubscriptionsAnswer,
  SUCCESS_CODE,
  TIME_KEYS,
  USER_ANSWER_KEYS,
  WRAPPER_KEYS,
} from './udesk-schemas.ts';

export const UdeskConfig = z.object({
  /**
   * `https://{host}`, e.g. https://xxx.udesk.cn (tests point it at the simulator). A trailing
   * `/ccapi/v2` is accepted and dropped: the paths add it.
   */
  baseUrl: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '').replace(/\/ccapi\/v2$/, '')),
  /** The application (tenant) id, a UUID. */
  appId: z.string().min(1),
  /** The account id udesk issued. */
  sid: z.string().min(1),
  /** Signs every API request: Sign = SHA1(Sid + AuthToken + Timestamp). */
  authToken: z.string().min(1),
  /** The application Secret (returned when the app was created): signs udesk's callbacks. */
  secret: z.string().min(1),
  requestTimeoutMs: z.number().int().min(100).max(60_000).optional(),
  /** How far a callback's Timestamp may be from our clock, either way. */
  webhookMaxSkewSeconds: z.number().int().min(1).max(3600).default(300),
  /**
   * The unit of the API request Timestamp. The document's text says milliseconds (and that is
   * the default); its curl examples show 10-digit (second) values. Switch if the account refuses.
   */
  timestampUnit: z.enum(['ms', 's']).default('ms'),
});
export type UdeskConfig = z.output<typeof UdeskConfig>;
export type UdeskConfigInput = z.input<typeof UdeskConfig>;

const Digits = z.string().regex(/^\d{1,32}$/, 'digits only');

export const UdeskDestination = z.object({
  /** originatev2 `agent_id`: the agent who is rung first and then bridged to the visitor. */
  agentId: Digits,
  /** originatev2 `caller`: the relay (trunk) number the call goes out on, e.g. 057126200670. */
  caller: z.string().regex(/^\d{3,32}$/, 'a relay number, digits only'),
  /** originatev2 `called_display`: the number the visitor's phone shows (usually the relay number). */
  calledDisplay: z.string().regex(/^\d{3,32}$/, 'digits only'),
  /**
   * How the visitor's E.164 number becomes originatev2 `called`. `cn-pstn` (default) follows the
   * document's PSTN formats: a number in `homeCountryCode` goes national (mobiles as 11 digits,
   * landlines with a leading 0), any other as `00{country}{number}`. `digits` drops the `+`
   * only; `e164` sends it unchanged.
   */
  calledFormat: z.enum(['cn-pstn', 'digits', 'e164']).default('cn-pstn'),
  homeCountryCode: z.string().regex(/^[1-9]\d{0,2}$/).default('86'),
  /** originatev2 `user_data`: associated data echoed with the named events. */
  userData: z.array(z.object({ evt: z.string().min(1), data: z.string() })).optional(),
});
export type UdeskDestination = z.output<typeof UdeskDestination>;
export type UdeskDestinationInput = z.input<typeof UdeskDestination>;

export interface UdeskLogger {
  warn(message: string, detail?: unknown): void;
}

export interface UdeskProviderOptions {
  /** Clock (epoch ms) for request signatures and callback freshness. */
  now?: () => number;
  /** Where unknown callback shapes are reported (default: console). */
  log?: UdeskLogger;
}

const DEFAULT_TIMEOUT_MS = 5_000;
/** Hex SHA1 in lower case, as in every example of the document. */
const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');

/** Sign for an API request: SHA1(Sid + AuthToken + Timestamp). */
export function udeskRequestSign(sid: string, authToken: string, timestamp: string): string {
  return sha1(`${sid}${authToken}${timestamp}`);
}

/** Sign of a callback: SHA1(AppId + Secret + Timestamp). */
export function udeskCallbackSign(appId: string, secret: string, timestamp: string): string {
  return sha1(`${appId}${secret}${timestamp}`);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    // Compare anyway so a length mismatch costs about the same as a content mismatch.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** E.164 (`+8613676546374`) -> originatev2 `called`, per the destination's format. */
export function udeskCalledNumber(e164: string, format: UdeskDestination['calledFormat'] = 'cn-pstn', homeCountryCode = '86'): string {
  const digits = e164.replace(/[^\d]/g, '');
  if (!/^\+?\d{6,17}$/.test(e164.replace(/[\s-]/g, '')) || digits.length < 6) {
    throw new C2CError(ErrorCode.InvalidPhoneNumber, 'The phone number is not in international format.');
  }
  switch (format) {
    case 'e164':
      return `+${digits}`;
    case 'digits':
      return digits;
    case 'cn-pstn': {
      if (!digits.startsWith(homeCountryCode)) return `00${digits}`;
      const national = digits.slice(homeCountryCode.length);
      // Mobiles: 11 digits starting with 1 (13x..19x) are dialled as they are; everything else
      // gets the trunk prefix 0 (`0{area code}{local number}`).
      if (homeCountryCode === '86' && /^1[3-9]\d{9}$/.test(national)) return national;
      return `0${national}`;
    }
  }
}

interface Answer {
  status: number;
  text: string;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const OWNER_AUTH_HINT = 'check providers.udesk sid, authToken and appId, and that this server\'s clock is right (requests are valid for 10 minutes)';

/**
 * An udesk refusal -> C2CError. The description is read first (the code table has no code for an
 * offline agent, a busy agent or a bad number, so those can only be recognised by their text),
 * the documented code second.
 */
export function udeskError(api: string, httpStatus: number, code: string | undefined, desc: string | undefined): C2CError {
  const text = desc ?? '';
  const detail = `${code ?? `HTTP ${httpStatus}`}${text ? `: ${text}` : ''}`;
  if (httpStatus === 401 || /\bsign\b|signature|auth|token|timestamp|expired|unauthori[sz]ed|forbidden|\bsid\b|签名|鉴权|过期/i.test(text)) {
    return new C2CError(ErrorCode.VendorRejected, `udesk ${api} refused our credentials (${detail}): ${OWNER_AUTH_HINT}.`);
  }
  switch (code) {
    case '000003':
      return new C2CError(ErrorCode.VendorUnavailable, `udesk ${api}: internal error (${detail}).`);
    case '100002':
    case '100017':
      return new C2CError(ErrorCode.VendorRejected, `udesk ${api}: the application is unknown or disabled (${detail}): check providers.udesk appId.`);
    case '100018':
    case '000004':
      return new C2CError(ErrorCode.VendorRejected, `udesk ${api}: a configured record does not exist (${detail}): check the destination's agentId.`);
    case '100004':
    case '100015':
    case '100016':
      return new C2CError(ErrorCode.VendorRejected, `udesk ${api} refused the request (${detail}).`);
  }
  // 000001 ("Parameter error", "ParamsInvalid") and codes the table does not list: only the
  // description can tell an offline or busy agent and a bad visitor number from a bad setup.
  if (/offline|not[ _-]?(online|login|logged|signed)|logout|logged[ _-]?out|busy|in[ _-]call|not[ _-]available|unavailable|离线|不在线|未登录|未签入|忙|通话中/i.test(text)) {
    return new C2CError(ErrorCode.NoAgentAvailable, 'No agent is available to take the call right now.');
  }
  if (/\bcaller\b|called_display|display|spnumber|relay|trunk|中继|外显/i.test(text)) {
    return new C2CError(ErrorCode.VendorRejected, `udesk ${api} refused the relay or display number (${detail}): check the destination's caller and calledDisplay.`);
  }
  if (/\bcalled\b|phone|number|被叫|号码/i.test(text)) {
    return new C2CError(ErrorCode.InvalidPhoneNumber, 'This phone number cannot be called.');
  }
  if (code === '000001') {
    return new C2CError(ErrorCode.VendorRejected, `udesk ${api} refused the parameters (${detail}): check the destination's agentId, caller and calledDisplay.`);
  }
  if (code === undefined && httpStatus >= 500) {
    return new C2CError(ErrorCode.VendorUnavailable, `udesk ${api} is unavailable (HTTP ${httpStatus}).`);
  }
  return new C2CError(ErrorCode.VendorRejected, `udesk ${api} refused the request (${detail}).`);
}

interface SignedRequest {
  config: UdeskConfig;
  now: () => number;
  api: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

function signedUrl(config: UdeskConfig, now: number, path: string): string {
  const timestamp = String(config.timestampUnit === 's' ? Math.floor(now / 1000) : Math.floor(now));
  const query = new URLSearchParams({
    Timestamp: timestamp,
    AppId: config.appId,
    Sid: config.sid,
    Sign: udeskRequestSign(config.sid, config.authToken, timestamp),
  });
  return `${config.baseUrl}${path}?${query}`;
}

async function send(request: SignedRequest): Promise<Answer> {
  const { config, api } = request;
  const timeoutMs = config.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  try {
    const response = await fetch(signedUrl(config, request.now(), request.path), {
      method: request.method,
      headers: { Accept: 'application/json', 'Content-Type': 'application/json;charset=utf-8' },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      redirect: 'error',
      signal,
    });
    const text = await response.text();
    return { status: response.status, text };
  } catch (cause) {
    const timedOut = timeout.aborted;
    const cancelled = !timedOut && request.signal?.aborted === true;
    throw new C2CError(
      ErrorCode.VendorUnavailable,
      timedOut
        ? `udesk ${api} did not answer within ${timeoutMs} ms`
        : cancelled
          ? `udesk ${api} was cancelled`
          : `udesk ${api} could not be reached`,
      { cause },
    );
  }
}

/** Parses an answer: a refusal code -> mapped error; no envelope -> invalid-response or unavailable. */
function parse<T extends z.ZodType>(api: string, schema: T, answer: Answer): z.output<T> {
  const json = safeJson(answer.text);
  const envelope = Envelope.safeParse(json);
  const code = envelope.success ? (envelope.data.ErrCode ?? envelope.data.code) : undefined;
  const desc = envelope.success ? (envelope.data.ErrDesc ?? envelope.data.message) : undefined;
  if (code !== undefined && code !== SUCCESS_CODE) throw udeskError(api, answer.status, code, desc);
  if (answer.status === 401 || answer.status === 403) throw udeskError(api, answer.status, code, desc);
  if (answer.status >= 500) {
    throw new C2CError(ErrorCode.VendorUnavailable, `udesk ${api} is unavailable (HTTP ${answer.status})`);
  }
  if (answer.status < 200 || answer.status >= 300) throw udeskError(api, answer.status, code, desc);
  if (json === undefined) {
    throw new C2CError(ErrorCode.InvalidResponse, `udesk ${api} answered with malformed JSON`);
  }
  if (code === undefined) {
    throw new C2CError(ErrorCode.InvalidResponse, `udesk ${api} answered without ErrCode`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new C2CError(ErrorCode.InvalidResponse, `udesk ${api} answered with an unexpected body`, { cause: parsed.error });
  }
  return parsed.data;
}

/* ----------------------------------------------------------------------------------------- */
/* Callback events                                                                            */

type Flat = Record<string, unknown>;

/** `userRinging` -> `user_ringing`, `USER_ANSWER` -> `user_answer`. */
function normalizeName(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();
}

type Kind = 'agent-progress' | 'visitor-ringing' | 'visitor-answered' | 'visitor-hangup' | 'agent-hangup' | 'cause' | 'end';

/** Known names (both the subscription names and the WebSocket `Method` names, normalised). */
const KINDS: Record<string, Kind> = {
  agent_ringing: 'agent-progress',
  agent_answer: 'agent-progress',
  agent_answered: 'agent-progress',
  start_dialout: 'agent-progress',
  user_ringing: 'visitor-ringing',
  user_answer: 'visitor-answered',
  user_answered: 'visitor-answered',
  user_hangup: 'visitor-hangup',
  agent_hangup: 'agent-hangup',
  // The document's WebSocket example spells it "agnetHangup".
  agnet_hangup: 'agent-hangup',
  general_hangup: 'end',
  hangup_cause: 'cause',
  end: 'end',
};

/** Documented names that say nothing the widget shows: dropped quietly (not "unknown"). */
const IGNORED = new Set<string>([
  ...CALL_CATEGORY_EVENTS,
  'agent_state_change', 'agent_call_mode_change', 'acd_agent_state', 'ext_state', 'extension_state_change',
  'disconnect', 'begin', 'enqueue_succ', 'start_ivr',
].filter((name) => !Object.hasOwn(KINDS, name)));

function pick(item: Flat, keys: readonly string[]): unknown {
  for (const key of keys) {
    const value = item[key];
    if (value !== undefined && value !== null && value !== '') return value;
  }
  for (const wrapper of WRAPPER_KEYS) {
    const inner = item[wrapper];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      for (const key of keys) {
        const value = (inner as Flat)[key];
        if (value !== undefined && value !== null && value !== '') return value;
      }
    }
  }
  return undefined;
}

function pickText(item: Flat, keys: readonly string[]): string | undefined {
  const value = pick(item, keys);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The event name: the first candidate that is a name we know, else the first text found. */
function eventNameOf(item: Flat): { name: string | undefined; raw: string | undefined } {
  let raw: string | undefined;
  const scopes: Flat[] = [item];
  for (const wrapper of WRAPPER_KEYS) {
    const inner = item[wrapper];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) scopes.push(inner as Flat);
  }
  for (const scope of scopes) {
    for (const key of EVENT_NAME_KEYS) {
      const value = scope[key];
      if (typeof value !== 'string' || value.trim() === '') continue;
      raw ??= value;
      const name = normalizeName(value);
      // Own keys only: `constructor`, `toString`, `__proto__` are not event names.
      if (Object.hasOwn(KINDS, name) || IGNORED.has(name)) return { name, raw: value };
    }
  }
  return { name: undefined, raw };
}

/** Epoch ms from a seconds or milliseconds value (number or digits). */
function epochMs(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{9,16}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return n < 1e11 ? n * 1000 : n;
}

interface Failure {
  code: ErrorCode;
  reason: string;
  message: string;
}

/**
 * A hang-up cause that means the visitor was never reached. The document names the
 * `hangup_cause` event but not its values; these are the usual switch (FreeSWITCH-style) names,
 * Q.850 and SIP codes, and the plain words, recognised tolerantly.
 */
export function udeskFailureOf(cause: string | undefined): Failure | undefined {
  if (!cause) return undefined;
  const text = cause.trim();
  if (/UNALLOCATED_NUMBER|INVALID_NUMBER_FORMAT|NO_ROUTE_DESTINATION|NUMBER_CHANGED|invalid.?number|空号|^(1|3|22|28|404|484)$/i.test(text)) {
    return { code: ErrorCode.InvalidPhoneNumber, reason: 'invalid-number', message: 'This phone number cannot be reached.' };
  }
  if (/USER_BUSY|busy|占线|用户忙|^(17|486|600)$/i.test(text)) {
    return { code: ErrorCode.CallFailed, reason: 'busy', message: 'Your line was busy.' };
  }
  if (/NO_ANSWER|NO_USER_RESPONSE|ALLOTTED_TIMEOUT|no.?answer|未接|无应答|^(18|19|408|480)$/i.test(text)) {
    return { code: ErrorCode.CallFailed, reason: 'no-answer', message: 'You did not answer the call.' };
  }
  if (/CALL_REJECTED|reject|decline|拒接|^(21|603)$/i.test(text)) {
    return { code: ErrorCode.CallFailed, reason: 'rejected', message: 'The call was declined.' };
  }
  if (/SUBSCRIBER_ABSENT|unreachable|关机|不在服务区|^20$/i.test(text)) {
    return { code: ErrorCode.CallFailed, reason: 'unreachable', message: 'Your phone could not be reached.' };
  }
  return undefined;
}

function fingerprint(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** A canonical JSON text (sorted keys) so the same event re-sent with reordered keys matches. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Flat).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * One callback item -> a VendorEvent, or null (unknown or uninteresting). Never throws.
 * `fallbackTime` is the callback's signed Timestamp (ms), used when the item has no time.
 */
export function mapUdeskEvent(item: Flat, fallbackTime: number | undefined, log?: UdeskLogger): VendorEvent | null {
  const { name, raw } = eventNameOf(item);
  const callId = pickText(item, CALL_ID_KEYS);
  if (name === undefined) {
    log?.warn(`udesk webhook: ${raw === undefined ? 'no event name' : `unknown event '${raw}'`}; ignored`, item);
    return null;
  }
  const kind = Object.hasOwn(KINDS, name) ? KINDS[name] : undefined;
  if (kind === undefined) return null;
  if (callId === undefined) {
    log?.warn(`udesk webhook: event '${name}' without a call id; ignored`, item);
    return null;
  }
  const ownTime = epochMs(pick(item, TIME_KEYS));
  const occurredAt = ownTime ?? fallbackTime;
  const ownId = pickText(item, MESSAGE_ID_KEYS);
  const vendorEventId = ownId !== undefined
    ? `udesk:${ownId}`
    : ownTime !== undefined
      ? `udesk:${fingerprint([callId, name, String(ownTime)])}`
      : `udesk:${fingerprint([callId, name, canonical(item)])}`;
  const base = { vendorCallId: callId, vendorEventId, ...(occurredAt === undefined ? {} : { occurredAt }) };

  const cause = pickText(item, CAUSE_KEYS);
  const answeredAt = pick(item, USER_ANSWER_KEYS);
  const neverAnswered = answeredAt !== undefined && Number(answeredAt) === 0;
  const failure = udeskFailureOf(cause);

  switch (kind) {
    case 'agent-progress':
      return { ...base, type: 'queued', message: name === 'agent_ringing' ? 'Finding an agent for you.' : 'An agent is ready; calling your phone.' };
    case 'visitor-ringing':
      return { ...base, type: 'ringing' };
    case 'visitor-answered':
      return { ...base, type: 'connected' };
    case 'cause':
      // Informational unless it says the visitor was never reached; the end comes anyway.
      return failure ? { ...base, type: 'failed', code: failure.code, reason: failure.reason, message: failure.message } : null;
    case 'visitor-hangup':
    case 'agent-hangup':
    case 'end': {
      if (failure) return { ...base, type: 'failed', code: failure.code, reason: failure.reason, message: failure.message };
      if (neverAnswered) {
        return { ...base, type: 'failed', code: ErrorCode.CallFailed, reason: 'not-answered', message: 'The call ended before it was answered.' };
      }
      const reason = kind === 'visitor-hangup' ? 'visitor-hangup' : kind === 'agent-hangup' ? 'agent-hangup' : 'completed';
      return { ...base, type: 'ended', reason };
    }
  }
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) out[key.toLowerCase()] = value;
  return out;
}

/** The callback parameters: the query string first, then headers, then top-level body fields. */
function callbackAuthOf(request: WebhookRequest, body: unknown): Partial<Record<'Timestamp' | 'AppId' | 'Sign', string>> {
  const query = lowerKeys(request.query);
  const headers = lowerKeys(request.headers);
  const top = body && typeof body === 'object' && !Array.isArray(body) ? (body as Flat) : {};
  const found: Partial<Record<'Timestamp' | 'AppId' | 'Sign', string>> = {};
  for (const name of ['Timestamp', 'AppId', 'Sign'] as const) {
    const lower = name.toLowerCase();
    const fromBody = top[name] ?? top[lower];
    const value = query[lower] ?? headers[lower] ?? headers[`x-udesk-${lower}`] ?? (typeof fromBody === 'string' || typeof fromBody === 'number' ? String(fromBody) : undefined);
    if (value !== undefined) found[name] = value;
  }
  return found;
}

/** The items of a callback body: one object, an array, or `{events: [...]}`; JSON or a form. */
function itemsOf(body: string, log?: UdeskLogger): { parsed: unknown; items: Flat[] } {
  const text = body.trim();
  if (text === '') return { parsed: undefined, items: [] };
  let parsed = safeJson(text);
  if (parsed === undefined && /^[^{[]*=/.test(text)) {
    const form = Object.fromEntries(new URLSearchParams(text));
    // A form may carry the JSON in one field.
    const embedded = Object.values(form).map((v) => safeJson(v)).find((v) => v && typeof v === 'object');
    parsed = embedded ?? form;
  }
  const isObject = (v: unknown): v is Flat => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(parsed)) return { parsed, items: parsed.filter(isObject) };
  if (isObject(parsed)) {
    const list = parsed.events ?? parsed.Events;
    if (Array.isArray(list) && list.some(isObject)) return { parsed, items: list.filter(isObject) };
    return { parsed, items: [parsed] };
  }
  log?.warn('udesk webhook: body is neither JSON nor a form; ignored', text.slice(0, 200));
  return { parsed: undefined, items: [] };
}

const WEBHOOK_REPLY = { status: 200, body: JSON.stringify({ ErrCode: SUCCESS_CODE, ErrDesc: 'OK' }), contentType: 'application/json' };

/* ----------------------------------------------------------------------------------------- */

export class UdeskProvider implements CallbackProvider {
  readonly name = 'udesk' as const;
  readonly modes = ['callback'] as const;
  readonly canSchedule = false;
  readonly #config: UdeskConfig;
  readonly #now: () => number;
  readonly #log: UdeskLogger;

  constructor(config: UdeskConfig, options: UdeskProviderOptions = {}) {
    this.#config = config;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? { warn: (message, detail) => console.warn(message, detail) };
  }

  async startCall(input: CallbackStart): Promise<{ vendorCallId: string; events?: VendorEvent[] }> {
    if (input.scheduledAt !== undefined) {
      throw new C2CError(ErrorCode.NotSupported, 'udesk cannot book a call for later.');
    }
    const destination = vendorDestination('udesk', UdeskDestination, input.destination);
    const body: OriginateRequest = {
      caller: destination.caller,
      called: udeskCalledNumber(input.phone, destination.calledFormat, destination.homeCountryCode),
      called_display: destination.calledDisplay,
      agent_id: destination.agentId,
      ...(destination.userData ? { user_data: destination.userData } : {}),
    };
    const api = 'originatev2';
    const answer = await send({ config: this.#config, now: this.#now, api, method: 'POST', path: PATHS.originate, body, signal: input.signal });
    const data = parse(api, OriginateAnswer, answer);
    const vendorCallId = data.results;
    // originatev2 rings the agent first: for the visitor the call is waiting for an agent.
    const queued: VendorEvent = {
      vendorCallId,
      type: 'queued',
      message: 'Finding an agent for you.',
      vendorEventId: `udesk:${vendorCallId}:originatev2`,
      occurredAt: this.#now(),
    };
    return { vendorCallId, events: [queued] };
  }

  /** The document has no server-side hang-up (only the agent client's `hangup`): nothing to drop. */
  async hangup(_vendorCallId: string): Promise<{ dropped: boolean }> {
    return { dropped: false };
  }

  async webhook(request: WebhookRequest): Promise<{ events: VendorEvent[]; reply?: { status: number; body: string; contentType?: string } }> {
    const { parsed, items } = itemsOf(request.body, undefined);
    const auth = CallbackAuth.safeParse(callbackAuthOf(request, parsed));
    if (!auth.success) throw new C2CError(ErrorCode.Unauthorized, 'udesk callback without Timestamp, AppId and Sign');
    const { Timestamp: timestamp, AppId: appId, Sign: sign } = auth.data;
    if (!sameText(appId, this.#config.appId)) throw new C2CError(ErrorCode.Unauthorized, 'udesk callback for another AppId');
    const expected = udeskCallbackSign(this.#config.appId, this.#config.secret, timestamp);
    if (!sameText(sign.toLowerCase(), expected)) throw new C2CError(ErrorCode.Unauthorized, 'udesk callback signature does not match');
    // The document says seconds; a millisecond value is read as such rather than refused.
    const signedAt = epochMs(timestamp);
    const skewMs = this.#config.webhookMaxSkewSeconds * 1000;
    const now = this.#now();
    if (signedAt === undefined || signedAt < now - skewMs) throw new C2CError(ErrorCode.Unauthorized, 'udesk callback timestamp is stale');
    if (signedAt > now + skewMs) throw new C2CError(ErrorCode.Unauthorized, 'udesk callback timestamp is in the future');

    if (items.length === 0 && request.body.trim() !== '') this.#log.warn('udesk webhook: body not understood; ignored', request.body.slice(0, 200));
    const events: VendorEvent[] = [];
    for (const item of items) {
      try {
        const event = mapUdeskEvent(item, signedAt, this.#log);
        if (event) events.push(event);
      } catch (error) {
        this.#log.warn('udesk webhook: event could not be read; ignored', error);
      }
    }
    return { events, reply: WEBHOOK_REPLY };
  }
}

export interface SubscribeWebhookOptions {
  /**
   * `subscriptions` (default): the message subscription API, which carries the callback URL.
   * `app`: sets the application's CallbackUrl (`PUT apps`) and appends the events with the event
   * subscription API (`POST webhooks/events`, category `call`).
   */
  via?: 'subscriptions' | 'app';
  /** The subscription's name (subscriptions API). */
  name?: string;
  now?: () => number;
  signal?: AbortSignal;
}

export interface SubscribeWebhookResult {
  via: 'subscriptions' | 'app';
  events: string[];
  /** The subscription id udesk assigned (subscriptions API). */
  subscriptionId?: string;
}

/** Subscribes `callbackUrl` to the call events (for the CLI). Throws C2CError on refusal. */
export async function subscribeWebhook(
  config: UdeskConfig,
  callbackUrl: string,
  events: readonly string[] = DEFAULT_SUBSCRIBED_EVENTS,
  options: SubscribeWebhookOptions = {},
): Promise<SubscribeWebhookResult> {
  const url = z.url({ protocol: /^https?$/ }).safeParse(callbackUrl);
  if (!url.success) throw new C2CError(ErrorCode.InvalidRequest, `'${callbackUrl}' is not an http(s) URL`);
  const now = options.now ?? Date.now;
  const via = options.via ?? 'subscriptions';
  const common = { config, now, signal: options.signal };
  if (via === 'subscriptions') {
    const name = options.name ?? 'click-to-call';
    const api = 'subscriptions';
    const answer = await send({
      ...common,
      api,
      method: 'POST',
      path: PATHS.subscriptions,
      body: { subscriptions: [{ callback: callbackUrl, name, events: [...events] }] },
    });
    const data = parse(api, SubscriptionsAnswer, answer);
    const ok = data.Result?.sub_succ?.find((s) => s.name === name);
    if (!ok || data.Result?.sub_fail?.includes(name)) {
      throw new C2CError(ErrorCode.VendorRejected, `udesk refused the subscription '${name}'`);
    }
    return { via, events: [...events], subscriptionId: String(ok.id) };
  }
  const known = new Set<string>(CALL_CATEGORY_EVENTS);
  const callEvents = events.filter((e) => known.has(e));
  parse('apps', Envelope, await send({ ...common, api: 'apps', method: 'PUT', path: PATHS.apps, body: { AppId: config.appId, CallbackUrl: callbackUrl } }));
  parse('webhooks/events', Envelope, await send({
    ...common,
    api: 'webhooks/events',
    method: 'POST',
    path: PATHS.webhookEvents,
    body: { Events: [{ category: 'call', all_type: callEvents }] },
  }));
  return { via, events: callEvents };
}
