/**
 * The token endpoint's configuration: one zod schema, read from a JSON file and/or environment
 * variables, validated once at start so that a typo fails loudly before the first visitor
 * clicks instead of on the first call.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { CALLBACK_VENDORS, type CallbackVendorName } from './providers/vendors.ts';
import { ScheduleConfig } from './schedule.ts';
import { CaptchaConfig } from './captcha.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'config-error';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const IceServerConfig = z.object({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

export const HuaweiConfig = z.object({
  /** e.g. https://service.besclouds.com; tests point it at the simulator. */
  baseUrl: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
  /** The app key (AK) that tokenByAkSk exchanges for an AccessToken. */
  appKey: z.string().min(1),
  /** The app secret (SK). Never sent to a browser. */
  appSecret: z.string().min(1),
  /** The WEB channel's configuration id (applyToken `channelId`). */
  channelId: z.string().min(1),
  /** STUN/TURN servers handed to the browser for the WebRTC call (RTCIceServer shape). */
  iceServers: z.array(IceServerConfig).optional(),
  /** Language asked of Huawei for the visitor's session when the page names none. */
  locale: z.string().min(1).max(16).default('en'),
  /** Shown to the agent as the visitor's name (applyToken `userName`). */
  userName: z.string().min(1).max(64).default('Web visitor'),
  /** Asked for in X-Token-Expire; Huawei caps it at 3600. */
  tokenExpireSeconds: z.number().int().min(60).max(3600).default(3600),
  /**
   * The pre-call check ("Test my audio") opens a WebSocket to these: the gateway addresses
   * (`gwAddresses`) your tenant returns for calls, as wss:// URLs or bare host:port. Huawei
   * names the gateway per call only, so the endpoint cannot learn them by itself.
   */
  probeAddresses: z
    .array(z.string().regex(/^(wss?:\/\/[^\s]+|[^\s/:]+:\d{1,5})$/, 'expected a ws:// or wss:// URL, or host:port'))
    .max(8)
    .optional(),
});
export type HuaweiConfig = z.output<typeof HuaweiConfig>;

export const PROVIDER_NAMES = ['huawei', ...(Object.keys(CALLBACK_VENDORS) as CallbackVendorName[])] as const;
export type ProviderName = 'huawei' | CallbackVendorName;

/**
 * A destination: the vendor, and the vendor's own keys (checked by that vendor's schema).
 * Callback destinations may limit the countries a visitor's number may be in.
 */
export const DestinationConfig = z
  .object({
    provider: z.enum(PROVIDER_NAMES as unknown as [ProviderName, ...ProviderName[]]),
    /** Huawei createClickToCall mediaAbility: "0" voice. Video ("1") is not offered by the widget. */
    mediaAbility: z.literal('0').default('0'),
    /** Callback: ISO 3166 alpha-2 codes the visitor's number may belong to (default: any). */
    countries: z.array(z.string().regex(/^[A-Za-z]{2}$/)).min(1).optional(),
    /** Callback: the times a visitor may book ("call me at"), for vendors that book calls. */
    schedule: ScheduleConfig.optional(),
  })
  .catchall(z.unknown());
export type DestinationConfig = z.output<typeof DestinationConfig>;

/** One rate limit: at most `points` uses per `durationSeconds`, or `false` for none. */
const Limit = z
  .strictObject({
    points: z.number().int().min(1).max(1_000_000),
    durationSeconds: z.number().int().min(1).max(7 * 86_400),
  })
  .or(z.literal(false));

/**
 * Abuse limits, on by default. A refusal is HTTP 429 `rate-limited` with `Retry-After`.
 * Unknown keys are errors, so that a typo does not silently leave a limit at its default.
 */
