/**
 * A Huawei AICC web click-to-dial simulator, built from Huawei's documents only (the
 * getClickToCallEvents page and vendors/huawei-click-to-dial.md): same paths, headers, bodies,
 * result codes and quirks (eventId as a NUMBER in "Call connected", the `"resultDesc:"` key in
 * the createClickToCall answer). Where the documents are silent the choice is marked [inf].
 *
 * Kept apart from the product: imports Node built-ins only, never src/server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, readBody } from './listen.ts';

export const HUAWEI_PATHS = {
  tokenByAkSk: '/apigovernance/api/oauth/tokenByAkSk',
  applyToken: '/apiaccess/ccmessaging/applyToken',
  checkClickToCallSupport: '/apiaccess/ccmessaging/v1/checkClickToCallSupport',
  createClickToCall: '/apiaccess/ccmessaging/v1/createClickToCall',
  getClickToCallEvents: '/apiaccess/ccmessaging/v1/getClickToCallEvents',
  dropClickToCall: '/apiaccess/ccmessaging/v1/dropClickToCall',
} as const;

export interface SimGateway {
  domain: string;
  gwAddresses: string[];
  accessCode: string;
  clickToCallCaller?: string;
}

/** What happens to one call after createClickToCall. */
export interface CallScript {
  /** createClickToCall resultCode: "0" ok, "7" no click-to-call, "12" outside hours, "13" failed. */
  createResult?: '0' | '7' | '12' | '13';
  /** After the queue time: connect, time out in the queue, fail, or stay queued ("hold"). */
  outcome?: 'connect' | 'queue-timeout' | 'failed' | 'hold';
  /** ms in queue before the outcome. */
  queueMs?: number;
  /** After connecting, the agent hangs up after this many ms ("Call disconnected"). */
  agentHangupAfterMs?: number;
  causeDesc?: string;
  causeId?: string;
  /** This call's gateway addresses instead of the simulator's (e.g. a dead first address). */
  gwAddresses?: string[];
}

/**
 * An injected answer: an HTTP status (with the gateway's error body unless `body` is given),
 * or a 200 with malformed JSON; `delayMs` holds the answer first (alone: then answers normally).
 */
export interface Fault {
  status?: 400 | 401 | 403 | 404 | 500 | 502 | 503;
  body?: unknown;
  malformed?: boolean;
  delayMs?: number;
}

export interface HuaweiSimulatorOptions {
  appKey?: string;
  appSecret?: string;
  channelId?: string;
  gateway?: Partial<SimGateway>;
  /** Default script for calls without a queued one. */
  script?: CallScript;
  /** Longest time getClickToCallEvents holds before "ClickToCall polled without any events". */
  longPollMs?: number;
  /** Upper bound of an AccessToken's life in seconds (X-Token-Expire may ask for less). */
  tokenLifetimeSeconds?: number;
  /** ccmessaging-token life in seconds (documented: 1 hour). */
  ccTokenLifetimeSeconds?: number;
  support?: { webRTCSupported?: boolean; clickToCallSupported?: boolean };
  /**
   * How the gateway refuses an expired or unknown AccessToken. The documents give both: 401
   * ("expired token") and 403 "auth fail! illegal or expired token info". Default 401.
   */
  expiredAccessTokenStatus?: 401 | 403;
  /** Loopback host to listen on. */
  host?: string;
  port?: number;
}

export interface RequestLogEntry {
  at: number;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
  responseBody: string;
  responseHeaders: Record<string, string>;
}

export interface SimCallInfo {
  userId: string;
  status: 'queued' | 'connected' | 'ended' | 'failed' | 'dropped';
  script: CallScript;
  pendingEvents: number;
}

interface SimCall {
  userId: string;
  status: SimCallInfo['status'];
  script: CallScript;
  pending: Record<string, unknown>[];
  waiters: Set<() => void>;
  timers: Set<NodeJS.Timeout>;
}

interface Issued {
  expiresAt: number;
}

const DEFAULT_GATEWAY: SimGateway = {
  domain: 'webrtc.sim.invalid',
  gwAddresses: ['wss://127.0.0.1:1/ws'],
  accessCode: '179080000537636',
  clickToCallCaller: 'AnonymousCard',
};

