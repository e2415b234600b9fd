/**
 * An udesk CTI Cloud simulator, built from the udesk document (seed 001) only: the `/ccapi/v2`
 * paths, the signed query string (Timestamp in ms, AppId, Sid, Sign = SHA1(Sid + AuthToken +
 * Timestamp), valid 10 minutes), `originatev2`, the message subscription API (`subscriptions`),
 * the event subscription API (`webhooks/events`) and `apps` (CallbackUrl), the documented error
 * codes, and callbacks signed with SHA1(AppId + Secret + Timestamp) (Timestamp in seconds).
 *
 * Where the document is silent the choice is marked [inf]: the HTTP status of each error, the
 * answer to a bad signature or a stale Timestamp, the answers for an offline/busy agent and a
 * bad called number, and the whole callback body, which no public source shows.
 *
 * Kept apart from the product: imports Node built-ins only, never src/server.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, readBody } from './listen.ts';

export const UDESK_PATHS = {
  originate: '/ccapi/v2/originatev2',
  subscriptions: '/ccapi/v2/subscriptions',
  webhookEvents: '/ccapi/v2/webhooks/events',
  apps: '/ccapi/v2/apps',
} as const;

/** The documented error codes with their documented descriptions. */
export const UDESK_ERRORS: Record<string, string> = {
  '000001': 'Parameter error',
  '000003': 'System internal error',
  '000004': 'Data does not exist',
  '100002': 'AppId AppNotFound or forbidden',
  '100004': 'Unexpected end of JSON input',
  '100015': 'NumberIsExisted',
  '100016': 'VoipBindAgent',
  '100017': 'AppID Blank',
  '100018': 'RecordNotFound',
};

/** [inf] HTTP status per code; the document lists statuses and codes but never pairs them. */
const HTTP_FOR_CODE: Record<string, number> = {
  '000001': 400,
  '000003': 500,
  '000004': 404,
  '100002': 403,
  '100004': 400,
  '100017': 400,
  '100018': 404,
};

/** [inf] The document has no code for a refused signature; 401 is its "token ... error". */
const AUTH_ERROR_CODE = '100001';

/** What happens to the next originatev2. */
export interface UdeskCallScript {
  /** Refuse with this ErrCode (documented ones get their documented ErrDesc). */
  errorCode?: string;
  errorDesc?: string;
  /** After the agent answers, the visitor answers, does not answer, or is busy. */
  outcome?: 'answered' | 'no-answer' | 'busy';
  /** How long the visitor's phone rings (answered / no-answer). */
  ringMs?: number;
  /** How long the talk lasts before the visitor hangs up. */
  talkMs?: number;
}

/** An injected answer: HTTP status, malformed JSON, and/or a delay first. */
export interface UdeskFault {
  status?: number;
  body?: unknown;
  malformed?: boolean;
  delayMs?: number;
}

export type UdeskAgentState = 'ready' | 'offline' | 'busy';

export interface UdeskSimulatorOptions {
  appId?: string;
  sid?: string;
  authToken?: string;
  secret?: string;
  /** Known agents and their states; default { '10032': 'ready' }. Unknown agent -> 100018. */
  agents?: Record<string, UdeskAgentState>;
  /** Default script for calls without a queued one (outcome answered, ring 30 ms, talk 30 ms). */
  script?: UdeskCallScript;
  /** Pause between call steps that have no scripted duration. */
  stepMs?: number;
  host?: string;
  port?: number;
}

export interface UdeskRequestLogEntry {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
  status: number;
  responseBody: string;
}

export interface UdeskDelivery {
  url: string;
  event: string;
  callId: string;
  query: Record<string, string>;
  body: string;
  /** The receiver's HTTP status; 0 when it could not be reached. */
  status: number;
  duplicate: boolean;
}

export interface UdeskSubscription {
  id: number;
  callback: string;
  name: string;
  events: string[];
  enable: boolean;
}

export interface UdeskSimCall {
  callId: string;
  caller: string;
  called: string;
  calledDisplay: string;
  agentId: string;
  userData: unknown;
  steps: string[];
  done: boolean;
}

