/**
 * The token endpoint as a Web-standard `(Request) => Promise<Response>`: the same handler runs
 * on Node's http server, inside Express/Fastify through an adapter, or on a serverless runtime.
 */
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { bodyLimit } from 'hono/body-limit';
import { ErrorCode } from '../protocol/errors.ts';
import {
  CallEvent as CallEventSchema,
  FINAL_EVENT_TYPES,
  ReadinessQuery,
  SessionRequest,
  StartCallRequest,
  type CallEvent,
  type ErrorBody,
  type EventsResponse,
  type HangupResponse,
  type ReadinessResponse,
  type SessionResponse,
  type SlotsResponse,
  type StartCallResponse,
  type CallMode,
} from '../protocol/index.ts';
import { normalizeOrigin, parseConfig, type C2CConfig, type C2CConfigInput, type ProviderName } from './config.ts';
import { CallbackCalls } from './callbacks.ts';
import { CALLBACK_VENDOR_NAMES, CALLBACK_VENDORS } from './providers/vendors.ts';
import { MemoryEventHub, type EventHub } from './hub.ts';
import { checkPhone } from './phone.ts';
import { freeSlots } from './schedule.ts';
import { C2CError, type CallbackProvider, type Provider } from './provider.ts';
import { HuaweiProvider, type HuaweiProviderOptions } from './providers/huawei.ts';
import { createMemoryStores, type CallRecord, type SessionRecord, type Stores } from './store.ts';
import { newId, TokenSigner, type SessionClaims } from './tokens.ts';
import { addressKey, clientAddress, memoryLimiters, type Limiter, type LimiterFactory, type RateLimit } from './limits.ts';
import { verifyCaptcha } from './captcha.ts';
import { createLog, jsonLines, requestIdOf, secretsOf, type C2CLogger, type Log } from './log.ts';

/** What the runtime knows about a request beyond the Request itself. */
export interface C2CRequestInfo {
  /** The address the connection came from (Node: `socket.remoteAddress`); per-IP limits need it. */
  clientAddress?: string | undefined;
}

export type C2CHandler = (request: Request, info?: C2CRequestInfo) => Promise<Response>;

/** The handler, plus close() to stop the upstream watchers of callback calls (shutdown, tests). */
export type ClosableC2CHandler = C2CHandler & { close(): void };

export interface C2CHandlerOptions {
  /** Where the endpoint is mounted, e.g. '/c2c'. Default '' (the root). */
  basePath?: string;
  /** Replace the in-memory stores (e.g. with Redis-backed ones). */
  stores?: Partial<Stores>;
  /** Clock for sessions and token caches (tests move it forward). */
  now?: () => number;
  /** Per-provider tuning, e.g. `{ huawei: { requestTimeoutMs, eventsTimeoutMs } }`. */
  providerOptions?: { huawei?: HuaweiProviderOptions };
  /** How long a call's records are kept after its last poll. Default 600 s. */
  callIdleSeconds?: number;
  /** Unexpected errors (answered as `internal-error`). Default: console.error. */
  onError?: (error: unknown) => void;
  /** Callback vendors by provider name, in addition to those built from the configuration. */
  callbackProviders?: Record<string, CallbackProvider>;
  /** Replace the in-process fan-out of call events (e.g. with Redis pub/sub). */
  hub?: EventHub;
  /** How long a JSON long poll of a callback call is held without news. Default 25 s. */
  longPollMs?: number;
  /** Makes the rate limiters (default: in memory; see limits.ts for Redis). */
  limiters?: LimiterFactory;
  /** Operator warnings (no signing key, no client address...). Default: console.warn, each once; the log when there is one. */
  onWarning?: (message: string) => void;
  /**
   * Receives the structured log (docs/observability.md): a record per request and per notable
   * event, at or above the configuration's `log` level (default `info`). Without one, records are
   * written as JSON lines to the console when the configuration sets `log`, and dropped otherwise.
   */
  logger?: C2CLogger;
}