export const LimitsConfig = z.strictObject({
  /** Sessions minted per client address (hover prefetch mints one too). */
  sessionsPerIp: Limit.default({ points: 20, durationSeconds: 60 }),
  /** Calls started per client address. */
  callsPerIp: Limit.default({ points: 10, durationSeconds: 600 }),
  /** Callback calls to one visitor number. */
  callsPerNumber: Limit.default({ points: 3, durationSeconds: 3_600 }),
  /** Callback: seconds after a call to a number before the next one to it (0: none). */
  numberCooldownSeconds: z.number().int().min(0).max(86_400).default(120),
  /** Calls started to one destination. */
  callsPerDestination: Limit.default({ points: 60, durationSeconds: 60 }),
  /** Circuit breaker: calls started through this endpoint in all. */
  callsTotal: Limit.default({ points: 300, durationSeconds: 60 }),
});
export type LimitsConfig = z.output<typeof LimitsConfig>;

const SigningKeyConfig = z.strictObject({
  /** Named in each token's header, so the verifying key is found without trying them all. */
  kid: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1 to 64 letters, digits, dots, dashes or underscores'),
  /** HS256 needs 256 bits: 32 characters or more, random (e.g. `openssl rand -base64 48`). */
  secret: z.string().min(32, 'expected at least 32 characters (HS256 needs a 256-bit key)'),
});

export const C2CConfigSchema = z
  .object({
    /** Exact origins (scheme://host[:port]) whose pages may call the endpoint. */
    allowedOrigins: z.array(z.string().min(1)).default([]),
    /** The keys pages name in `destination`, each mapped to a vendor and its own keys. */
    destinations: z.record(z.string().min(1).max(64), DestinationConfig),
    /** Each vendor's account: credentials, base URL and tuning. Only vendors a destination uses are needed. */
    providers: z
      .object({
        huawei: HuaweiConfig.optional(),
        ...(Object.fromEntries(
          Object.entries(CALLBACK_VENDORS).map(([name, vendor]) => [name, vendor.config.optional()]),
        ) as { [K in CallbackVendorName]: z.ZodOptional<(typeof CALLBACK_VENDORS)[K]['config']> }),
      })
      .default({}),
    /** How long a session token may start a call. */
    sessionTtlSeconds: z.number().int().min(5).max(3600).default(120),
    /**
     * Keys that sign session tokens (HS256): the first signs, all verify. Rotate by putting a
     * new key first and removing the old one once the calls it signed for are over. None: a
     * random key per process (fine for one instance; a restart invalidates live tokens).
     */
    signingKeys: z.array(SigningKeyConfig).default([]),
    /**
     * Proxies in front of the endpoint that append to X-Forwarded-For (true means 1). Without
     * one, X-Forwarded-For is the client's to forge and is ignored.
     */
    trustProxy: z.union([z.boolean(), z.number().int().min(0).max(10)]).default(false).transform((v) => (v === true ? 1 : v === false ? 0 : v)),
    limits: LimitsConfig.default(LimitsConfig.parse({})),
    captcha: CaptchaConfig.optional(),
    /**
     * The structured log's least level (docs/observability.md). Set: JSON lines on the console
     * (the CLI's default is `info`). Unset and no `logger` given to the handler: no log.
     */
    log: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  })
  .superRefine((config, ctx) => {
    for (const [key, destination] of Object.entries(config.destinations)) {
      if (!config.providers[destination.provider]) {
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', key, 'provider'],
          message: `provider '${destination.provider}' is not configured under providers.${destination.provider}`,
        });
      }
      const vendor = destination.provider === 'huawei' ? null : CALLBACK_VENDORS[destination.provider];
      if (vendor && !vendor.destination) {
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', key, 'provider'],
          message: `provider '${destination.provider}' only reports call events; it cannot be called`,
        });
      }
      if (vendor?.destination) {
        const { provider: _p, mediaAbility: _m, countries: _c, schedule: _s, ...own } = destination;
        const checked = vendor.destination.safeParse(own);
        if (!checked.success) {
          for (const issue of checked.error.issues) {
            ctx.addIssue({ code: 'custom', path: ['destinations', key, ...issue.path], message: issue.message });
          }
        }
      }
    }
    const kids = config.signingKeys.map((k) => k.kid);
    for (const [index, kid] of kids.entries()) {
      if (kids.indexOf(kid) !== index) ctx.addIssue({ code: 'custom', path: ['signingKeys', index, 'kid'], message: `kid '${kid}' is listed twice` });
    }
    for (const [index, origin] of config.allowedOrigins.entries()) {
      if (normalizeOrigin(origin) === null) {
        ctx.addIssue({
          code: 'custom',
          path: ['allowedOrigins', index],
          message: `'${origin}' is not an origin like https://shop.example`,
        });
      }
    }
  });

