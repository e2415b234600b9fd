/**
 * Huawei AICC web click-to-dial, relayed. The app key/secret and the AccessToken stay here;
 * the browser sees only our own session token and the mapped call events.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.ts';
import type { CallEvent, IceServer } from '../../protocol/index.ts';
import type { HuaweiConfig } from '../config.ts';
import { C2CError, type Provider, type ProviderState } from '../provider.ts';
import {
  ApplyTokenAnswer,
  CheckSupportAnswer,
  CREATE_RESULT,
  CreateClickToCallAnswer,
  DropClickToCallAnswer,
  EVENT_DESC,
  EVENT_ID_CONNECTED,
  EventsAnswer,
  GatewayErrorAnswer,
  PATHS,
  TokenByAkSkAnswer,
} from './huawei-schemas.ts';
import type * as z from 'zod';

export interface HuaweiProviderOptions {
  /** Clock for the token cache (tests move it forward). */
  now?: () => number;
  /** Per-request timeout for everything but the events long poll. */
  requestTimeoutMs?: number;
  /** getClickToCallEvents is a long poll: it may legitimately hold for a while. */
  eventsTimeoutMs?: number;
  /** How long one checkClickToCallSupport answer is trusted. */
  supportCacheMs?: number;
  /**
   * After each AccessToken request (tokenByAkSk): whether it worked, how long it took, why it
   * was asked for (`expired`: none cached or near its end; `rejected`: Huawei refused the
   * cached one), and the new token's life. Never the token.
   */
  onTokenRefresh?: (info: { ok: boolean; reason: 'expired' | 'rejected'; durationMs: number; expiresInSeconds?: number; code?: string }) => void;
}

