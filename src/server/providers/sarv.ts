/**
 * Sarv (DeepCall) click-to-call, as a callback vendor: Sarv rings the visitor (`from`, always
 * a Number) and, once the visitor answers, the destination (`to`: a number, agent or group).
 * The user id and campaign token stay here. There is no live progress and no drop API: the
 * only news after the start is the Push Report webhook, one CDR per call after it ends.
 * That webhook carries no signature, so the route is protected by a long secret of ours in
 * its path or `?token=`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import * as z from 'zod';
import { ErrorCode } from '../../protocol/errors.ts';
import { C2CError, type CallbackStart, vendorDestination, type CallbackProvider, type VendorEvent, type WebhookRequest } from '../provider.ts';
import {
  decodePushReportBody,
  PushReportBodyError,
  SARV_PATHS,
  SARV_WEBHOOK_REPLY,
  SarvPushReport,
  SarvStartAnswer,
} from './sarv-schemas.ts';

const NumberFormat = z.enum(['e164', 'national', 'digits']);
export type SarvNumberFormat = z.output<typeof NumberFormat>;

/** What a raw `callStatus` means, when the site owner knows their account's values. */
const CallStatusMeaning = z.enum(['answered', 'no-answer', 'busy', 'failed']);
export type SarvCallStatusMeaning = z.output<typeof CallStatusMeaning>;

export const SarvConfig = z.object({
  /** Sarv's API host; tests point it at the simulator. */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://s-ct3.sarv.com')
    .transform((url) => url.replace(/\/+$/, '')),
  /** The account's user id (`user_id`). */
  userId: z.string().min(1),
  /** The click-to-call campaign token (`token`). A secret: never sent to a browser. */
  token: z.string().min(1),
  /**
   * Secret part of the Push Report URL we give Sarv's panel: `.../webhooks/sarv/<secret>` or
   * `...?token=<secret>`. Without it the webhook route refuses every request.
   */
  webhookSecret: z.string().min(32, 'webhookSecret must be a long random string (32+ characters)').optional(),
  /**
   * How the visitor's E.164 number is sent in `from`: `+919876543210` (e164),
   * `9876543210` (national) or `919876543210` (digits). Which forms Sarv accepts is not
   * documented; its reports show digits.
   */
  numberFormat: NumberFormat.default('digits'),
  requestTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  /**
   * Push Report `callStatus` values and what they mean for this account (e.g. `{"3": "busy"}`).
   * Sarv does not publish them; without an entry the outcome is read from the documented
   * answer fields.
   */
  callStatusMeanings: z.record(z.string(), CallStatusMeaning).default({}),
});
export type SarvConfig = z.output<typeof SarvConfig>;
export type SarvConfigInput = z.input<typeof SarvConfig>;

const RingTime = z.number().int().min(0).max(50);
const RetryCount = z.number().int().min(0).max(3);
const ShortText = z.string().min(1).max(50);