/** What one request's log line says besides method, route, status and time: filled in by the routes. */
type RequestFields = Record<string, unknown>;
type Env = { Bindings: C2CRequestInfo | undefined; Variables: { requestId: string; fields: RequestFields } };

/** Adds fields to the request's log line (provider, destination, callId, code...). */
function note(c: Context, fields: RequestFields): void {
  const current = c.get('fields') as RequestFields | undefined;
  if (current) Object.assign(current, fields);
}

/** The vendor's own status in a vendor error's message ("HTTP 503", "resultCode 13"), for the log. */
function vendorStatusOf(message: string): string | undefined {
  const match = /HTTP (\d{3})|resultCode ([\w-]+)/.exec(message);
  return match ? (match[1] ?? match[2]) : undefined;
}

const VENDOR_CODES: ReadonlySet<string> = new Set([ErrorCode.VendorRejected, ErrorCode.VendorUnavailable, ErrorCode.InvalidResponse]);

const warnedOnce = new Set<string>();
function warnOnce(message: string): void {
  if (warnedOnce.has(message)) return;
  warnedOnce.add(message);
  console.warn(message);
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
const MAX_AUTHORIZATION_LENGTH = 4096;

/** How many delivered events a call keeps for resumed polls. */
const RECENT_EVENTS = 20;
const SEEN_EVENT_IDS = 200;
const BODY_LIMIT_BYTES = 16 * 1024;
const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

function errorResponse(c: Context, status: number, code: ErrorCode, message: string, retryAfter?: number): Response {
  note(c, { code });
  const body: ErrorBody = { error: { code, message, ...(retryAfter === undefined ? {} : { retryAfter }) } };
  if (retryAfter !== undefined) c.header('Retry-After', String(retryAfter));
  return c.json(body, status as 400);
}

/** "40 s", "3 min": how long a refused visitor waits. */
function wait(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

/** Callback vendors named in the configuration. */
function createCallbackProviders(config: C2CConfig, options: C2CHandlerOptions): Array<[string, CallbackProvider]> {
  const made: Array<[string, CallbackProvider]> = [];
  for (const name of CALLBACK_VENDOR_NAMES) {
    const vendorConfig = config.providers[name];
    if (vendorConfig) made.push([name, CALLBACK_VENDORS[name].create(vendorConfig as never, { now: options.now })]);
  }
  return made;
}

function createProviders(config: C2CConfig, options: C2CHandlerOptions, log: Log): Map<ProviderName, Provider> {
  const providers = new Map<ProviderName, Provider>();
  if (config.providers.huawei) {
    const own = options.providerOptions?.huawei;
    providers.set('huawei', new HuaweiProvider(config.providers.huawei, {
      now: options.now,
      ...own,
      onTokenRefresh: (info) => {
        own?.onTokenRefresh?.(info);
        log[info.ok ? 'info' : 'warn']('token-refresh', { provider: 'huawei', ...info });
      },
    }));
  }
  return providers;
}

async function readJson(c: Context, allowEmpty: boolean): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') {
    if (allowEmpty) return {};
    throw new C2CError(ErrorCode.InvalidRequest, 'The request needs a JSON body.');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new C2CError(ErrorCode.InvalidRequest, 'The request body is not valid JSON.');
  }
}