/** Per-visitor Huawei state, stored in the session record. */
export interface HuaweiVisitor extends ProviderState {
  userId: string;
  ccToken: string;
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

function isVisitor(state: ProviderState): state is HuaweiVisitor {
  return typeof state.userId === 'string' && typeof state.ccToken === 'string';
}

function visitorOf(state: ProviderState): HuaweiVisitor {
  if (!isVisitor(state)) throw new C2CError(ErrorCode.InternalError, 'session has no Huawei visitor state');
  return state;
}

/** Refresh a little before Huawei's expiry so no request carries a token that dies in flight. */
function refreshMarginSeconds(lifetime: number): number {
  return Math.min(60, Math.max(1, lifetime * 0.1));
}

function statusError(api: string, answer: Answer): C2CError {
  const parsed = GatewayErrorAnswer.safeParse(safeJson(answer.text));
  const detail = parsed.success && (parsed.data.errorCode || parsed.data.exceptionInfo)
    ? ` (${[parsed.data.errorCode, parsed.data.exceptionInfo].filter(Boolean).join(': ')})`
    : '';
  const status = answer.status;
  // Huawei documents 400 bad request, 401 unauthorized, 404 wrong path, 500 business failure:
  // all are refusals that a retry will not fix. Other 5xx are gateways in trouble.
  if (status >= 500 && status !== 500) {
    return new C2CError(ErrorCode.VendorUnavailable, `Huawei ${api} is unavailable (HTTP ${status})${detail}`);
  }
  return new C2CError(ErrorCode.VendorRejected, `Huawei ${api} refused the request (HTTP ${status})${detail}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseAnswer<T extends z.ZodType>(api: string, schema: T, answer: Answer): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch (cause) {
    throw new C2CError(ErrorCode.InvalidResponse, `Huawei ${api} answered with malformed JSON`, { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new C2CError(ErrorCode.InvalidResponse, `Huawei ${api} answered with an unexpected body`, { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * Maps one getClickToCallEvents answer to a protocol event: resultDesc first, eventId second.
 * Returns null for "keep polling" (no events, unknown events, anything not understood).
 */
export function mapHuaweiEvent(answer: z.output<typeof EventsAnswer>, nextId: () => string): CallEvent | null {
  if (answer.resultCode !== '0') return null;
  const id = answer.eventId !== undefined && answer.eventId !== null && String(answer.eventId) !== ''
    ? String(answer.eventId)
    : nextId();
  const content = answer.content ?? {};
  const desc = answer.resultDesc?.trim();
  const connected = desc === EVENT_DESC.connected || (desc === undefined || !isKnownDesc(desc)) && String(answer.eventId) === EVENT_ID_CONNECTED;
  if (connected) {
    const { domain, gwAddresses, accessCode, clickToCallCaller } = content;
    const addresses = (gwAddresses ?? []).filter((a) => a.trim() !== '');
    if (!domain || !accessCode || addresses.length === 0) {
      return { id, type: 'failed', code: ErrorCode.InvalidResponse, message: 'The contact center connected the call without a usable WebRTC gateway.' };
    }
    return { id, type: 'media', gateway: { domain, addresses, target: accessCode, caller: clickToCallCaller || 'AnonymousCard' } };
  }
  switch (desc) {
    case EVENT_DESC.queued:
      return { id, type: 'queued' };
    case EVENT_DESC.disconnected:
      return { id, type: 'ended', reason: 'agent-hangup' };
    case EVENT_DESC.queueTimeout:
      return { id, type: 'failed', code: ErrorCode.QueueTimeout, message: content.causeDesc || 'No agent answered in time.' };
    case EVENT_DESC.failed:
      return { id, type: 'failed', code: ErrorCode.CallFailed, message: content.causeDesc || 'The call failed.' };
    default:
      return null;
  }
}

function isKnownDesc(desc: string): boolean {
  return (Object.values(EVENT_DESC) as string[]).includes(desc);
}

export class HuaweiProvider implements Provider {
  readonly name = 'huawei' as const;
  readonly modes = ['webrtc'] as const;
  readonly iceServers: IceServer[] | undefined;
  readonly #config: HuaweiConfig;
  readonly #now: () => number;
  readonly #requestTimeoutMs: number;
  readonly #eventsTimeoutMs: number;
  readonly #supportCacheMs: number;
  readonly #onTokenRefresh: HuaweiProviderOptions['onTokenRefresh'];
  #token: CachedToken | undefined;
  #tokenInFlight: Promise<string> | undefined;
  #support: { at: number; supported: boolean; desc: string } | undefined;
  #supportInFlight: Promise<{ supported: boolean; desc: string }> | undefined;

  constructor(config: HuaweiConfig, options: HuaweiProviderOptions = {}) {
    this.#config = config;
    this.iceServers = config.iceServers;
    this.#now = options.now ?? Date.now;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.#eventsTimeoutMs = options.eventsTimeoutMs ?? 10_000;
    this.#supportCacheMs = options.supportCacheMs ?? 60_000;
    this.#onTokenRefresh = options.onTokenRefresh;
  }

  /**
   * The shared AccessToken. Cached until shortly before it expires; one tokenByAkSk in flight
   * however many callers wait. `rejected` is a token the vendor just refused: only that exact
   * token is thrown away, so fifty callers hitting the same 401 cause one refresh.
   */
  async accessToken(rejected?: string): Promise<string> {
    const cached = this.#token;
    if (cached && cached.value !== rejected && this.#now() < cached.refreshAt) return cached.value;
    if (cached && cached.value === rejected) this.#token = undefined;
    this.#tokenInFlight ??= this.#refresh(cached !== undefined && cached.value === rejected ? 'rejected' : 'expired').finally(() => {
      this.#tokenInFlight = undefined;
    });
    return this.#tokenInFlight;
  }

  async #refresh(reason: 'expired' | 'rejected'): Promise<string> {
    const started = performance.now();
    const durationMs = () => Math.round(performance.now() - started);
    try {
      const token = await this.#fetchAccessToken();
      const expiresInSeconds = this.#token ? Math.round((this.#token.refreshAt - this.#now()) / 1000) : undefined;
      this.#onTokenRefresh?.({ ok: true, reason, durationMs: durationMs(), ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }) });
      return token;
    } catch (error) {
      this.#onTokenRefresh?.({ ok: false, reason, durationMs: durationMs(), code: error instanceof C2CError ? error.code : 'internal-error' });
      throw error;
    }
  }

  async #fetchAccessToken(): Promise<string> {
    const api = 'tokenByAkSk';
    const answer = await this.#send(api, PATHS.tokenByAkSk, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Token-Expire': String(this.#config.tokenExpireSeconds) },
      body: JSON.stringify({ app_key: this.#config.appKey, app_secret: this.#config.appSecret }),
    });
    if (answer.status !== 200) throw statusError(api, answer);
    const data = parseAnswer(api, TokenByAkSkAnswer, answer);
    const lifetime = data.Expires;
    this.#token = { value: data.AccessToken, refreshAt: this.#now() + (lifetime - refreshMarginSeconds(lifetime)) * 1000 };
    return data.AccessToken;
  }

  async openSession(input: { locale?: string | undefined }): Promise<HuaweiVisitor> {
    // 32 hex chars: the documented maximum length of userId, and unguessable.
    const userId = randomBytes(16).toString('hex');
    const locale = input.locale && /^[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?$/.test(input.locale)
      ? input.locale.replace('-', '_')
      : this.#config.locale;
    const ccToken = await this.#applyToken(userId, locale);
    return { userId, ccToken, locale };
  }

  async #applyToken(userId: string, locale: string, retried = false): Promise<string> {
    const api = 'applyToken';
    const accessToken = await this.accessToken();
    const answer = await this.#send(api, PATHS.applyToken, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'x-app-key': this.#config.appKey,
        Authorization: `Bearer ${accessToken}`,
      },
      body: JSON.stringify({ userId, userName: this.#config.userName, channelId: this.#config.channelId, locale }),
    });
    if (answer.status === 401 || answer.status === 403) {
      if (retried) throw new C2CError(ErrorCode.VendorRejected, 'Huawei applyToken: unauthorized even with a fresh AccessToken');
      await this.accessToken(accessToken);
      return this.#applyToken(userId, locale, true);
    }
    if (answer.status !== 200) throw statusError(api, answer);
    const data = parseAnswer(api, ApplyTokenAnswer, answer);
    if (data.resultCode !== '0' || !data.token) {
      throw new C2CError(ErrorCode.VendorRejected, `Huawei applyToken refused (resultCode ${data.resultCode}${data.resultDesc ? `: ${data.resultDesc}` : ''})`);
    }
    return data.token;
  }

  async startCall(state: ProviderState, input: { destination: { mediaAbility: '0' } }): Promise<void> {
    const visitor = visitorOf(state);
    const support = await this.#checkSupport(visitor);
    if (!support.supported) {
      throw new C2CError(ErrorCode.NotSupported, `Click-to-call over WebRTC is not enabled for this channel${support.desc ? ` (${support.desc})` : ''}.`);
    }
    const answer = await this.#ccmessaging(visitor, 'createClickToCall', 'POST', PATHS.createClickToCall, {
      channel: 'WEB',
      mediaAbility: input.destination.mediaAbility,
    });
    const data = parseAnswer('createClickToCall', CreateClickToCallAnswer, answer);
    const desc = data.resultDesc ? ` (${data.resultDesc})` : '';
    switch (data.resultCode) {
      case CREATE_RESULT.ok:
        return;
      case CREATE_RESULT.noClickToCall:
        throw new C2CError(ErrorCode.NotSupported, `This channel does not offer click-to-call${desc}.`);
      case CREATE_RESULT.outsideWorkingHours:
        throw new C2CError(ErrorCode.OutsideBusinessHours, `The contact center is outside its working hours${desc}.`);
      case CREATE_RESULT.failed:
        throw new C2CError(ErrorCode.NoAgentAvailable, `No agent is available${desc}.`);
      default:
        throw new C2CError(ErrorCode.VendorRejected, `Huawei createClickToCall refused (resultCode ${data.resultCode})${desc}.`);
    }
  }

  async #checkSupport(visitor: HuaweiVisitor): Promise<{ supported: boolean; desc: string }> {
    const cached = this.#support;
    if (cached && this.#now() - cached.at < this.#supportCacheMs) return cached;
    this.#supportInFlight ??= (async () => {
      const api = 'checkClickToCallSupport';
      const answer = await this.#ccmessaging(visitor, api, 'GET', `${PATHS.checkClickToCallSupport}?channel=WEB`);
      const data = parseAnswer(api, CheckSupportAnswer, answer);
      if (data.resultCode !== '0') {
        throw new C2CError(ErrorCode.VendorRejected, `Huawei ${api} refused (resultCode ${data.resultCode})`);
      }
      const supported = data.clickToCallSupported === true && data.webRTCSupported === true;
      const result = { supported, desc: data.resultDesc ?? '' };
      this.#support = { at: this.#now(), ...result };
      return result;
    })().finally(() => {
      this.#supportInFlight = undefined;
    });
    return this.#supportInFlight;
  }

  async pollEvents(state: ProviderState, nextId: () => string): Promise<CallEvent[]> {
    const visitor = visitorOf(state);
    const api = 'getClickToCallEvents';
    const answer = await this.#ccmessaging(visitor, api, 'GET', `${PATHS.getClickToCallEvents}?channel=WEB`, undefined, this.#eventsTimeoutMs);
    const data = parseAnswer(api, EventsAnswer, answer);
    if (data.resultCode !== '0') {
      throw new C2CError(ErrorCode.VendorRejected, `Huawei ${api} refused (resultCode ${data.resultCode}${data.resultDesc ? `: ${data.resultDesc}` : ''})`);
    }
    const event = mapHuaweiEvent(data, nextId);
    return event ? [event] : [];
  }

  async hangup(state: ProviderState): Promise<{ dropped: boolean }> {
    const visitor = visitorOf(state);
    const answer = await this.#ccmessaging(visitor, 'dropClickToCall', 'POST', PATHS.dropClickToCall, { channel: 'WEB' });
    const data = parseAnswer('dropClickToCall', DropClickToCallAnswer, answer);
    // 13 = "disconnect failed": usually nothing left to drop (the agent hung up first).
    return { dropped: data.resultCode === '0' };
  }

  /**
   * One ccmessaging call with the three headers. Adopts a renewed ccmessaging-token; on 401 or
   * 403 refreshes the AccessToken, applies for a new ccmessaging-token (same userId, so the
   * call stays bound) and retries once.
   */
  async #ccmessaging(
    visitor: HuaweiVisitor,
    api: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      const accessToken = await this.accessToken();
      const headers: Record<string, string> = {
        'ccmessaging-token': visitor.ccToken,
        'x-app-key': this.#config.appKey,
        Authorization: `Bearer ${accessToken}`,
      };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const answer = await this.#send(api, path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }, timeoutMs);
      const renewed = answer.headers.get('ccmessaging-token');
      if (renewed && renewed !== visitor.ccToken) visitor.ccToken = renewed;
      // An expired AccessToken is documented both as 401 and as 403 "auth fail! illegal or
      // expired token info" (applyToken already treats both alike).
      if (answer.status === 401 || answer.status === 403) {
        if (attempt > 0) throw new C2CError(ErrorCode.VendorRejected, `Huawei ${api}: unauthorized even after renewing the tokens`);
        await this.accessToken(accessToken);
        const locale = typeof visitor.locale === 'string' ? visitor.locale : this.#config.locale;
        visitor.ccToken = await this.#applyToken(visitor.userId, locale);
        continue;
      }
      if (answer.status < 200 || answer.status >= 300) throw statusError(api, answer);
      return answer;
    }
  }

  async #send(api: string, path: string, init: RequestInit, timeoutMs = this.#requestTimeoutMs): Promise<Answer> {
    try {
      return await httpSend(`${this.#config.baseUrl}${path}`, init, timeoutMs);
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw new C2CError(
        ErrorCode.VendorUnavailable,
        timedOut ? `Huawei ${api} did not answer within ${timeoutMs} ms` : `Huawei ${api} could not be reached`,
        { cause },
      );
    }
  }
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * One request with node:http(s) and keep-alive sockets. fetch (undici) cost the endpoint about
 * twice the CPU per vendor call on the session route, which calls applyToken for each visitor.
 * No redirects are followed (a 3xx is returned as is); the body is read as text.
 */
function httpSend(url: string, init: RequestInit, timeoutMs: number): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    const body = typeof init.body === 'string' ? init.body : undefined;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      { method: init.method ?? 'GET', headers, agent: secure ? agents.https : agents.http },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => {
          clearTimeout(timer);
          const answerHeaders = new Headers();
          for (const [key, value] of Object.entries(response.headers)) {
            if (value !== undefined) answerHeaders.set(key, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve({ status: response.statusCode ?? 0, headers: answerHeaders, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error);
    }
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      error.name = 'TimeoutError';
      request.destroy(error);
    }, timeoutMs);
    request.on('error', fail);
    request.end(body);
  });
}