/** One button's destination at Sarv. The visitor is always `from` with fromType Number. */
export const SarvDestination = z.object({
  /** Number(s), agent id(s) or one group id; several comma-separated with toStrategy. */
  to: z.string().min(1).max(200),
  toType: z.enum(['Number', 'Agent', 'Group']).default('Number'),
  toStrategy: z.enum(['ONE_BY_ONE', 'TO_ALL']).optional(),
  /** Seconds the visitor's phone rings (Sarv: default 30, at most 50). */
  fromRingTime: RingTime.optional(),
  /** Seconds the destination rings (Sarv: default 30, at most 50). */
  toRingTime: RingTime.optional(),
  /** Talk-time limit in seconds; ring times not included. */
  timeLimit: z.number().int().min(0).optional(),
  timeLimitHangup: z.boolean().optional(),
  /** Seconds of talk time at which an announcement plays; sent as `timeLimtAlert` (Sarv's spelling). */
  timeLimitAlert: z.array(z.number().int().positive()).min(1).optional(),
  /** Announcement id(s) for timeLimitAlert. */
  alertAudio: ShortText.optional(),
  /** Announcement id the visitor hears while the destination rings. */
  ringTone: ShortText.optional(),
  fromRetryCount: RetryCount.optional(),
  toRetryCount: RetryCount.optional(),
  /** Agent state filters when toType is Agent or Group (values as Sarv's panel names them). */
  toWebLogin: ShortText.optional(),
  toCallLogin: ShortText.optional(),
  /** Caller id shown on the visitor's phone: one of the account's CLIs. */
  fromCLI: ShortText.optional(),
  sticky: ShortText.optional(),
  stickyTimeType: ShortText.optional(),
  stickyTimeValue: z.number().int().positive().optional(),
  stickyAgentBusy: ShortText.optional(),
  queueTimeout: z.number().int().positive().optional(),
  /** Per-destination override of the provider's numberFormat. */
  numberFormat: NumberFormat.optional(),
});
export type SarvDestination = z.output<typeof SarvDestination>;
export type SarvDestinationInput = z.input<typeof SarvDestination>;

export interface SarvProviderOptions {
  /** Overrides config.requestTimeoutMs. */
  requestTimeoutMs?: number;
  /** Clock for the ringing event's occurredAt. */
  now?: () => number;
}

/**
 * How each documented error class is answered:
 * - auth: the account credentials (site owner's problem);
 * - visitor-number: something is wrong with the visitor's number (`from`);
 * - no-agent: nobody at the destination can take the call now;
 * - dnd-from / dnd-to: a Do-Not-Disturb registered number;
 * - unavailable: Sarv itself is in trouble, a retry may work;
 * - config: the request the destination config produced was refused.
 */
type SarvErrorKind = 'auth' | 'visitor-number' | 'no-agent' | 'dnd-from' | 'dnd-to' | 'unavailable' | 'config';

