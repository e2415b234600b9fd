/**
 * What Google CCAI Platform (formerly UJET) Apps API says and expects, for the calls endpoint
 * (seed 002) and the "External session events" push (vendors/callback-vendors.md). Lenient where
 * the documents are loose: ids may be numbers or strings, extra fields pass, the JSON spelling of
 * multi-word statuses is not documented (snake_case and Title Case are both read).
 */
import * as z from 'zod';

export const CCAI_PATHS = {
  calls: '/apps/api/v1/calls',
} as const;

/** `GET /apps/api/v1/calls/:id`: implied by the call object, not shown on the page [gap]. */
export function ccaiCallPath(id: string): string {
  return `${CCAI_PATHS.calls}/${encodeURIComponent(id)}`;
}

/** The documented call_type values we send. The deprecated aliases (IncomingCall, ScheduledCall) are never sent. */
export const CCAI_CALL_TYPE = {
  inbound: 'Voice Inbound (API)',
  scheduled: 'Voice Scheduled (API)',
} as const;

export const RECORDING_PERMISSIONS = [
  'recording_permission_not_asked',
  'recording_permission_denied',
  'recording_permission_granted',
] as const;

/** The provider's block of the endpoint configuration. */
export const CcaiConfig = z.object({
  /** `https://{subdomain}.{domain}`; tests point it at the simulator. */
  baseUrl: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
  /** Settings → Developer Settings → API Credentials: the user name (company key). */
  companyKey: z.string().min(1),
  /** … and its API token (company secret). */
  companySecret: z.string().min(1),
  /** Per-request timeout (waiting for the rate limiter is not counted). */
  requestTimeoutMs: z.number().int().min(1).max(120_000).optional(),
  /** How often watch() reads one call back. */
  pollIntervalMs: z.number().int().min(1).max(60_000).default(1000),
  /**
   * Requests per second for ALL calls of this provider instance. CCAI documents 10 per second
   * per customer; lower it when other integrations share the tenant's budget.
   */
  maxRequestsPerSecond: z.number().positive().max(1000).default(10),
  /** Basic credentials we chose for the External session events push (Session Data Export). */
  pushUsername: z.string().min(1).optional(),
  pushPassword: z.string().min(1).optional(),
});
export type CcaiConfig = z.output<typeof CcaiConfig>;
export type CcaiConfigInput = z.input<typeof CcaiConfig>;

/**
 * One destination. `menu_id` is documented as an integer (the id of a leaf menu); a numeric
 * string from a JSON/env config is accepted and sent as a number, since `"menu_999"` is
 * documented to fail with "menu_id is not well formed".
 */
export const CcaiDestination = z.object({
  menuId: z.union([
    z.number().int().positive(),
    z.string().regex(/^\d{1,15}$/, 'menuId must be the numeric id of a CCAI menu').transform(Number),
  ]),
  /** ISO 639-1, documented default "en". */
  lang: z.string().regex(/^[a-z]{2}$/, 'lang must be an ISO 639-1 code such as "en"').default('en'),
  /** Sent only when set; evaluated by CCAI only when the queue asks users for permission. */
  recordingPermission: z.enum(RECORDING_PERMISSIONS).optional(),
});
export type CcaiDestination = z.output<typeof CcaiDestination>;
export type CcaiDestinationInput = z.input<typeof CcaiDestination>;

/** The request body of POST /apps/api/v1/calls for the two call types we place. */
export interface CcaiCreateCallBody {
  call_type: (typeof CCAI_CALL_TYPE)[keyof typeof CCAI_CALL_TYPE];
  lang: string;
  menu_id: number;
  end_user_number: string;
  scheduled_at?: string;
  recording_permission?: (typeof RECORDING_PERMISSIONS)[number];
}

const Id = z.union([z.number(), z.string().min(1)]).transform(String);
const OptionalText = z.string().nullish();

/** The call object, reduced to what we read; every other documented field passes through. */
export const CcaiCall = z.looseObject({
  id: Id,
  status: z.string().min(1),
  call_type: OptionalText,
  lang: OptionalText,
  created_at: OptionalText,
  queued_at: OptionalText,
  assigned_at: OptionalText,
  connected_at: OptionalText,
  ends_at: OptionalText,
  scheduled_at: OptionalText,
  fail_reason: OptionalText,
  fail_details: OptionalText,
  deflection: OptionalText,
  voicemail_reason: OptionalText,
  disconnected_by: OptionalText,
});
export type CcaiCall = z.output<typeof CcaiCall>;

/** Every documented error answer is `{ "message": "..." }`. */
export const CcaiErrorAnswer = z.looseObject({ message: z.string() });

/**
 * External session events: `{count, events: [...]}`. The event object is described in prose
 * only (event_id, timestamp in epoch ms, an `item` enriched on each update with call_id, state
 * connected/disconnected, participants, connected_at, ends_at); its exact nesting is a [gap],
 * so every field is optional and read from `item` first, then from the event itself.
 */
const PushParticipant = z.looseObject({
  type: z.string().nullish(),
  status: z.string().nullish(),
});
export const CcaiPushEventFields = z.looseObject({
  event_id: z.union([z.string(), z.number()]).nullish(),
  timestamp: z.union([z.number(), z.string()]).nullish(),
  type: z.string().nullish(),
  call_id: z.union([z.number(), z.string()]).nullish(),
  id: z.union([z.number(), z.string()]).nullish(),
  state: z.string().nullish(),
  status: z.string().nullish(),
  connected_at: z.string().nullish(),
  ends_at: z.string().nullish(),
  participants: z.array(PushParticipant).nullish(),
});
export type CcaiPushEventFields = z.output<typeof CcaiPushEventFields>;
export const CcaiPushEvent = CcaiPushEventFields.extend({ item: CcaiPushEventFields.nullish() });
export type CcaiPushEvent = z.output<typeof CcaiPushEvent>;

export const CcaiPushBody = z.looseObject({
  count: z.number().int().min(0).optional(),
  events: z.array(z.unknown()),
});