export interface UdeskSimulator {
  url: string;
  close(): Promise<void>;
  requests: UdeskRequestLogEntry[];
  /** Requests to a path (full path or its last segment, e.g. 'originatev2'). */
  count(path: string): number;
  deliveries: UdeskDelivery[];
  control: {
    scriptNextCall(script: UdeskCallScript): void;
    /** The next request (to `path` when given) answers with the fault. */
    failNext(fault: UdeskFault, path?: string): void;
    /** Every callback is sent twice (same body, signed again). */
    deliverDuplicate(on?: boolean): void;
    /** Each call's callbacks are sent in swapped adjacent pairs (their Timestamps stay true). */
    deliverOutOfOrder(on?: boolean): void;
    /** Signs callbacks with this secret instead of the app's (undefined: back to the app's). */
    signWith(secret: string | undefined): void;
    setAgent(agentId: string, state: UdeskAgentState): void;
    calls(): UdeskSimCall[];
    subscriptions(): UdeskSubscription[];
    /** The application's CallbackUrl and its `webhooks/events` list. */
    app(): { callbackUrl: string; events: string[] };
    /** Resolves when every started call has run its script and every callback got an answer. */
    settled(): Promise<void>;
  };
}

const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const CALL_EVENTS = new Set([
  'agent_breakout', 'agent_interrupt', 'asr_gather_fail', 'asr_gather_succ', 'begin', 'call_notes', 'consult_fail',
  'consult_succ', 'dtmf_gather_fail', 'dtmf_gather_succ', 'eavesdrop_fail', 'eavesdrop_succ', 'end', 'end_consult_fail',
  'end_consult_succ', 'enqueue_succ', 'extern_succ', 'general_hangup', 'hangup_cause', 'hold_call', 'play_fail',
  'play_succ', 'record_stop', 'start_dialout', 'start_ivr', 'substitute_fail', 'substitute_succ', 'three_way_fail',
  'three_way_succ', 'transfer_agent_fail', 'transfer_agent_succ', 'user_answer', 'user_hangup', 'user_ringing',
  'voice_mail_fail', 'voice_mail_succ',
]);
const CATEGORIES = new Set(['agent_state', 'ext_state', 'agent_call_mode', 'call']);

/** The document's PSTN formats: landline 0..., 11-digit mobile, international 00... */
const CALLED = /^(?:1\d{10}|0[1-9]\d{8,11}|00[1-9]\d{5,16})$/;

