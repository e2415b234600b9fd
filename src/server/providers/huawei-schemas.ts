/**
 * What Huawei AICC's click-to-dial APIs send and answer (seed getClickToCallEvents document and
 * vendors/huawei-click-to-dial.md). Lenient where the documents are loose: extra fields pass,
 * codes may come as numbers, the official create sample spells its key `"resultDesc:"`, and
 * the events sample sends `eventId` as a number while the table says String.
 */
import * as z from 'zod';

/** "0" or 0 -> "0": the tables say String, samples are not always quoted. */
const Code = z.union([z.string(), z.number()]).transform(String);
const OptionalText = z.union([z.string(), z.number()]).transform(String).optional();
const Flag = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');

export const PATHS = {
  tokenByAkSk: '/apigovernance/api/oauth/tokenByAkSk',
  applyToken: '/apiaccess/ccmessaging/applyToken',
  checkClickToCallSupport: '/apiaccess/ccmessaging/v1/checkClickToCallSupport',
  createClickToCall: '/apiaccess/ccmessaging/v1/createClickToCall',
  getClickToCallEvents: '/apiaccess/ccmessaging/v1/getClickToCallEvents',
  dropClickToCall: '/apiaccess/ccmessaging/v1/dropClickToCall',
} as const;

export const TokenByAkSkRequest = z.object({ app_key: z.string(), app_secret: z.string() });
export type TokenByAkSkRequest = z.infer<typeof TokenByAkSkRequest>;

export const TokenByAkSkAnswer = z.looseObject({
  AccessToken: z.string().min(1),
  ApplyType: z.string().optional(),
  CreateTime: OptionalText,
  /** Seconds, documented as a string ("600"). */
  Expires: z.union([z.string(), z.number()]).transform(Number).pipe(z.number().positive()),
  Scope: z.unknown().optional(),
  AppKey: z.unknown().optional(),
  UserID: z.unknown().optional(),
});
export type TokenByAkSkAnswer = z.infer<typeof TokenByAkSkAnswer>;

/** Non-200 answers of the API gateway. */
export const GatewayErrorAnswer = z.looseObject({
  errorCode: OptionalText,
  exceptionInfo: OptionalText,
});

export const ApplyTokenRequest = z.object({
  userId: z.string().min(1).max(32),
  userName: z.string().min(1),
  channelId: z.string().min(1),
  locale: z.string().min(1),
});
export type ApplyTokenRequest = z.infer<typeof ApplyTokenRequest>;

export const ApplyTokenAnswer = z.looseObject({
  token: z.string().optional(),
  resultCode: Code,
  resultDesc: OptionalText,
});

export const CheckSupportAnswer = z.looseObject({
  resultCode: Code,
  resultDesc: OptionalText,
  webRTCSupported: Flag.optional(),
  clickToCallSupported: Flag.optional(),
});

export const CreateClickToCallRequest = z.object({ channel: z.literal('WEB'), mediaAbility: z.enum(['0', '1']) });
export type CreateClickToCallRequest = z.infer<typeof CreateClickToCallRequest>;

export const CreateClickToCallAnswer = z
  .looseObject({
    resultCode: Code,
    resultDesc: OptionalText,
    'resultDesc:': OptionalText,
  })
  .transform(({ resultCode, resultDesc, 'resultDesc:': typo }) => ({ resultCode, resultDesc: resultDesc ?? typo }));

export const CREATE_RESULT = { ok: '0', noClickToCall: '7', outsideWorkingHours: '12', failed: '13' } as const;

export const EventContent = z.looseObject({
  causeDesc: OptionalText,
  causeId: OptionalText,
  accessCode: OptionalText,
  domain: OptionalText,
  gwAddresses: z.array(z.string()).optional(),
  clickToCallCaller: OptionalText,
});
export type EventContent = z.infer<typeof EventContent>;

export const EventsAnswer = z.looseObject({
  resultCode: Code,
  resultDesc: OptionalText,
  eventId: z.union([z.string(), z.number()]).optional().nullable(),
  content: EventContent.optional().nullable(),
});
export type EventsAnswer = z.infer<typeof EventsAnswer>;

export const EVENT_DESC = {
  queued: 'Call in queue',
  connected: 'Call connected',
  disconnected: 'Call disconnected',
  queueTimeout: 'Call queued timeout',
  failed: 'Call failed',
  unknownEvents: 'Call continue to poll events with unknown events',
  noEvents: 'ClickToCall polled without any events',
} as const;

/** The one documented eventId: call connected. */
export const EVENT_ID_CONNECTED = '168101';

export const DropClickToCallRequest = z.object({ channel: z.literal('WEB') });

export const DropClickToCallAnswer = z.looseObject({ resultCode: Code, resultDesc: OptionalText });