/** Seed 003's error table, code by code: [kind, the document's meaning]. */
export const SARV_ERRORS: Readonly<Record<string, readonly [SarvErrorKind, string]>> = {
  1002: ['auth', 'UserId not provided'],
  1013: ['auth', 'Invalid user id'],
  1014: ['auth', 'Token not found'],
  1020: ['auth', 'Invalid token'],
  1501: ['unavailable', 'Connection Issue'],
  1502: ['config', 'fromType empty'],
  1503: ['config', 'fromType Invalid'],
  1504: ['config', 'toType empty'],
  1505: ['config', 'toType Invalid'],
  1506: ['config', 'from parameter not found'],
  1507: ['config', 'to parameter not found'],
  1508: ['visitor-number', 'invalid mobile number in from parameter'],
  // `to` is the site owner's destination, not the visitor: a config problem.
  1509: ['config', 'invalid mobile number in to parameter'],
  1510: ['visitor-number', 'Duplicate Mobile Number exists in from parameter'],
  1511: ['config', 'Duplicate Mobile Number exists in to parameter'],
  1512: ['config', 'Invalid Agent Id in from parameter'],
  1513: ['config', 'Invalid Agent Id in to parameter'],
  1514: ['config', 'Duplicate Agent Id Exists in from parameter'],
  1515: ['config', 'Duplicate Agent Id Exists in to parameter'],
  1516: ['config', 'Multiple Group Ids found in from parameter'],
  1517: ['config', 'Multiple Group Ids found in to parameter'],
  1518: ['config', 'Invalid Group Id in from parameter'],
  1519: ['config', 'Invalid Group Id in to parameter'],
  // The visitor typed the destination's own number.
  1520: ['visitor-number', 'Same value exists in from and to parameters'],
  1521: ['config', 'from and to are empty'],
  1522: ['config', 'fromStrategy invalid'],
  1523: ['config', 'toStrategy invalid'],
  1524: ['config', 'fromRingTime value invalid'],
  1525: ['config', 'negative value not allowed for fromRingTime'],
  1526: ['config', 'toRingTime value invalid'],
  1527: ['config', 'negative value not allowed for toRingTime'],
  1528: ['config', 'fromRetryCount value invalid'],
  1529: ['config', 'negative value not allowed for fromRetryCount'],
  1530: ['config', 'toRetryCount value invalid'],
  1531: ['config', 'negative value not allowed for toRetryCount'],
  1532: ['config', 'timeLimit empty'],
  1533: ['config', 'negative value not allowed for timeLimit'],
  1534: ['config', 'timeLimit value invalid'],
  1535: ['config', 'ringTone invalid announcement id'],
  // The login-state filters matched nobody: no agent is logged in as required right now.
  1536: ['no-agent', 'fromWebLogin none of the agents have this state'],
  1537: ['no-agent', 'fromWebLogin none of the agents from group have this state'],
  1538: ['no-agent', 'fromCallLogin none of the agents have this state'],
  1539: ['config', 'Invalid format'],
  1540: ['no-agent', 'fromCallLogin none of the agents from group have this state'],
  1541: ['no-agent', 'toWebLogin none of the agents have this state'],
  1542: ['no-agent', 'toWebLogin none of the agents from group have this state'],
  1543: ['no-agent', 'toCallLogin none of the agents have this state'],
  1544: ['no-agent', 'toCallLogin none of the agents from group have this state'],
  1545: ['config', 'timeLimitAlert invalid'],
  1546: ['config', 'alertAudio invalid announcement id'],
  1547: ['config', 'timeLimitAlert must be less than from timeLimit'],
  1548: ['config', 'crossed maximum limit of fromRetryCount'],
  1549: ['config', 'crossed maximum limit of toRetryCount'],
  1550: ['config', 'crossed maximum limit of fromRingTime'],
  1551: ['config', 'crossed maximum limit of toRingTime'],
  1552: ['config', 'crossed maximum limit of from parameter'],
  1553: ['config', 'crossed maximum limit of to parameter'],
  1554: ['config', 'invalid CLI in fromCLI'],
  1555: ['config', 'invalid CLI in toCLI'],
  1556: ['config', 'since fromStrategy=TO_ALL, so fromCallLogin filter will not work'],
  1557: ['config', 'since toStrategy=TO_ALL, so toCallLogin filter will not work'],
  1558: ['config', 'Sticky will only work if out of toType and fromType at-least one have number as value,not both'],
  1559: ['config', 'invalid value of stickyTimeType'],
  1560: ['config', 'invalid value of stickyTimeValue. It must be an integer'],
  1561: ['config', 'sticky parameter must be set for stickyTimeType, stickyTimeValue and stickyAgentBusy'],
  1562: ['config', 'invalid value of stickyAgentBusy'],
  1563: ['config', 'invalid value of queueTimeout. It must be an integer'],
  1564: ['config', 'invalid fromWebLogin value'],
  1565: ['config', 'invalid fromCallLogin value'],
  // Listed twice with this text in the seed; probably meant toWebLogin.
  1566: ['config', 'invalid fromWebLogin value'],
  1567: ['config', 'invalid toCallLogin value'],
  1568: ['config', 'queueTimeout will only work if out of toType and fromType at-least one have group as value'],
  1569: ['config', 'Value length exceed 50 characters'],
  1570: ['config', 'Invalid DND Filter Value, valid:from/to/both'],
  1571: ['config', 'Invalid From Type for DND Checking'],
  1572: ['config', 'Invalid To Type for DND Checking'],
  1573: ['dnd-from', 'DND number exists in from'],
  1574: ['dnd-to', 'DND number exists in to'],
  1575: ['unavailable', 'connection Error in DND Api'],
  1576: ['config', 'Multiple values not allowed in from'],
  1577: ['config', 'Multiple values not allowed in to'],
  1578: ['no-agent', 'From-Agent is not available'],
  1579: ['no-agent', 'To-Agent is not available'],
  1580: ['config', 'Invalid fromType for AGENT_CLI'],
  1581: ['config', 'Invalid toType for AGENT_CLI'],
  1582: ['config', 'From-AGENT_CLI not found'],
  1583: ['config', 'To-AGENT_CLI not found'],
  1584: ['config', 'There should be at-least one agent either in TO or FROM'],
  1585: ['config', 'fromCLI can not be set as AGENT_CLI if toType is group'],
};