export async function startUdeskSimulator(options: UdeskSimulatorOptions = {}): Promise<UdeskSimulator> {
  const appId = options.appId ?? 'a54a8b77-f12d-4ac9-742d-5b2bef5c4d11';
  const sid = options.sid ?? '123456789abcdef';
  const authToken = options.authToken ?? 'sim-auth-token';
  const secret = options.secret ?? 'sim-app-secret';
  const agents = new Map(Object.entries(options.agents ?? { '10032': 'ready' }));
  const defaultScript: UdeskCallScript = { outcome: 'answered', ringMs: 30, talkMs: 30, ...options.script };
  const stepMs = options.stepMs ?? 5;

  const requests: UdeskRequestLogEntry[] = [];
  const deliveries: UdeskDelivery[] = [];
  const counts = new Map<string, number>();
  const scripts: UdeskCallScript[] = [];
  const faults: Array<{ fault: UdeskFault; path: string | undefined }> = [];
  const calls: UdeskSimCall[] = [];
  const subscriptions: UdeskSubscription[] = [];
  const app = { callbackUrl: '', events: [] as string[] };
  const running = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let nextSubId = 1;
  let duplicate = false;
  let outOfOrder = false;
  let signingSecret: string | undefined;
  let closed = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function takeFault(path: string): UdeskFault | undefined {
    const last = path.slice(path.lastIndexOf('/') + 1);
    const index = faults.findIndex((f) => f.path === undefined || f.path === path || f.path === last);
    if (index < 0) return undefined;
    return faults.splice(index, 1)[0]!.fault;
  }

  function targetsFor(event: string): string[] {
    const urls = new Set<string>();
    for (const sub of subscriptions) if (sub.enable && sub.events.includes(event)) urls.add(sub.callback);
    if (app.callbackUrl && app.events.includes(event)) urls.add(app.callbackUrl);
    return [...urls];
  }

  async function post(url: string, event: string, callId: string, body: string, isDuplicate: boolean): Promise<void> {
    // Callback Timestamp: seconds since the epoch, as the callback table says.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const query = { Timestamp: timestamp, AppId: appId, Sign: sha1(`${appId}${signingSecret ?? secret}${timestamp}`) };
    const target = new URL(url);
    for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
    let status = 0;
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json;charset=utf-8' },
        body,
        signal: AbortSignal.timeout(2000),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = 0;
    }
    deliveries.push({ url, event, callId, query, body, status, duplicate: isDuplicate });
  }

  async function deliver(batch: Array<{ event: string; call: UdeskSimCall; body: Record<string, unknown> }>): Promise<void> {
    for (const { event, call, body } of batch) {
      call.steps.push(event);
      const text = JSON.stringify(body);
      for (const url of targetsFor(event)) {
        await post(url, event, call.callId, text, false);
        if (duplicate) await post(url, event, call.callId, text, true);
      }
    }
  }

  /**
   * [inf] The call's callbacks: `evt` and `call_id` as named in originatev2's associated data
   * and the call-control APIs, `Timestamp` in ms, the call-log fields on the hang-up events.
   */
  async function runCall(call: UdeskSimCall, script: UdeskCallScript): Promise<void> {
    let answeredAt = 0;
    const event = (evt: string, extra: Record<string, unknown> = {}) => ({
      event: evt,
      call,
      body: { evt, call_id: call.callId, AppId: appId, Timestamp: Date.now(), agent_id: call.agentId, caller: call.caller, called: call.called, ...extra },
    });
    const pending: Array<ReturnType<typeof event>> = [];
    const step = async (e: ReturnType<typeof event>, waitMs = stepMs) => {
      if (closed) return;
      if (outOfOrder) {
        pending.push(e);
        if (pending.length === 2) {
          const [a, b] = pending.splice(0, 2);
          await deliver([b!, a!]);
        }
      } else {
        await deliver([e]);
      }
      await sleep(waitMs);
    };
    await step(event('agent_ringing'));
    await step(event('agent_answer'));
    await step(event('start_dialout'));
    const outcome = script.outcome ?? 'answered';
    if (outcome === 'busy') {
      await step(event('hangup_cause', { hangup_cause: 'USER_BUSY', HangupCode: '17' }));
      await step(event('end', { UserAnswerTime: 0, HangupBy: 'customer', HangupReason: 'USER_BUSY' }));
    } else {
      await step(event('user_ringing'), script.ringMs ?? 30);
      if (outcome === 'no-answer') {
        await step(event('hangup_cause', { hangup_cause: 'NO_ANSWER', HangupCode: '19' }));
        await step(event('end', { UserAnswerTime: 0, HangupBy: 'customer', HangupReason: 'NO_ANSWER' }));
      } else {
        answeredAt = Date.now();
        await step(event('user_answer'), script.talkMs ?? 30);
        await step(event('user_hangup', { UserAnswerTime: answeredAt, HangupBy: 'customer' }));
        await step(event('hangup_cause', { hangup_cause: 'NORMAL_CLEARING', HangupCode: '16' }));
        await step(event('end', { UserAnswerTime: answeredAt, HangupBy: 'customer', HangupReason: 'NORMAL_CLEARING' }));
      }
    }
    if (pending.length > 0 && !closed) await deliver(pending.splice(0));
    call.done = true;
  }

  function track(promise: Promise<void>): void {
    running.add(promise);
    void promise.finally(() => running.delete(promise));
  }

  interface Reply {
    status: number;
    body: unknown;
    raw?: string;
  }

  const ok = (extra: Record<string, unknown> = {}): Reply => ({ status: 200, body: { ErrCode: '000000', ErrDesc: 'OK', ...extra } });
  const refuse = (code: string, desc?: string, status?: number): Reply => ({
    status: status ?? HTTP_FOR_CODE[code] ?? 400,
    body: { ErrCode: code, ErrDesc: desc ?? UDESK_ERRORS[code] ?? 'error', Result: null },
  });

  function authenticate(query: URLSearchParams): Reply | undefined {
    const timestamp = query.get('Timestamp') ?? '';
    const qAppId = query.get('AppId') ?? query.get('app_id');
    const qSid = query.get('Sid') ?? '';
    const sign = query.get('Sign') ?? '';
    if (!qAppId) return refuse('100017');
    if (!same(qAppId, appId)) return refuse('100002');
    if (!/^\d{13}$/.test(timestamp)) return refuse(AUTH_ERROR_CODE, 'Unauthorized: Timestamp must be UTC milliseconds', 401);
    if (Math.abs(Date.now() - Number(timestamp)) > 10 * 60_000) {
      return refuse(AUTH_ERROR_CODE, 'Unauthorized: Timestamp expired', 401);
    }
    if (!same(qSid, sid) || !same(sign, sha1(`${sid}${authToken}${timestamp}`))) {
      return refuse(AUTH_ERROR_CODE, 'Unauthorized: Sign invalid', 401);
    }
    return undefined;
  }

  function route(method: string, path: string, query: URLSearchParams, text: string): Reply {
    const known = (Object.values(UDESK_PATHS) as string[]).includes(path) || path.startsWith(`${UDESK_PATHS.subscriptions}/`);
    if (!known) return { status: 404, body: { ErrCode: '000004', ErrDesc: 'Data does not exist' } };
    const denied = authenticate(query);
    if (denied) return denied;
    let body: Record<string, unknown> = {};
    if (method !== 'GET' && method !== 'DELETE') {
      if (text.trim() === '') return refuse('100004', 'Unexpected end of JSON input');
      try {
        const value: unknown = JSON.parse(text);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse('000001');
        body = value as Record<string, unknown>;
      } catch {
        return refuse('100004', 'Unexpected end of JSON input');
      }
    }

    if (path === UDESK_PATHS.originate) {
      if (method !== 'POST') return refuse('000001');
      const { caller, called, called_display: display, agent_id: agentId, user_data: userData } = body;
      if (typeof caller !== 'string' || typeof called !== 'string' || typeof display !== 'string' || typeof agentId !== 'string'
        || !caller || !called || !display || !agentId) {
        return refuse('000001', 'Parameter error');
      }
      const script: UdeskCallScript = { ...defaultScript, ...scripts.shift() };
      if (script.errorCode) return refuse(script.errorCode, script.errorDesc);
      // [inf] No documented code for these; 000001 "ParamsInvalid" with the reason in ErrDesc.
      if (!CALLED.test(called)) return refuse('000001', 'ParamsInvalid: called');
      const agent = agents.get(agentId);
      if (agent === undefined) return refuse('100018');
      if (agent === 'offline') return refuse('000001', `ParamsInvalid: agent ${agentId} is offline`);
      if (agent === 'busy') return refuse('000001', `ParamsInvalid: agent ${agentId} is busy`);
      const call: UdeskSimCall = { callId: randomUUID(), caller, called, calledDisplay: display, agentId, userData, steps: [], done: false };
      calls.push(call);
      track(runCall(call, script));
      return ok({ msg_id: '', results: call.callId, data: null });
    }

    if (path === UDESK_PATHS.subscriptions) {
      if (method === 'GET') return ok({ Result: subscriptions.map(({ id: _id, ...rest }) => rest) });
      if (method !== 'POST') return refuse('000001');
      const list = body.subscriptions;
      if (!Array.isArray(list) || list.length === 0) return refuse('000001', 'Parameter error');
      const succ: Array<{ id: number; name: string }> = [];
      const fail: string[] = [];
      for (const entry of list as unknown[]) {
        const e = (entry ?? {}) as Record<string, unknown>;
        const name = typeof e.name === 'string' ? e.name : '';
        const valid = name !== '' && typeof e.callback === 'string' && /^https?:\/\//.test(e.callback)
          && Array.isArray(e.events) && e.events.every((x) => typeof x === 'string')
          && !subscriptions.some((s) => s.name === name);
        if (!valid) {
          fail.push(name);
          continue;
        }
        const sub: UdeskSubscription = { id: nextSubId++, callback: e.callback as string, name, events: e.events as string[], enable: true };
        subscriptions.push(sub);
        succ.push({ id: sub.id, name });
      }
      return ok({ Result: { sub_succ: succ, sub_fail: fail } });
    }

    if (path.startsWith(`${UDESK_PATHS.subscriptions}/`)) {
      const id = Number(path.slice(UDESK_PATHS.subscriptions.length + 1));
      const index = subscriptions.findIndex((s) => s.id === id);
      if (index < 0) return refuse('100018');
      const sub = subscriptions[index]!;
      if (method === 'GET') return ok({ Result: { callback: sub.callback, name: sub.name, events: sub.events, enable: sub.enable } });
      if (method === 'DELETE') {
        subscriptions.splice(index, 1);
        return ok({ Result: '' });
      }
      return refuse('000001');
    }

    if (path === UDESK_PATHS.webhookEvents) {
      if (method === 'DELETE') {
        app.events = [];
        return ok();
      }
      const list = body.Events;
      if (!Array.isArray(list)) return refuse('000001', 'Parameter error');
      const names: string[] = [];
      for (const entry of list as unknown[]) {
        const e = (entry ?? {}) as Record<string, unknown>;
        if (typeof e.category !== 'string' || !CATEGORIES.has(e.category) || !Array.isArray(e.all_type)) return refuse('000001', 'Parameter error');
        for (const name of e.all_type as unknown[]) {
          if (typeof name !== 'string' || (e.category === 'call' && !CALL_EVENTS.has(name))) return refuse('000001', `ParamsInvalid: ${String(name)}`);
          names.push(name);
        }
      }
      if (method === 'PUT') app.events = [...new Set(names)];
      else if (method === 'POST') app.events = [...new Set([...app.events, ...names])];
      else return refuse('000001');
      return ok();
    }

    if (path === UDESK_PATHS.apps) {
      if (method === 'GET') return ok({ Result: { AppId: appId, CallbackUrl: app.callbackUrl, Secret: secret } });
      if (method !== 'PUT') return refuse('000001');
      if (body.CallbackUrl !== undefined) {
        if (typeof body.CallbackUrl !== 'string') return refuse('000001');
        app.callbackUrl = body.CallbackUrl;
      }
      return ok();
    }
    return refuse('000004');
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim.invalid');
      const path = url.pathname;
      const text = await readBody(req);
      counts.set(path, (counts.get(path) ?? 0) + 1);
      const fault = takeFault(path);
      if (fault?.delayMs) await sleep(fault.delayMs);
      let reply: Reply;
      if (fault?.status) reply = { status: fault.status, body: fault.body ?? refuse('000003').body };
      else if (fault?.malformed) reply = { status: 200, body: undefined, raw: '{"ErrCode": "000000", "ErrDesc": "OK", "results": ' };
      else {
        try {
          reply = route(req.method ?? 'GET', path, url.searchParams, text);
        } catch (error) {
          reply = refuse('000003', `System internal error: ${String(error)}`);
        }
      }
      const responseBody = reply.raw ?? JSON.stringify(reply.body);
      requests.push({
        at: Date.now(),
        method: req.method ?? '',
        path,
        query: Object.fromEntries(url.searchParams),
        body: text,
        status: reply.status,
        responseBody,
      });
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(reply.status, { 'Content-Type': 'application/json;charset=utf-8' });
      res.end(responseBody);
    })();
  });

  const url = await listen(server, options);

  return {
    url,
    requests,
    deliveries,
    count(path: string) {
      let total = 0;
      for (const [p, n] of counts) if (p === path || p.endsWith(`/${path}`)) total += n;
      return total;
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
    control: {
      scriptNextCall: (script) => void scripts.push(script),
      failNext: (fault, path) => void faults.push({ fault, path }),
      deliverDuplicate: (on = true) => {
        duplicate = on;
      },
      deliverOutOfOrder: (on = true) => {
        outOfOrder = on;
      },
      signWith: (value) => {
        signingSecret = value;
      },
      setAgent: (agentId, state) => void agents.set(agentId, state),
      calls: () => calls.map((c) => ({ ...c, steps: [...c.steps] })),
      subscriptions: () => subscriptions.map((s) => ({ ...s, events: [...s.events] })),
      app: () => ({ callbackUrl: app.callbackUrl, events: [...app.events] }),
      async settled() {
        while (running.size > 0) await Promise.all([...running]);
      },
    },
  };
}