/** [inf] Only 168101 (connected) is documented; the others are invented and sent as strings. */
const EVENT_IDS = { queued: '168100', connected: 168101, disconnected: '168102', queueTimeout: '168103', failed: '168104' } as const;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface HuaweiSimulator {
  url: string;
  close(): Promise<void>;
  /** Requests per path, e.g. count('tokenByAkSk') or count(HUAWEI_PATHS.tokenByAkSk). */
  count(path: string): number;
  requests: RequestLogEntry[];
  state: {
    calls(): SimCallInfo[];
    /** Every AccessToken and ccmessaging-token handed out, to check none leaks. */
    issuedSecrets(): string[];
    users(): string[];
  };
  control: {
    /** Script for the next createClickToCall (FIFO); the default script applies otherwise. */
    scriptNextCall(script: CallScript): void;
    /** Replaces the default script (unset fields: create "0", connect after 300 ms). */
    setDefaultScript(script: CallScript): void;
    /** The next `times` requests to `path` (full path or last segment) answer with the fault. */
    failNext(path: string, fault: Fault, times?: number): void;
    /** Invalidates every AccessToken: the next ccmessaging call answers 401. */
    expireAccessTokens(): void;
    /** From now on an expired or unknown AccessToken is refused with this status (401 or 403). */
    refuseExpiredAccessTokensWith(status: 401 | 403): void;
    /** Invalidates every ccmessaging-token: the next ccmessaging call answers 401. */
    expireCcTokens(): void;
    /** The next ccmessaging answer carries a renewed `ccmessaging-token` header; the old one dies. */
    renewCcTokenOnNextAnswer(): void;
    /** Queues a raw getClickToCallEvents answer for a user's call (default: the latest call). */
    pushEvent(raw: Record<string, unknown>, userId?: string): void;
    /** Moves a queued call to its outcome now (a held call connects unless `outcome` says otherwise). */
    connectNow(userId?: string, outcome?: Exclude<CallScript['outcome'], 'hold' | undefined>): void;
    /** The agent hangs up now: "Call disconnected". */
    agentHangup(userId?: string): void;
    setSupport(support: { webRTCSupported?: boolean; clickToCallSupported?: boolean }): void;
  };
}

