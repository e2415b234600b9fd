/**
 * The token endpoint's structured log: one JSON object per line, one line per request plus a
 * line for each notable event (a vendor error, a rate-limit refusal, a rejected webhook, a
 * vendor token refresh). Written here rather than taken from a logging library: the endpoint
 * needs levels, one line of JSON and a guard against secrets, nothing more.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One log line. `msg` names what happened: `request`, `rate-limited`, `vendor-error`... */
export interface LogRecord {
  /** ISO 8601. */
  time: string;
  level: LogLevel;
  msg: string;
  requestId?: string;
  [field: string]: unknown;
}

/** Receives each record at or above the configured level (already free of secrets). */
export type C2CLogger = (record: LogRecord) => void;

/** What the handler writes through: `log.info('request', {...})`. */
export interface Log {
  /** False when nothing would be written (no logger, or level `silent`): callers may skip building a record. */
  readonly enabled: boolean;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger that writes each record as one line of JSON (default: console.log, which every runtime has). */
export function jsonLines(write: (line: string) => void = (line) => console.log(line)): C2CLogger {
  return (record) => write(JSON.stringify(record));
}

/** Shorter values are not searched: they would be found by chance. */
const MIN_SECRET_LENGTH = 8;
/** Configuration keys that hold secrets (appSecret, authToken, webhookSecret, credential...). */
const SECRET_KEY = /secret|token|key|passw(or)?d|credential|auth/i;
const NOT_SECRET_KEY = /^(tokenExpireSeconds|tokenLifetimeSeconds|keys?Id|kid)$/i;

/** Every secret-shaped string of a configuration object. */
export function secretsOf(config: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, secret: boolean): void => {
    if (typeof value === 'string') {
      if (secret && value.length >= MIN_SECRET_LENGTH) found.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, secret);
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) walk(child, secret || (SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key)));
    }
  };
  walk(config, false);
  return [...found];
}

/** A phone number in free text (seven digits or more, standing alone): all but the last two go. */
const PHONE = /(?<![\w.:/-])\+?\d(?:[\s()-]?\d){6,}(?![\w.:/-])/g;
/** A bearer token or a JWT in free text (an error message that quotes a header). */
const BEARER = /Bearer\s+[\w.~+/=-]+/gi;
const JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]*/g;

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `***${digits.slice(-2)}`;
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('***');
  return out.replace(BEARER, 'Bearer ***').replace(JWT, '***').replace(PHONE, maskPhone);
}

/** Header names that never reach a log, whatever a caller passes. */
const SECRET_FIELD = /^(authorization|cookie|token|password|secret|signature|captchaToken)$/i;

export interface LogOptions {
  /** Receives the records; none: nothing is logged. */
  logger?: C2CLogger | undefined;
  /** Least level passed to the logger. Default `info`. */
  level?: LogLevel | 'silent' | undefined;
  /** The configured secrets, replaced by `***` wherever they would appear. */
  secrets?: readonly string[];
  now?: () => number;
}

/** Builds the handler's log. Free text is scrubbed of secrets, tokens and phone numbers. */
export function createLog(options: LogOptions): Log {
  const { logger, secrets = [] } = options;
  const threshold = options.level === 'silent' ? LOG_LEVELS.length : LOG_LEVELS.indexOf(options.level ?? 'info');
  const now = options.now ?? Date.now;
  const emit = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (!logger || LOG_LEVELS.indexOf(level) < threshold) return;
    const record: LogRecord = { time: new Date(now()).toISOString(), level, msg };
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined || SECRET_FIELD.test(key)) continue;
      record[key] = typeof value !== 'string' ? value : key === 'phone' ? maskPhone(value) : scrub(value, secrets);
    }
    try {
      logger(record);
    } catch {
      // A broken log sink must not fail the request it describes.
    }
  };
  return {
    enabled: logger !== undefined && threshold < LOG_LEVELS.length,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

/** An incoming X-Request-Id is kept only when it is short and of a safe alphabet (no CR/LF, no quotes). */
const REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/** The request's id: the caller's X-Request-Id when well-formed (a proxy's, a load balancer's), else a new one. */
export function requestIdOf(header: string | undefined | null): string {
  return header && REQUEST_ID.test(header) ? header : crypto.randomUUID();
}