/** The C2CError a Sarv error code becomes; unknown codes are refusals. */
export function sarvError(code: string | undefined, vendorMessage?: string): C2CError {
  const entry = code === undefined ? undefined : SARV_ERRORS[code];
  const meaning = entry?.[1] ?? vendorMessage ?? 'no description';
  const tag = `Sarv ${code ?? 'error'}: ${meaning}`;
  switch (entry?.[0]) {
    case 'auth':
      return new C2CError(
        ErrorCode.VendorRejected,
        `Sarv refused the account credentials (${tag}). The site owner must check the Sarv userId and token in the server configuration.`,
      );
    case 'visitor-number':
      return new C2CError(ErrorCode.InvalidPhoneNumber, `The call service did not accept this phone number (${tag}).`, { status: 400 });
    case 'no-agent':
      return new C2CError(ErrorCode.NoAgentAvailable, `No agent is available to take the call right now (${tag}).`);
    case 'dnd-from':
      return new C2CError(
        ErrorCode.VendorRejected,
        `Your phone number is registered as Do Not Disturb (DND), so the call service may not call it (${tag}).`,
      );
    case 'dnd-to':
      return new C2CError(
        ErrorCode.VendorRejected,
        `The destination number of this button is registered as Do Not Disturb (DND), so the call service refused to call it (${tag}).`,
      );
    case 'unavailable':
      return new C2CError(ErrorCode.VendorUnavailable, `The call service is having trouble; please try again (${tag}).`);
    case 'config':
      return new C2CError(ErrorCode.VendorRejected, `The call service refused this button's configuration (${tag}).`);
    default:
      return new C2CError(ErrorCode.VendorRejected, `The call service refused the call (${tag}).`);
  }
}

/** The visitor's E.164 number in the form this account sends to Sarv. */
export function formatSarvNumber(e164: string, format: SarvNumberFormat): string {
  if (!/^\+[1-9]\d{5,14}$/.test(e164)) {
    throw new C2CError(ErrorCode.InvalidPhoneNumber, 'This phone number is not in international form.', { status: 400 });
  }
  switch (format) {
    case 'e164':
      return e164;
    case 'digits':
      return e164.slice(1);
    case 'national': {
      const parsed = parsePhoneNumberFromString(e164);
      if (!parsed) throw new C2CError(ErrorCode.InvalidPhoneNumber, 'This phone number is not valid.', { status: 400 });
      return String(parsed.nationalNumber);
    }
  }
}

/** Constant-time equality that also hides the length of the expected secret. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Query parameters exactly as seed 003 names them, in the documented order. */
export function sarvQuery(config: Pick<SarvConfig, 'userId' | 'token'>, destination: SarvDestination, from: string): URLSearchParams {
  const q = new URLSearchParams();
  q.set('user_id', config.userId);
  q.set('token', config.token);
  q.set('from', from);
  q.set('to', destination.to);
  q.set('fromType', 'Number');
  q.set('toType', destination.toType);
  const optional: Array<[string, string | number | boolean | undefined]> = [
    ['toStrategy', destination.toStrategy],
    ['fromRingTime', destination.fromRingTime],
    ['toRingTime', destination.toRingTime],
    ['timeLimit', destination.timeLimit],
    ['timeLimitHangup', destination.timeLimitHangup],
    ['timeLimtAlert', destination.timeLimitAlert?.join(',')],
    ['alertAudio', destination.alertAudio],
    ['ringTone', destination.ringTone],
    ['fromRetryCount', destination.fromRetryCount],
    ['toRetryCount', destination.toRetryCount],
    ['toWebLogin', destination.toWebLogin],
    ['toCallLogin', destination.toCallLogin],
    ['fromCLI', destination.fromCLI],
    ['sticky', destination.sticky],
    ['stickyTimeType', destination.stickyTimeType],
    ['stickyTimeValue', destination.stickyTimeValue],
    ['stickyAgentBusy', destination.stickyAgentBusy],
    ['queueTimeout', destination.queueTimeout],
  ];
  for (const [name, value] of optional) if (value !== undefined) q.set(name, String(value));
  return q;
}