export async function startHuaweiSimulator(options: HuaweiSimulatorOptions = {}): Promise<HuaweiSimulator> {
  const appKey = options.appKey ?? 'sim-app-key';
  const appSecret = options.appSecret ?? 'sim-app-secret';
  const channelId = options.channelId ?? 'sim-web-channel';
  const gateway: SimGateway = { ...DEFAULT_GATEWAY, ...options.gateway };
  const baseScript: CallScript = { createResult: '0', outcome: 'connect', queueMs: 300 };
  let defaultScript: CallScript = { ...baseScript, ...options.script };
  const longPollMs = options.longPollMs ?? 1000;
  const tokenLifetime = options.tokenLifetimeSeconds ?? 3600;
  const ccTokenLifetime = options.ccTokenLifetimeSeconds ?? 3600;
  let support = { webRTCSupported: true, clickToCallSupported: true, ...options.support };
  let expiredAccessTokenStatus: 401 | 403 = options.expiredAccessTokenStatus ?? 401;

  const accessTokens = new Map<string, Issued>();
  const ccTokens = new Map<string, Issued & { userId: string }>();
  const issued: string[] = [];
  const calls = new Map<string, SimCall>(); // userId -> latest call
  const users = new Set<string>();
  const scripts: CallScript[] = [];
  const faults: Array<{ path: string; fault: Fault; times: number }> = [];
  const requests: RequestLogEntry[] = [];
  const counts = new Map<string, number>();
  const openResponses = new Set<ServerResponse>();
  let renewOnNext = false;
  let lastUserId: string | undefined;

  function callOf(userId?: string): SimCall | undefined {
    const id = userId ?? lastUserId;
    return id === undefined ? undefined : calls.get(id);
  }

  function deliver(call: SimCall, event: Record<string, unknown>): void {
    call.pending.push(event);
    for (const wake of call.waiters) wake();
  }

  function later(call: SimCall, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      call.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    call.timers.add(timer);
  }

  function clearTimers(call: SimCall): void {
    for (const timer of call.timers) clearTimeout(timer);
    call.timers.clear();
  }

  function outcome(call: SimCall): void {
    if (call.status !== 'queued') return;
    clearTimers(call);
    const { script } = call;
    const cause = { causeId: script.causeId ?? '', causeDesc: script.causeDesc ?? '' };
    switch (script.outcome ?? 'connect') {
      case 'hold':
        return;
      case 'queue-timeout':
        call.status = 'failed';
        deliver(call, { resultCode: '0', resultDesc: 'Call queued timeout', eventId: EVENT_IDS.queueTimeout, content: { ...cause, causeDesc: cause.causeDesc || 'Queuing timed out.' } });
        return;
      case 'failed':
        call.status = 'failed';
        deliver(call, { resultCode: '0', resultDesc: 'Call failed', eventId: EVENT_IDS.failed, content: { ...cause, causeDesc: cause.causeDesc || 'The call failed.' } });
        return;
      case 'connect':
        call.status = 'connected';
        // The documented sample: eventId is a number here, although the table says String.
        deliver(call, {
          resultCode: '0',
          resultDesc: 'Call connected',
          eventId: EVENT_IDS.connected,
          content: {
            domain: gateway.domain,
            gwAddresses: script.gwAddresses ?? gateway.gwAddresses,
            accessCode: gateway.accessCode,
            clickToCallCaller: gateway.clickToCallCaller ?? 'AnonymousCard',
          },
        });
        if (script.agentHangupAfterMs !== undefined) later(call, script.agentHangupAfterMs, () => hangupByAgent(call));
    }
  }

  function hangupByAgent(call: SimCall): void {
    if (call.status !== 'connected' && call.status !== 'queued') return;
    clearTimers(call);
    call.status = 'ended';
    deliver(call, { resultCode: '0', resultDesc: 'Call disconnected', eventId: EVENT_IDS.disconnected, content: {} });
  }

  function takeFault(path: string): Fault | undefined {
    const last = path.slice(path.lastIndexOf('/') + 1);
    const index = faults.findIndex((f) => f.path === path || f.path === last);
    if (index < 0) return undefined;
    const entry = faults[index]!;
    if (--entry.times <= 0) faults.splice(index, 1);
    return entry.fault;
  }

  const gatewayError = (errorCode: string, exceptionInfo: string) => ({ errorCode, exceptionInfo });

  interface Reply {
    status: number;
    body: unknown;
    raw?: string;
    headers?: Record<string, string>;
  }

  function validAccessToken(req: IncomingMessage): boolean {
    // Documented format: "Bearer <AccessToken>", one space after Bearer.
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    const entry = match?.[1] ? accessTokens.get(match[1]) : undefined;
    return entry !== undefined && entry.expiresAt > Date.now();
  }

  function expiredAccessToken(): Reply {
    const status = expiredAccessTokenStatus;
    return { status, body: gatewayError(`SIM.0${status}`, 'auth fail! illegal or expired token info') };
  }

  function validAppKey(req: IncomingMessage): boolean {
    const key = req.headers['x-app-key'];
    return typeof key === 'string' && sameSecret(key, appKey);
  }

  function newToken(): string {
    const token = randomBytes(24).toString('hex');
    issued.push(token);
    return token;
  }

  async function route(req: IncomingMessage, path: string, query: URLSearchParams, body: string, res: ServerResponse): Promise<Reply> {
    const json = (): Record<string, unknown> | undefined => {
      try {
        const value: unknown = JSON.parse(body);
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      } catch {
        return undefined;
      }
    };

    if (path === HUAWEI_PATHS.tokenByAkSk) {
      if (req.method !== 'POST') return { status: 404, body: gatewayError('APIGW.0101', 'The API does not exist or has not been published') };
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return { status: 400, body: gatewayError('SIM.0400', 'Content-Type must be application/json') };
      }
      const expire = Number(req.headers['x-token-expire']);
      if (!Number.isInteger(expire) || expire < 1 || expire > 3600) {
        return { status: 400, body: gatewayError('SIM.0400', 'X-Token-Expire must be an integer from 1 to 3600') };
      }
      const data = json();
      if (!data || typeof data.app_key !== 'string' || typeof data.app_secret !== 'string') {
        return { status: 400, body: gatewayError('SIM.0400', 'app_key and app_secret are required') };
      }
      if (!sameSecret(data.app_key, appKey) || !sameSecret(data.app_secret, appSecret)) {
        return { status: 401, body: gatewayError('SIM.0401', 'app_key or app_secret is wrong') };
      }
      const lifetime = Math.min(expire, tokenLifetime);
      const token = newToken();
      accessTokens.set(token, { expiresAt: Date.now() + lifetime * 1000 });
      return {
        status: 200,
        body: {
          AccessToken: token,
          ApplyType: 'Bearer',
          CreateTime: String(Date.now()),
          Expires: String(lifetime),
          Scope: 'all',
          AppKey: appKey,
          UserID: 'sim-user',
        },
      };
    }

    if (path === HUAWEI_PATHS.applyToken) {
      if (req.method !== 'POST') return { status: 404, body: gatewayError('APIGW.0101', 'not found') };
      if (!validAppKey(req)) return { status: 401, body: gatewayError('SIM.0401', 'auth fail! illegal app key') };
      if (!validAccessToken(req)) return expiredAccessToken();
      const data = json();
      const userId = data?.userId;
      const ok = data
        && typeof userId === 'string' && userId.length >= 1 && userId.length <= 32
        && typeof data.userName === 'string' && data.userName !== ''
        && typeof data.locale === 'string' && data.locale !== ''
        && data.channelId === channelId;
      if (!ok || typeof userId !== 'string') return { status: 200, body: { resultCode: '1', resultDesc: 'invalid parameter' } };
      const token = newToken();
      ccTokens.set(token, { userId, expiresAt: Date.now() + ccTokenLifetime * 1000 });
      users.add(userId);
      return { status: 200, body: { token, resultCode: '0', resultDesc: 'success' } };
    }

    const v1 = Object.values(HUAWEI_PATHS).slice(2) as string[];
    if (!v1.includes(path)) return { status: 404, body: gatewayError('APIGW.0101', 'The API does not exist or has not been published') };

    if (!validAppKey(req)) return { status: 401, body: gatewayError('SIM.0401', 'auth fail! illegal app key') };
    if (!validAccessToken(req)) return expiredAccessToken();
    const ccHeader = req.headers['ccmessaging-token'];
    const cc = typeof ccHeader === 'string' ? ccTokens.get(ccHeader) : undefined;
    if (!cc || cc.expiresAt <= Date.now() || typeof ccHeader !== 'string') {
      return { status: 401, body: gatewayError('SIM.0401', 'ccmessaging-token is invalid or expired') };
    }
    const userId = cc.userId;
    const headers: Record<string, string> = {};
    if (renewOnNext) {
      renewOnNext = false;
      const fresh = newToken();
      ccTokens.delete(ccHeader);
      ccTokens.set(fresh, { userId, expiresAt: Date.now() + ccTokenLifetime * 1000 });
      headers['ccmessaging-token'] = fresh;
    }

    const isGet = path === HUAWEI_PATHS.checkClickToCallSupport || path === HUAWEI_PATHS.getClickToCallEvents;
    if (req.method !== (isGet ? 'GET' : 'POST')) return { status: 404, body: gatewayError('APIGW.0101', 'not found'), headers };
    const channel = isGet ? query.get('channel') : json()?.channel;
    if (channel !== 'WEB') return { status: 400, body: gatewayError('SIM.0400', 'channel must be WEB'), headers };

    switch (path) {
      case HUAWEI_PATHS.checkClickToCallSupport:
        return { status: 200, body: { resultCode: '0', resultDesc: 'success', ...support }, headers };

      case HUAWEI_PATHS.createClickToCall: {
        const media = json()?.mediaAbility;
        if (media !== '0' && media !== '1') return { status: 400, body: gatewayError('SIM.0400', 'mediaAbility must be "0" or "1"'), headers };
        const script: CallScript = { ...defaultScript, ...scripts.shift() };
        const existing = calls.get(userId);
        let code = script.createResult ?? '0';
        if (!support.clickToCallSupported) code = '7';
        else if (code === '0' && existing && (existing.status === 'queued' || existing.status === 'connected')) code = '13';
        // The official sample spells the key "resultDesc:" (with the colon); so does this.
        const descs = { '0': 'success', '7': 'click-to-call is not configured for the channel', '12': 'not in agent working hours', '13': 'failed' };
        if (code !== '0') return { status: 200, body: { resultCode: code, 'resultDesc:': descs[code] }, headers };
        if (existing) clearTimers(existing);
        const call: SimCall = { userId, status: 'queued', script, pending: [], waiters: new Set(), timers: new Set() };
        calls.set(userId, call);
        lastUserId = userId;
        deliver(call, { resultCode: '0', resultDesc: 'Call in queue', eventId: EVENT_IDS.queued, content: {} });
        later(call, script.queueMs ?? 300, () => outcome(call));
        return { status: 200, body: { resultCode: '0', 'resultDesc:': descs['0'] }, headers };
      }

      case HUAWEI_PATHS.getClickToCallEvents: {
        const call = calls.get(userId);
        const empty = { resultCode: '0', resultDesc: 'ClickToCall polled without any events' };
        if (!call) return { status: 200, body: empty, headers };
        if (call.pending.length === 0) {
          // Long poll [inf]: hold until an event is ready, the hold runs out or the client leaves.
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              call.waiters.delete(done);
              res.off('close', done);
              resolve();
            };
            const timer = setTimeout(done, longPollMs);
            timer.unref();
            call.waiters.add(done);
            res.on('close', done);
          });
        }
        // A client that gave up must not swallow the event: leave it for the next poll.
        if (res.destroyed) return { status: 200, body: empty, headers };
        const event = call.pending.shift();
        return { status: 200, body: event ?? empty, headers };
      }

      case HUAWEI_PATHS.dropClickToCall: {
        const call = calls.get(userId);
        if (!call || (call.status !== 'queued' && call.status !== 'connected')) {
          return { status: 200, body: { resultCode: '13', resultDesc: 'disconnect failed' }, headers };
        }
        clearTimers(call);
        call.status = 'dropped';
        return { status: 200, body: { resultCode: '0', resultDesc: 'success' }, headers };
      }
    }
    return { status: 404, body: gatewayError('APIGW.0101', 'not found') };
  }

  const server = createServer((req, res) => {
    openResponses.add(res);
    res.on('close', () => openResponses.delete(res));
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim.invalid');
      const path = url.pathname;
      const body = await readBody(req);
      counts.set(path, (counts.get(path) ?? 0) + 1);
      let reply: Reply;
      const fault = takeFault(path);
      if (fault?.delayMs) {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
      }
      if (fault?.status) {
        reply = { status: fault.status, body: fault.body ?? gatewayError(`SIM.0${fault.status}`, `injected HTTP ${fault.status}`) };
      } else if (fault?.malformed) {
        reply = { status: 200, body: undefined, raw: '{resultCode: "0", resultDesc: "Call connected", eventId: ' };
      } else {
        try {
          reply = await route(req, path, url.searchParams, body, res);
        } catch (error) {
          reply = { status: 500, body: gatewayError('SIM.0500', String(error)) };
        }
      }
      const text = reply.raw ?? JSON.stringify(reply.body);
      const headers = { 'Content-Type': 'application/json;charset=UTF-8', ...reply.headers };
      requests.push({
        at: Date.now(),
        method: req.method ?? '',
        path,
        query: url.search,
        headers: { ...req.headers },
        body,
        status: reply.status,
        responseBody: text,
        responseHeaders: headers,
      });
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(reply.status, headers);
      res.end(text);
    })();
  });

  const url = await listen(server, options);

  return {
    url,
    requests,
    count(path: string) {
      let total = 0;
      for (const [p, n] of counts) if (p === path || p.endsWith(`/${path}`)) total += n;
      return total;
    },
    async close() {
      for (const call of calls.values()) {
        clearTimers(call);
        for (const wake of call.waiters) wake();
      }
      for (const res of openResponses) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would otherwise hold close() for seconds.
      server.closeAllConnections();
      await closed;
    },
    state: {
      calls: () => [...calls.values()].map((c) => ({ userId: c.userId, status: c.status, script: c.script, pendingEvents: c.pending.length })),
      issuedSecrets: () => [...issued],
      users: () => [...users],
    },
    control: {
      scriptNextCall: (script) => void scripts.push(script),
      setDefaultScript: (script) => {
        defaultScript = { ...baseScript, ...script };
      },
      failNext: (path, fault, times = 1) => void faults.push({ path, fault, times }),
      expireAccessTokens: () => accessTokens.clear(),
      refuseExpiredAccessTokensWith: (status) => {
        expiredAccessTokenStatus = status;
      },
      expireCcTokens: () => ccTokens.clear(),
      renewCcTokenOnNextAnswer: () => {
        renewOnNext = true;
      },
      pushEvent: (raw, userId) => {
        const call = callOf(userId);
        if (!call) throw new Error('no call to push an event to');
        deliver(call, raw);
      },
      connectNow: (userId, forced) => {
        const call = callOf(userId);
        if (!call) return;
        if (forced) call.script = { ...call.script, outcome: forced };
        else if (call.script.outcome === 'hold') call.script = { ...call.script, outcome: 'connect' };
        outcome(call);
      },
      agentHangup: (userId) => {
        const call = callOf(userId);
        if (call) hangupByAgent(call);
      },
      setSupport: (next) => {
        support = { ...support, ...next };
      },
    },
  };
}