export type C2CConfig = z.output<typeof C2CConfigSchema>;
export type C2CConfigInput = z.input<typeof C2CConfigSchema>;

/** scheme://host[:port] in lower case, or null when the text is not an http(s) origin. */
export function normalizeOrigin(text: string): string | null {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.pathname !== '/' || url.search || url.hash || url.username) return null;
    return url.origin;
  } catch {
    return null;
  }
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Validates an already assembled config object (file, env or code); throws ConfigError. */
export function parseConfig(input: unknown): C2CConfig {
  const result = C2CConfigSchema.safeParse(input, {
    // zod v4 says "expected string, received undefined"; operators understand "Required".
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined),
  });
  if (!result.success) throw new ConfigError(`Invalid configuration: ${formatIssues(result.error)}`, { cause: result.error });
  return result.data;
}

export interface LoadConfigOptions {
  /** Path of a JSON config file. */
  file?: string;
  /** Environment variables (defaults to process.env); they override the file. */
  env?: Record<string, string | undefined>;
  /** A config object from code; the file and env are layered over it. */
  config?: unknown;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(parent: Json, key: string): Json {
  const existing = parent[key];
  if (isObject(existing)) return existing;
  const created: Json = {};
  parent[key] = created;
  return created;
}

function envNumber(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new ConfigError(`${name}: expected a number, got '${text}'`);
  return value;
}

const HUAWEI_ENV: ReadonlyArray<[string, string, 'string' | 'number' | 'json' | 'list']> = [
  ['C2C_HUAWEI_BASE_URL', 'baseUrl', 'string'],
  ['C2C_HUAWEI_APP_KEY', 'appKey', 'string'],
  ['C2C_HUAWEI_APP_SECRET', 'appSecret', 'string'],
  ['C2C_HUAWEI_CHANNEL_ID', 'channelId', 'string'],
  ['C2C_HUAWEI_LOCALE', 'locale', 'string'],
  ['C2C_HUAWEI_USER_NAME', 'userName', 'string'],
  ['C2C_HUAWEI_TOKEN_EXPIRE_SECONDS', 'tokenExpireSeconds', 'number'],
  ['C2C_HUAWEI_ICE_SERVERS', 'iceServers', 'json'],
  ['C2C_HUAWEI_PROBE_ADDRESSES', 'probeAddresses', 'list'],
];

/**
 * Builds the config from (in increasing precedence) `config`, the JSON `file`, and `env`:
 *   C2C_ALLOWED_ORIGINS=https://a.example,https://b.example
 *   C2C_DESTINATIONS=sales=huawei,support=huawei
 *   C2C_SESSION_TTL_SECONDS=120
 *   C2C_SIGNING_KEYS=kid1:secret1,kid0:secret0   (the first signs)
 *   C2C_TRUST_PROXY=1                            (proxies appending X-Forwarded-For)
 *   C2C_LIMITS={"callsPerIp":{"points":5,"durationSeconds":600}}   (JSON, merged over the file's)
 *   C2C_LOG=info                                 (debug | info | warn | error | silent)
 *   C2C_CAPTCHA_PROVIDER / _SECRET / _VERIFY_URL / _MIN_SCORE / _REQUIRED (true|false)
 *   C2C_HUAWEI_BASE_URL / _APP_KEY / _APP_SECRET / _CHANNEL_ID / _LOCALE / _USER_NAME /
 *   _TOKEN_EXPIRE_SECONDS / _ICE_SERVERS (JSON array) / _PROBE_ADDRESSES (comma-separated)
 */
export function loadConfig(options: LoadConfigOptions = {}): C2CConfig {
  const env = options.env ?? process.env;
  let raw: Json = isObject(options.config) ? structuredClone(options.config) : {};
  if (options.config !== undefined && !isObject(options.config)) throw new ConfigError('config: expected an object');

  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (cause) {
      throw new ConfigError(`Cannot read config file ${options.file}: ${(cause as Error).message}`, { cause });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new ConfigError(`Config file ${options.file} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
    if (!isObject(parsed)) throw new ConfigError(`Config file ${options.file}: expected a JSON object`);
    raw = { ...raw, ...parsed };
  }

  const origins = env.C2C_ALLOWED_ORIGINS;
  if (origins !== undefined) {
    raw.allowedOrigins = origins.split(',').map((o) => o.trim()).filter(Boolean);
  }
  const ttl = env.C2C_SESSION_TTL_SECONDS;
  if (ttl !== undefined) raw.sessionTtlSeconds = envNumber('C2C_SESSION_TTL_SECONDS', ttl);
  const keys = env.C2C_SIGNING_KEYS;
  if (keys !== undefined) {
    raw.signingKeys = keys.split(',').map((k) => k.trim()).filter(Boolean).map((item) => {
      const colon = item.indexOf(':');
      if (colon <= 0) throw new ConfigError('C2C_SIGNING_KEYS: expected kid:secret pairs separated by commas');
      return { kid: item.slice(0, colon), secret: item.slice(colon + 1) };
    });
  }
  const proxy = env.C2C_TRUST_PROXY;
  if (proxy !== undefined) raw.trustProxy = proxy === 'true' ? true : proxy === 'false' ? false : envNumber('C2C_TRUST_PROXY', proxy);
  if (env.C2C_LOG !== undefined) raw.log = env.C2C_LOG;
  const limits = env.C2C_LIMITS;
  if (limits !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(limits);
    } catch (cause) {
      throw new ConfigError('C2C_LIMITS: not valid JSON', { cause });
    }
    if (!isObject(parsed)) throw new ConfigError('C2C_LIMITS: expected a JSON object');
    raw.limits = { ...(isObject(raw.limits) ? raw.limits : {}), ...parsed };
  }
  for (const [name, key] of [['C2C_CAPTCHA_PROVIDER', 'provider'], ['C2C_CAPTCHA_SECRET', 'secret'], ['C2C_CAPTCHA_VERIFY_URL', 'verifyUrl']] as const) {
    if (env[name] !== undefined) child(raw, 'captcha')[key] = env[name];
  }
  if (env.C2C_CAPTCHA_MIN_SCORE !== undefined) child(raw, 'captcha').minScore = envNumber('C2C_CAPTCHA_MIN_SCORE', env.C2C_CAPTCHA_MIN_SCORE);
  const required = env.C2C_CAPTCHA_REQUIRED;
  if (required !== undefined) {
    if (required !== 'true' && required !== 'false') throw new ConfigError(`C2C_CAPTCHA_REQUIRED: expected true or false, got '${required}'`);
    child(raw, 'captcha').required = required === 'true';
  }
  const destinations = env.C2C_DESTINATIONS;
  if (destinations !== undefined) {
    const map: Json = {};
    for (const item of destinations.split(',').map((d) => d.trim()).filter(Boolean)) {
      const [key, provider] = item.split('=').map((part) => part.trim());
      if (!key || !provider) throw new ConfigError(`C2C_DESTINATIONS: expected key=provider, got '${item}'`);
      map[key] = { provider };
    }
    raw.destinations = map;
  }

  for (const [name, key, kind] of HUAWEI_ENV) {
    const value = env[name];
    if (value === undefined) continue;
    const huawei = child(child(raw, 'providers'), 'huawei');
    if (kind === 'number') huawei[key] = envNumber(name, value);
    else if (kind === 'list') huawei[key] = value.split(',').map((item) => item.trim()).filter(Boolean);
    else if (kind === 'json') {
      try {
        huawei[key] = JSON.parse(value);
      } catch (cause) {
        throw new ConfigError(`${name}: not valid JSON`, { cause });
      }
    } else huawei[key] = value;
  }

  return parseConfig(raw);
}