/** "YYYY-MM-DD HH:MM:SS" -> epoch ms, read in the account's zone (offset minutes). */
function parseSarvTime(text: string | null | undefined, offsetMinutes: number): number | undefined {
  const m = text ? /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text.trim()) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isFinite(utc) ? utc - offsetMinutes * 60_000 : undefined;
}

/** [inf] Sarv's accounts are Indian; reports carry local times without a zone. */
const IST_OFFSET_MINUTES = 330;

/**
 * [inf] Textual statuses some accounts might send instead of integers (dial-status style).
 * Only used when the site owner's callStatusMeanings has no entry.
 */
function textualMeaning(status: string): SarvCallStatusMeaning | undefined {
  const s = status.toLowerCase();
  if (/busy/.test(s)) return 'busy';
  if (/no.?answer|not.?answered|missed|unanswered/.test(s)) return 'no-answer';
  if (/fail|cancel|congest|reject|error/.test(s)) return 'failed';
  if (/answer|complete|connected|success/.test(s)) return 'answered';
  return undefined;
}

const filled = (v: string | null | undefined): boolean => typeof v === 'string' && v.trim() !== '' && v.trim().toLowerCase() !== 'null';

/**
 * Maps one Push Report of a click-to-call to the final event.
 *
 * Documented: `masterNumCTC` is the answered number of `from` (the visitor), `cNumber` the
 * answered number of `to` when toType is Number, `masterAgent` the agent who attended first,
 * `firstAttended` null when nobody answered, `firstAnswerTime`..`lastHangupTime` the call
 * itself. A field present as null means "nobody"; an absent field means "not told".
 * `callStatus` meanings are not published [gap]: only the site owner's callStatusMeanings and
 * [inf] textual forms are trusted; an unknown integer falls through to the fields above.
 *
 * Outcome: the destination answered (or, when no destination field is present, talk time
 * > 0) -> ended/completed; the visitor did not answer -> failed/call-failed; the visitor
 * answered but nobody at the destination did -> failed/no-agent-available; busy -> failed.
 */