function validate<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } } }, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const detail = result.error.issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : 'body'}: ${issue.message}`)
    .join('; ');
  throw new C2CError(ErrorCode.InvalidRequest, `Invalid request: ${detail}`);
}

export function createC2CHandler(input: C2CConfig | C2CConfigInput, options: C2CHandlerOptions = {}): ClosableC2CHandler {
  const config = parseConfig(input);
  const now = options.now ?? Date.now;
  const stores: Stores = { ...createMemoryStores({ now }), ...options.stores };
  const logger = options.logger ?? (config.log === undefined ? undefined : jsonLines());
  const log: Log = createLog({ logger, level: config.log, secrets: secretsOf(config) });
  const providers = createProviders(config, options, log);
  const allowed = new Set(config.allowedOrigins.map((o) => normalizeOrigin(o)));
  const onWarning = options.onWarning ?? (logger ? (message: string) => log.warn('operator-warning', { message }) : warnOnce);
  const signer = new TokenSigner(config.signingKeys);
  if (signer.ephemeral) {
    onWarning(
      '[c2c-server] No signing key is configured (signingKeys / C2C_SIGNING_KEYS): session tokens are signed with a random key made at start. ' +
        'Several instances behind a load balancer need one configured key, and a restart ends the tokens of live calls.',
    );
  }
  const makeLimiter = options.limiters ?? memoryLimiters;
  const rule = (name: string, limit: RateLimit | false): Limiter | null => (limit === false ? null : makeLimiter(name, limit));
  const limits = {
    sessionsPerIp: rule('sessionsPerIp', config.limits.sessionsPerIp),
    callsPerIp: rule('callsPerIp', config.limits.callsPerIp),
    callsPerNumber: rule('callsPerNumber', config.limits.callsPerNumber),
    numberCooldown: rule('numberCooldown', config.limits.numberCooldownSeconds > 0 ? { points: 1, durationSeconds: config.limits.numberCooldownSeconds } : false),
    callsPerDestination: rule('callsPerDestination', config.limits.callsPerDestination),
    callsTotal: rule('callsTotal', config.limits.callsTotal),
  };
  const callIdleMs = (options.callIdleSeconds ?? 600) * 1000;
  /** An unexpected error (a request's, with its id; a background watcher's, without). */
  const onError = (error: unknown, requestId?: string): void => {
    if (options.onError) options.onError(error);
    else if (logger) log.error('unexpected-error', { requestId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    else console.error('[c2c-server] unexpected error', error);
  };
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const callbackProviders = new Map<string, CallbackProvider>([
    ...createCallbackProviders(config, options),
    ...Object.entries(options.callbackProviders ?? {}),
  ]);
  const callbacks = new CallbackCalls({
    stores,
    hub: options.hub ?? new MemoryEventHub(),
    providers: callbackProviders,
    now,
    callIdleMs,
    onError: (error) => onError(error),
  });
  const longPollMs = options.longPollMs ?? 25_000;

  const app = new Hono<Env>({ strict: false });
  const api = basePath ? app.basePath(basePath) : app;

  // First of all: the request id, and the request's log line once it is answered.
  app.use('*', async (c, next) => {
    const requestId = requestIdOf(c.req.header('X-Request-Id'));
    const fields: RequestFields = {};
    c.set('requestId', requestId);
    c.set('fields', fields);
    const started = performance.now();
    await next();
    try {
      c.res.headers.set('X-Request-Id', requestId);
    } catch {
      // Immutable headers (a Response passed through from fetch): copy it.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set('X-Request-Id', requestId);
    }
    if (!log.enabled) return;
    const status = c.res.status;
    // The route's pattern, never the path: a webhook path may hold a secret, a query a token.
    const route = c.req.matchedRoutes.filter((r) => r.method !== 'ALL').at(-1)?.path ?? null;
    const quiet = c.req.method === 'OPTIONS' || route?.endsWith('/health');
    log[status >= 500 ? 'error' : quiet ? 'debug' : 'info']('request', {
      requestId,
      method: c.req.method,
      route,
      status,
      durationMs: Math.round(performance.now() - started),
      ...fields,
    });
  });

  app.onError((error, c) => {
    if (error instanceof C2CError) {
      if (VENDOR_CODES.has(error.code)) {
        const fields = c.get('fields');
        log.warn('vendor-error', {
          requestId: c.get('requestId'),
          provider: fields?.provider,
          code: error.code,
          vendorStatus: vendorStatusOf(error.message),
          message: error.message,
        });
      }
      return errorResponse(c, error.status, error.code, error.message, error.retryAfter);
    }
    onError(error, c.get('requestId'));
    return errorResponse(c, 500, ErrorCode.InternalError, 'The endpoint hit an unexpected error.');
  });
  app.notFound((c) => errorResponse(c, 404, ErrorCode.InvalidRequest, `No route ${c.req.method} ${new URL(c.req.url).pathname}.`));

  // A page from a foreign origin is refused outright; no Origin (curl, same-origin GET) passes.
  api.use('*', async (c, next) => {
    const origin = c.req.header('Origin');
    if (origin !== undefined && !allowed.has(normalizeOrigin(origin))) {
      return errorResponse(c, 403, ErrorCode.OriginNotAllowed, `Origin ${origin} may not use this endpoint.`);
    }
    c.header('Cache-Control', 'no-store');
    await next();
  });
  api.use(
    '*',
    cors({
      origin: (origin) => (allowed.has(normalizeOrigin(origin)) ? origin : null),
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'X-Request-Id'],
      // The widget's debug log shows the request id, to find the endpoint's line for it.
      exposeHeaders: ['Retry-After', 'X-Request-Id'],
      maxAge: 600,
    }),
  );
  const tooLarge = (c: Context) => errorResponse(c, 413, ErrorCode.InvalidRequest, 'The request body is too large.');
  const browserLimit = bodyLimit({ maxSize: BODY_LIMIT_BYTES, onError: tooLarge });
  // Vendors batch events (CCAI pushes `{count, events: [...]}`): their bodies may be larger.
  const webhookLimit = bodyLimit({ maxSize: WEBHOOK_BODY_LIMIT_BYTES, onError: tooLarge });
  api.use('*', (c, next) => (new URL(c.req.url).pathname.startsWith(`${basePath}/webhooks/`) ? webhookLimit : browserLimit)(c, next));

  let warnedNoAddress = false;
  /** The visitor's address, or null when the runtime gives none (per-IP limits then skip). */
  function ipOf(c: Context): string | null {
    const ip = clientAddress(c.req.header('X-Forwarded-For'), c.env?.clientAddress, config.trustProxy);
    if (ip === null && (limits.sessionsPerIp || limits.callsPerIp) && !warnedNoAddress) {
      warnedNoAddress = true;
      onWarning('[c2c-server] A request came without a client address: per-IP limits skip it. Pass { clientAddress } to the handler, or set trustProxy behind a proxy.');
    }
    return ip;
  }

  /** Counts one use; throws `rate-limited` with the wait when over the limit. */
  async function enforce(c: Context, rule: keyof typeof limits, key: string | null, sentence: string): Promise<void> {
    const limiter = limits[rule];
    if (!limiter || key === null) return;
    const waitMs = await limiter.take(key);
    if (waitMs <= 0) return;
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    // The rule, not its key: a key is an address or a phone number.
    log.warn('rate-limited', { requestId: c.get('requestId'), rule, retryAfter });
    throw new C2CError(ErrorCode.RateLimited, `${sentence} Try again in ${wait(retryAfter)}.`, { retryAfter });
  }

  api.get('/health', (c) => c.json({ ok: true, providers: [...providers.keys(), ...callbackProviders.keys()] }));

  /** Free booking times of a destination, so the widget can offer "call me at". */
  async function slotsOf(key: string): Promise<string[]> {
    const destination = Object.hasOwn(config.destinations, key) ? config.destinations[key] : undefined;
    if (!destination) throw new C2CError(ErrorCode.UnknownDestination, `Unknown destination '${key}'.`);
    const schedule = destination.schedule;
    if (!schedule || !callbackProviders.get(destination.provider)?.canSchedule) return [];
    const counts = new Map<string, number>();
    const at = now();
    // Read what is booked over the window once; freeSlots() then asks synchronously.
    const candidates = freeSlots({ ...schedule, perSlot: Number.MAX_SAFE_INTEGER }, at, () => 0);
    await Promise.all(candidates.map(async (slot) => counts.set(slot, (await stores.bookings.get(`${key}|${slot}`)) ?? 0)));
    return freeSlots(schedule, at, (slot) => counts.get(slot) ?? 0);
  }

  api.get('/slots', async (c) => c.json({ slots: await slotsOf(c.req.query('destination') ?? '') } satisfies SlotsResponse));

  /** The destination a page names, its vendor, and the kind of call it makes (asked or default). */
  function resolveDestination(key: string, asked: CallMode | undefined) {
    const destination = Object.hasOwn(config.destinations, key) ? config.destinations[key] : undefined;
    if (!destination) throw new C2CError(ErrorCode.UnknownDestination, `Unknown destination '${key}'.`);
    const provider = providers.get(destination.provider as ProviderName) ?? callbackProviders.get(destination.provider);
    if (!provider) throw new C2CError(ErrorCode.InternalError, `Provider ${destination.provider} is not configured.`);
    const mode = asked ?? provider.modes[0];
    if (!mode || !(provider.modes as readonly string[]).includes(mode)) {
      throw new C2CError(ErrorCode.NotSupported, `Destination '${key}' offers ${provider.modes.join(', ')} calls only.`, { status: 400 });
    }
    return { destination, provider, mode };
  }

  /**
   * The pre-call check: the kind of call and, for WebRTC, gateway addresses the browser may
   * try to open. No token is minted and the vendor is not asked anything.
   */
  api.get('/readiness', (c) => {
    const query = validate(ReadinessQuery, { destination: c.req.query('destination'), mode: c.req.query('mode') });
    const { destination, mode } = resolveDestination(query.destination, query.mode);
    const probes = mode === 'webrtc' && destination.provider === 'huawei' ? config.providers.huawei?.probeAddresses : undefined;
    return c.json({ mode, ...(probes?.length ? { probeAddresses: probes } : {}) } satisfies ReadinessResponse);
  });

  api.post('/session', async (c) => {
    const ip = ipOf(c);
    await enforce(c, 'sessionsPerIp', ip === null ? null : addressKey(ip), 'Too many requests from your network.');
    const body = validate(SessionRequest, await readJson(c, false));
    const { destination, provider, mode } = resolveDestination(body.destination, body.mode);
    note(c, { provider: destination.provider, destination: body.destination, mode });
    if (config.captcha) await verifyCaptcha(config.captcha, { token: body.captchaToken, remoteIp: ip, onWarning });
    const providerState = 'openSession' in provider ? await provider.openSession({ locale: body.locale }) : {};
    const id = newId();
    const issuedAt = now();
    const expiresAt = issuedAt + config.sessionTtlSeconds * 1000;
    const origin = c.req.header('Origin');
    const token = await signer.sign({
      jti: id,
      dst: body.destination,
      mode,
      org: origin === undefined ? null : normalizeOrigin(origin),
      iat: Math.floor(issuedAt / 1000),
      exp: Math.ceil(expiresAt / 1000),
    });
    const session: SessionRecord = {
      id,
      destination: body.destination,
      provider: destination.provider,
      mode,
      expiresAt,
      keepUntil: expiresAt,
      providerState,
    };
    await stores.sessions.set(id, session, session.keepUntil);
    const answer: SessionResponse = {
      token,
      expiresAt: session.expiresAt,
      provider: session.provider,
      mode,
      ...('iceServers' in provider && provider.iceServers ? { iceServers: provider.iceServers } : {}),
    };
    return c.json(answer, 201);
  });

  /**
   * The session a request's token names. `start`: the token must be within its life and come
   * from the origin it was minted on. `call` (events, hang-up): the token's call decides how
   * long it is good; a same-origin GET may carry no Origin at all.
   */
  async function sessionOf(c: Context, purpose: 'start' | 'call'): Promise<{ claims: SessionClaims; session: SessionRecord }> {
    const header = c.req.header('Authorization') ?? '';
    const match = header.length <= MAX_AUTHORIZATION_LENGTH ? BEARER.exec(header) : null;
    if (!match?.[1]) throw new C2CError(ErrorCode.Unauthorized, 'Send the session token as "Authorization: Bearer <token>".');
    const claims = await signer.verify(match[1]);
    const origin = c.req.header('Origin');
    const from = origin === undefined ? null : normalizeOrigin(origin);
    if (purpose === 'start' ? from !== claims.org : origin !== undefined && from !== claims.org) {
      throw new C2CError(ErrorCode.OriginNotAllowed, 'This session belongs to another origin.');
    }
    if (purpose === 'start' && now() >= claims.exp * 1000) {
      throw new C2CError(ErrorCode.SessionExpired, 'The session token has expired; start a new session.');
    }
    const session = await stores.sessions.get(claims.jti);
    if (!session) throw new C2CError(ErrorCode.SessionExpired, 'The session token is unknown or has expired; start a new session.');
    // The record keeps the exact millisecond (the claim is rounded up to a second).
    if (purpose === 'start' && now() >= session.expiresAt) {
      throw new C2CError(ErrorCode.SessionExpired, 'The session token has expired; start a new session.');
    }
    return { claims, session };
  }

  function providerOf(session: SessionRecord): Provider {
    const provider = providers.get(session.provider);
    if (!provider) throw new C2CError(ErrorCode.InternalError, `Provider ${session.provider} is not configured.`);
    return provider;
  }

  async function callOf(c: Context, session: SessionRecord): Promise<CallRecord> {
    const callId = c.req.param('callId') ?? '';
    const call = await stores.calls.get(callId);
    note(c, { provider: session.provider, destination: session.destination, callId: call ? callId : undefined });
    if (!call || call.sessionId !== session.id) throw new C2CError(ErrorCode.CallNotFound, `No call '${callId}' in this session.`);
    return call;
  }

  /** Keeps the session and the call alive while the visitor is still polling. */
  async function touch(session: SessionRecord, call: CallRecord): Promise<void> {
    const keepUntil = now() + callIdleMs;
    session.keepUntil = Math.max(session.keepUntil, keepUntil);
    call.keepUntil = keepUntil;
    await stores.sessions.set(session.id, session, session.keepUntil);
    await stores.calls.set(call.callId, call, call.keepUntil);
  }

  api.post('/calls', async (c) => {
    const { claims, session } = await sessionOf(c, 'start');
    note(c, { provider: session.provider, destination: session.destination, mode: session.mode });
    const request = validate(StartCallRequest, await readJson(c, true));
    if (session.destination !== claims.dst || (request.destination !== undefined && request.destination !== claims.dst)) {
      throw new C2CError(ErrorCode.Unauthorized, 'This session token is for another destination.');
    }
    // Single use: claimed before anything is asked of the vendor, so two racing starts cannot both call.
    const claim = `start:${claims.jti}`;
    if (session.callId || !(await stores.claims.claim(claim, claims.exp * 1000))) {
      throw new C2CError(ErrorCode.Unauthorized, 'This session token has already started a call; start a new session.');
    }
    try {
      return await startCall(c, session, request);
    } catch (error) {
      // Nothing was started: the token may try again while it lives.
      await stores.claims.release(claim);
      throw error;
    }
  });

  async function startCall(c: Context, session: SessionRecord, request: StartCallRequest): Promise<Response> {
    const destination = config.destinations[session.destination];
    if (!destination) throw new C2CError(ErrorCode.UnknownDestination, `Destination '${session.destination}' is no longer configured.`);
    const ip = ipOf(c);
    await enforce(c, 'callsPerIp', ip === null ? null : addressKey(ip), 'Too many calls from your network.');
    await enforce(c, 'callsPerDestination', session.destination, 'Too many calls right now.');
    let phone: string | null = null;
    if (session.mode === 'callback') {
      phone = checkPhone(request.phone, { countries: (destination as { countries?: string[] }).countries });
      // Callback bombing: one number rung again and again.
      note(c, { phone });
      await enforce(c, 'numberCooldown', phone, 'We called this number a moment ago.');
      await enforce(c, 'callsPerNumber', phone, 'Too many calls to this number.');
    }
    // The circuit breaker counts last, so that refusals above do not trip it for everyone.
    await enforce(c, 'callsTotal', 'all', 'The call service is busy.');
    let started: Awaited<ReturnType<CallbackProvider['startCall']>> | null = null;
    if (session.mode === 'callback' && phone !== null) {
      const vendor = callbacks.provider(session.provider);
      let scheduledAt = request.scheduledAt;
      let booking: { key: string; keepUntil: number } | null = null;
      if (scheduledAt !== undefined) {
        if (!vendor.canSchedule) throw new C2CError(ErrorCode.NotSupported, 'This destination cannot book a call for later.', { status: 400 });
        const at = Date.parse(scheduledAt);
        if (!Number.isFinite(at) || at <= now()) {
          throw new C2CError(ErrorCode.InvalidRequest, 'scheduledAt must be a time in the future (ISO 8601).');
        }
        scheduledAt = new Date(at).toISOString();
        if (destination.schedule) {
          if (!(await slotsOf(session.destination)).includes(scheduledAt)) {
            throw new C2CError(ErrorCode.InvalidRequest, 'This time can no longer be booked; please pick another.', { status: 409 });
          }
          booking = { key: `${session.destination}|${scheduledAt}`, keepUntil: at + 86_400_000 };
          await stores.bookings.set(booking.key, ((await stores.bookings.get(booking.key)) ?? 0) + 1, booking.keepUntil);
        }
      }
      try {
        started = await vendor.startCall({ destination, phone, scheduledAt });
      } catch (error) {
        // The vendor refused: the time is free again.
        if (booking) await stores.bookings.set(booking.key, Math.max(0, ((await stores.bookings.get(booking.key)) ?? 1) - 1), booking.keepUntil);
        throw error;
      }
    } else {
      const provider = providerOf(session);
      try {
        await provider.startCall(session.providerState, { destination, request });
      } finally {
        // Saves renewed vendor tokens even when the start failed.
        await stores.sessions.set(session.id, session, session.keepUntil);
      }
    }
    const callId = newId();
    const createdAt = now();
    const call: CallRecord = {
      callId,
      sessionId: session.id,
      provider: session.provider,
      status: 'active',
      final: false,
      hungUp: false,
      seenEventIds: [],
      recentEvents: [],
      seq: 0,
      createdAt,
      keepUntil: createdAt + callIdleMs,
    };
    session.callId = callId;
    note(c, { callId, vendorCallId: started?.vendorCallId, scheduled: request.scheduledAt === undefined ? undefined : true });
    await touch(session, call);
    if (started) await callbacks.started(call, started.vendorCallId, started.events ?? []);
    const answer: StartCallResponse = { callId };
    return c.json(answer, 201);
  }

  api.get('/calls/:callId/events', async (c) => {
    const { session } = await sessionOf(c, 'call');
    let call = await callOf(c, session);
    const after = c.req.query('after');
    if (session.mode === 'callback') {
      await touch(session, call);
      const from = c.req.header('Last-Event-ID') ?? after ?? null;
      if ((c.req.header('Accept') ?? '').includes('text/event-stream')) {
        note(c, { stream: true });
        return new Response(callbacks.stream(call.callId, from, c.req.raw.signal), {
          headers: {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-store',
            // Tells nginx-style proxies not to buffer the stream.
            'x-accel-buffering': 'no',
          },
        });
      }
      const events = await callbacks.waitFor(call.callId, from, longPollMs, c.req.raw.signal);
      note(c, { events: events.length });
      return c.json({ events } satisfies EventsResponse);
    }
    const replay = resumeFrom(call, after);
    if (replay) return c.json({ events: replay } satisfies EventsResponse);
    if (call.final) {
      const last = call.recentEvents.at(-1);
      return c.json({ events: last && last.id !== after ? [last] : [] } satisfies EventsResponse);
    }

    const provider = providerOf(session);
    let seq = call.seq;
    let polled: CallEvent[];
    try {
      polled = await provider.pollEvents(session.providerState, () => `s${++seq}`);
    } finally {
      await stores.sessions.set(session.id, session, session.keepUntil);
    }
    // The visitor may have hung up while the long poll was held: re-read before appending.
    call = (await stores.calls.get(call.callId)) ?? call;
    call.seq = Math.max(call.seq, seq);
    const fresh: CallEvent[] = [];
    for (const event of polled) {
      if (call.final) break;
      if (call.seenEventIds.includes(event.id)) continue;
      const checked = CallEventSchema.safeParse(event);
      if (!checked.success) continue;
      fresh.push(event);
      remember(call, event);
    }
    await touch(session, call);
    note(c, { events: fresh.length });
    return c.json({ events: fresh } satisfies EventsResponse);
  });

  api.post('/calls/:callId/hangup', async (c) => {
    const { session } = await sessionOf(c, 'call');
    const call = await callOf(c, session);
    if (call.final || call.hungUp) return c.json({ ok: true } satisfies HangupResponse);
    if (session.mode === 'callback') {
      const { dropped } = await callbacks.hangup(call);
      const latest = (await stores.calls.get(call.callId)) ?? call;
      latest.hungUp = true;
      await stores.calls.set(latest.callId, latest, latest.keepUntil);
      await callbacks.append(latest.callId, { vendorCallId: latest.vendorCallId ?? '', type: 'ended', reason: 'visitor-hangup', vendorEventId: 'visitor-hangup' });
      note(c, { dropped });
      return c.json({ ok: dropped } satisfies HangupResponse);
    }
    const provider = providerOf(session);
    let dropped: boolean;
    try {
      ({ dropped } = await provider.hangup(session.providerState));
    } finally {
      await stores.sessions.set(session.id, session, session.keepUntil);
    }
    const latest = (await stores.calls.get(call.callId)) ?? call;
    latest.hungUp = true;
    if (!latest.final) remember(latest, { id: `s${++latest.seq}`, type: 'ended', reason: 'visitor-hangup' });
    await touch(session, latest);
    note(c, { dropped });
    return c.json({ ok: dropped } satisfies HangupResponse);
  });

  // Vendors call these; they carry no Origin and are checked by the provider (signature, secret).
  const webhook = async (c: Context) => {
    const name = c.req.param('provider') ?? '';
    const url = new URL(c.req.url);
    const prefix = `${basePath}/webhooks/${name}`;
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => (headers[key] = value));
    note(c, { provider: name });
    let reply: Awaited<ReturnType<typeof callbacks.webhook>>;
    try {
      reply = await callbacks.webhook(name, {
        method: c.req.method,
        path: url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '',
        query: Object.fromEntries(url.searchParams),
        headers,
        body: await c.req.text(),
      });
    } catch (error) {
      // A forged or misdirected call of a webhook: worth an operator's look. Its signature and
      // secret stay out of the log (the path is not logged, headers are not logged).
      if (error instanceof C2CError && (error.status === 401 || error.status === 403)) {
        log.warn('webhook-rejected', { requestId: c.get('requestId'), provider: name, code: error.code, reason: error.message });
      }
      throw error;
    }
    return c.body(reply.body, reply.status as 200, { 'content-type': reply.contentType });
  };
  api.on(['GET', 'POST'], '/webhooks/:provider', webhook);
  api.on(['GET', 'POST'], '/webhooks/:provider/*', webhook);

  const handler = async (request: Request, info?: C2CRequestInfo) => app.fetch(request, info);
  return Object.assign(handler, { close: () => callbacks.close() });
}

/**
 * Events delivered after `after`, when a client resumes a poll whose answer it lost. Without
 * `after` the client has seen no event yet: every event delivered so far was lost on the way.
 */
function resumeFrom(call: CallRecord, after: string | undefined): CallEvent[] | null {
  if (after === undefined) return call.recentEvents.length > 0 ? [...call.recentEvents] : null;
  const index = call.recentEvents.findIndex((event) => event.id === after);
  if (index < 0 || index === call.recentEvents.length - 1) return null;
  return call.recentEvents.slice(index + 1);
}

function remember(call: CallRecord, event: CallEvent): void {
  call.seenEventIds.push(event.id);
  if (call.seenEventIds.length > SEEN_EVENT_IDS) call.seenEventIds.splice(0, call.seenEventIds.length - SEEN_EVENT_IDS);
  call.recentEvents.push(event);
  if (call.recentEvents.length > RECENT_EVENTS) call.recentEvents.splice(0, call.recentEvents.length - RECENT_EVENTS);
  if (FINAL_EVENT_TYPES.has(event.type)) {
    call.final = true;
    call.status = event.type === 'failed' ? 'failed' : 'ended';
  }
}
