/**
 * What Sarv (DeepCall) click-to-call answers and what its Push Report webhook sends (seed 003
 * and vendors/callback-vendors.md). Lenient on purpose: the seed's success key is `callid`
 * while integrators read `callId`, codes may come as strings or numbers, every report field
 * but the call id may be missing or null, and unknown fields pass.
 */
import * as z from 'zod';

export const SARV_PATHS = {
  clickToCall: '/v2/clickToCall/para',
} as const;

/** The body a Push Report receiver must answer with; Sarv only activates URLs that do. */
export const SARV_WEBHOOK_REPLY = 'GODBLESSYOU';

const Text = z.union([z.string(), z.number()]).transform(String);
const OptionalText = Text.optional().nullable().transform((v) => (v === null || v === undefined || v === '' ? undefined : v));
/** In reports null means "nobody / nothing": kept apart from a field that is absent. */
const ReportText = Text.optional().nullable().transform((v) => (v === '' ? null : v));
const ReportNumber = z
  .union([z.number(), z.string()])
  .optional()
  .nullable()
  .transform((v) => {
    if (v === null || v === undefined) return v;
    if (v === '') return null;
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : null;
  });

/**
 * The answer of POST /v2/clickToCall/para. Success: `{ callid, status: "success", code: "200" }`;
 * error: `{ message, status: "error", code: "1509" }`.
 */
export const SarvStartAnswer = z
  .looseObject({
    status: OptionalText,
    code: OptionalText,
    message: OptionalText,
    callid: OptionalText,
    callId: OptionalText,
  })
  .transform(({ status, code, message, callid, callId }) => ({
    status: status?.toLowerCase(),
    code,
    message,
    callId: callid ?? callId,
  }));
export type SarvStartAnswer = z.output<typeof SarvStartAnswer>;

/**
 * One Push Report: a CDR sent once per call after it ends. Field names are the documented
 * ones (deepcall.com/api/push-report-webhook); `callStatus` is an integer whose meanings are
 * not published. Fields marked [inf] are not documented but tolerated when present.
 */
export const SarvPushReport = z
  .looseObject({
    callId: ReportText,
    /** [inf] some payloads may spell it like the start answer. */
    callid: ReportText,
    callStatus: ReportText,
    /** CTC for click-to-call; also IBD, OBD, QC, BRD, POOL, MASK, FLASH. */
    cType: ReportText,
    DID: ReportText,
    campId: ReportNumber,
    /** "YYYY-MM-DD HH:MM:SS", 24 h, in the account's time zone. */
    ivrSTime: ReportText,
    ivrETime: ReportText,
    ivrDuration: ReportNumber,
    userId: ReportText,
    /** CTC: the answered number of `to` when toType is Number. */
    cNumber: ReportText,
    /** CTC: the answered number of `from`. */
    masterNumCTC: ReportText,
    /** The agent who attended first (0 or absent: none). */
    masterAgent: ReportNumber,
    masterAgentNumber: ReportText,
    masterGroupId: ReportNumber,
    /** Category of whoever answered first; null when nobody answered. */
    firstAttended: ReportText,
    firstAnswerTime: ReportText,
    lastHangupTime: ReportText,
    /** [inf] explicit talk-time fields some accounts may carry. */
    talkDuration: ReportNumber,
    talkTime: ReportNumber,
  })
  .transform(({ callId, callid, ...rest }) => ({ ...rest, callId: callId ?? callid ?? undefined }));
export type SarvPushReport = z.output<typeof SarvPushReport>;

/** The form-encoded variant seen in the wild: `push_report=<JSON text>`. */
export const SarvPushReportForm = z.object({ push_report: z.string() });

export class PushReportBodyError extends Error {
  override readonly name = 'PushReportBodyError';
}

/**
 * Turns a Push Report request body into the decoded JSON value (one report, or a list [inf]).
 * Form-encoded when the content type says so or the body starts with `push_report=`; JSON
 * otherwise. An empty body (the panel's activation check [inf]) gives `undefined`.
 * Throws PushReportBodyError when the body cannot be read.
 */
export function decodePushReportBody(body: string, contentType = ''): unknown {
  const text = body.trim();
  if (text === '') return undefined;
  const isForm = /application\/x-www-form-urlencoded/i.test(contentType) || /^push_report=/.test(text);
  let json = text;
  if (isForm) {
    const form = SarvPushReportForm.safeParse(Object.fromEntries(new URLSearchParams(text)));
    if (!form.success) throw new PushReportBodyError('form body without a push_report field');
    json = form.data.push_report.trim();
    if (json === '') return undefined;
  }
  try {
    return JSON.parse(json) as unknown;
  } catch (cause) {
    throw new PushReportBodyError('push report is not valid JSON', { cause });
  }
}