export function mapSarvReport(
  report: SarvPushReport & { callId: string },
  callStatusMeanings: Readonly<Record<string, SarvCallStatusMeaning>> = {},
): VendorEvent {
  const base = { vendorCallId: report.callId, vendorEventId: `sarv:${report.callId}:report` };
  const occurredAt = parseSarvTime(report.lastHangupTime ?? report.ivrETime, IST_OFFSET_MINUTES);
  const at = occurredAt === undefined ? {} : { occurredAt };
  const status = report.callStatus ?? undefined;
  const meaning = status === undefined ? undefined : (callStatusMeanings[status] ?? textualMeaning(status));

  const visitorFields = [report.masterNumCTC, report.firstAttended, report.firstAnswerTime];
  const visitorKnown = visitorFields.some((v) => v !== undefined);
  const visitorAnswered = visitorFields.some(filled);
  const agentKnown = report.cNumber !== undefined || report.masterAgent !== undefined || report.masterAgentNumber !== undefined;
  const agentAnswered = filled(report.cNumber) || (report.masterAgent ?? 0) > 0 || filled(report.masterAgentNumber);

  const answeredAt = parseSarvTime(report.firstAnswerTime, 0);
  const hungUpAt = parseSarvTime(report.lastHangupTime, 0);
  const talkSeconds = report.talkDuration ?? report.talkTime
    ?? (answeredAt !== undefined && hungUpAt !== undefined ? (hungUpAt - answeredAt) / 1000 : undefined);

  const failed = (code: ErrorCode, message: string, reason: string): VendorEvent => ({ ...base, ...at, type: 'failed', code, message, reason });
  const noAnswer = () => failed(ErrorCode.CallFailed, 'We called your phone, but the call was not answered.', 'no-answer');

  if (meaning === 'busy') return failed(ErrorCode.CallFailed, 'Your line was busy, so we could not connect the call.', 'busy');
  if (meaning === 'failed') return failed(ErrorCode.CallFailed, 'The call could not be completed.', 'failed');
  if (meaning !== 'no-answer') {
    const connected = agentKnown ? agentAnswered : (talkSeconds ?? 0) > 0 || (meaning === 'answered' && talkSeconds === undefined);
    if (connected) return { ...base, ...at, type: 'ended', reason: 'completed' };
  }
  if (visitorKnown && !visitorAnswered) return noAnswer();
  if (visitorAnswered && agentKnown && !agentAnswered) {
    return failed(ErrorCode.NoAgentAvailable, 'No agent answered the call. Please try again later.', 'agent-no-answer');
  }
  if (meaning === 'no-answer') return noAnswer();
  return failed(ErrorCode.CallFailed, 'The call could not be completed.', 'unknown');
}

export class SarvProvider implements CallbackProvider {
  readonly name = 'sarv' as const;
  readonly modes = ['callback'] as const;
  readonly canSchedule = false;
  readonly #config: SarvConfig;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(config: SarvConfig, options: SarvProviderOptions = {}) {
    this.#config = config;
    this.#timeoutMs = options.requestTimeoutMs ?? config.requestTimeoutMs;
    this.#now = options.now ?? Date.now;
  }

  async startCall(input: CallbackStart): Promise<{ vendorCallId: string; events?: VendorEvent[] }> {
    if (input.scheduledAt !== undefined) {
      throw new C2CError(ErrorCode.NotSupported, 'Sarv click-to-call cannot book a call for later.');
    }
    const destination = vendorDestination('Sarv', SarvDestination, input.destination);
    const from = formatSarvNumber(input.phone, destination.numberFormat ?? this.#config.numberFormat);
    const query = sarvQuery(this.#config, destination, from);
    const url = `${this.#config.baseUrl}${SARV_PATHS.clickToCall}?${query.toString()}`;

    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = input.signal ? AbortSignal.any([timeout, input.signal]) : timeout;
    let status: number;
    let text: string;
    try {
      // No retry: Sarv may already be ringing the visitor when an answer is lost.
      const response = await fetch(url, { method: 'POST', headers: { 'cache-control': 'no-cache' }, redirect: 'error', signal });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      const timedOut = timeout.aborted;
      const cancelled = !timedOut && input.signal?.aborted === true;
      throw new C2CError(
        ErrorCode.VendorUnavailable,
        timedOut
          ? `Sarv click-to-call did not answer within ${this.#timeoutMs} ms`
          : cancelled
            ? 'The Sarv click-to-call request was cancelled'
            : 'Sarv click-to-call could not be reached',
        { cause },
      );
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      if (status >= 500 || status === 408 || status === 429) {
        throw new C2CError(ErrorCode.VendorUnavailable, `Sarv click-to-call is unavailable (HTTP ${status})`, { cause });
      }
      if (status < 200 || status >= 300) {
        throw new C2CError(ErrorCode.VendorRejected, `Sarv click-to-call refused the request (HTTP ${status})`, { cause });
      }
      throw new C2CError(ErrorCode.InvalidResponse, 'Sarv click-to-call answered with malformed JSON', { cause });
    }
    const answer = SarvStartAnswer.safeParse(json);
    if (!answer.success) {
      if (status >= 500) throw new C2CError(ErrorCode.VendorUnavailable, `Sarv click-to-call is unavailable (HTTP ${status})`);
      throw new C2CError(ErrorCode.InvalidResponse, 'Sarv click-to-call answered with an unexpected body', { cause: answer.error });
    }
    const data = answer.data;
    const ok = data.status === 'success' || (data.status === undefined && data.code === '200');
    if (!ok) {
      if (data.status === 'error' || (data.code !== undefined && data.code !== '200')) throw sarvError(data.code, data.message);
      if (status >= 500) throw new C2CError(ErrorCode.VendorUnavailable, `Sarv click-to-call is unavailable (HTTP ${status})`);
      throw new C2CError(ErrorCode.InvalidResponse, 'Sarv click-to-call answered without a status');
    }
    if (!data.callId) throw new C2CError(ErrorCode.InvalidResponse, 'Sarv click-to-call said success without a call id');
    if (status < 200 || status >= 300) {
      throw new C2CError(ErrorCode.InvalidResponse, `Sarv click-to-call said success with HTTP ${status}`);
    }
    // Sarv rings `from` (the visitor) first.
    return {
      vendorCallId: data.callId,
      events: [{ vendorCallId: data.callId, type: 'ringing', vendorEventId: `sarv:${data.callId}:ringing`, occurredAt: this.#now() }],
    };
  }

  /** Sarv documents no way to drop a click-to-call once placed. */
  async hangup(_vendorCallId: string): Promise<{ dropped: boolean }> {
    return { dropped: false };
  }

  /**
   * A Push Report. The secret comes first (path `/<secret>` or `?token=<secret>`); then the
   * body, JSON or form-encoded `push_report`. An empty body, an empty report (`{}`, seen when
   * the panel has no template) and reports of other call types (inbound, OBD...) are
   * acknowledged without events, so Sarv keeps the URL active.
   */
  async webhook(request: WebhookRequest): Promise<{ events: VendorEvent[]; reply: { status: number; body: string; contentType: string } }> {
    const secret = this.#config.webhookSecret;
    if (!secret) {
      throw new C2CError(ErrorCode.Unauthorized, 'The Sarv webhook is disabled: set providers.sarv.webhookSecret and give Sarv the URL with it.');
    }
    const fromPath = request.path.replace(/^\/+|\/+$/g, '');
    const given = fromPath !== '' ? decodeURIComponentSafe(fromPath) : (request.query.token ?? '');
    if (!sameSecret(given, secret)) throw new C2CError(ErrorCode.Unauthorized, 'Sarv webhook: wrong or missing secret');

    const reply = { status: 200, body: SARV_WEBHOOK_REPLY, contentType: 'text/plain' };
    const contentType = headerOf(request.headers, 'content-type');
    let decoded: unknown;
    try {
      decoded = decodePushReportBody(request.body, contentType);
    } catch (cause) {
      const detail = cause instanceof PushReportBodyError ? cause.message : 'unreadable body';
      throw new C2CError(ErrorCode.InvalidRequest, `Sarv push report rejected: ${detail}`, { cause });
    }
    if (decoded === undefined) return { events: [], reply };
    const items = Array.isArray(decoded) ? decoded : [decoded];
    const events: VendorEvent[] = [];
    for (const item of items) {
      if (isEmptyObject(item)) continue;
      const parsed = SarvPushReport.safeParse(item);
      if (!parsed.success) {
        throw new C2CError(ErrorCode.InvalidRequest, 'Sarv push report rejected: not a report object', { cause: parsed.error });
      }
      const report = parsed.data;
      if (typeof report.cType === 'string' && report.cType.toUpperCase() !== 'CTC') continue;
      const callId = report.callId;
      if (!callId) throw new C2CError(ErrorCode.InvalidRequest, 'Sarv push report rejected: no callId');
      events.push(mapSarvReport({ ...report, callId }, this.#config.callStatusMeanings));
    }
    return { events, reply };
  }
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

function headerOf(headers: Record<string, string>, name: string): string {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return '';
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
