/**
 * A Google CCAI Platform (UJET) Apps API simulator for the calls endpoint, built from seed 002
 * and vendors/callback-vendors.md only: same path, HTTP Basic auth, the documented validations
 * with their exact messages (both spellings "not well formed" / "not well-formed"), the call
 * object, and the 10 requests/s per-customer limit. Where the documents are silent the choice
 * is marked [inf].
 *
 * Status progression is computed from the clock when a call is read, so the simulator keeps no
 * timers: a step with a duration moves on by itself, a step without one waits for
 * control.advance().
 *
 * Kept apart from the product: imports Node built-ins only, never src/server.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, readBody } from './listen.ts';

export const CCAI_SIM_PATHS = {
  calls: '/apps/api/v1/calls',
  call: '/apps/api/v1/calls/:id',
} as const;

/** One status and how long it lasts in ms (omitted: until control.advance), plus fields to set on entry. */
export type CcaiSimStep = [status: string, ms?: number, fields?: Record<string, unknown>];

/** What happens to the next call created over HTTP (FIFO). */
export interface CcaiCallScript {
  /** Answer this instead of creating the call (after auth and validation pass). */
  error?: { status: number; message?: string; body?: unknown };
  /** The first step is the status in the 201 answer. */
  statuses?: CcaiSimStep[];
}

/** An injected answer for the next request(s): status with `{message}` (or `body`), garbage, or a delay. */
export interface CcaiFault {
  status?: number;
  message?: string;
  body?: unknown;
  /** 200 with a body that is not JSON. */
  malformed?: boolean;
  /** Hold the answer first (alone: then answer normally). */
  delayMs?: number;
  /** Which requests it hits (default any). */
  on?: 'create' | 'get' | 'any';
}

export interface CcaiSimMenu {
  /** [inf] kinds: ivr, web, mobile, or anything else (refused by both call types). */
  type: string;
  name?: string;
  state?: 'open' | 'after_hours' | 'manual_redirection';
}

export interface CcaiSimulatorOptions {
  companyKey?: string;
  companySecret?: string;
  /** Per-credential limit in any 1000 ms window; 0 disables it. Documented: 10. */
  rateLimitPerSecond?: number;
  menus?: Record<number, CcaiSimMenu>;
  /** Languages enabled for the tenant. */
  availableLanguages?: string[];
  /** Inbound calls without a script. */
  defaultInboundScript?: CcaiSimStep[];
  /** Status of a new scheduled call; the documented sample answers "queued" (with scheduled_at). */
  scheduledAnswerStatus?: string;
  host?: string;
  port?: number;
}

export interface CcaiRequestLogEntry {
  /** Date.now() when the request arrived. */
  at: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The Basic user name presented, if any. */
  credential: string | undefined;
  status: number;
  responseBody: string;
}

export interface CcaiSimCallInfo {
  id: string;
  callType: string;
  status: string;
  request: Record<string, unknown>;
}

export interface CcaiSimulator {
  url: string;
  close(): Promise<void>;
  requests: CcaiRequestLogEntry[];
  /** Requests to a path: exact, or the template '/apps/api/v1/calls/:id' for every call read. */
  count(path: string): number;
  control: {
    scriptNextCall(script: CcaiCallScript): void;
    /** The next `times` requests (of the kind `fault.on`) answer with the fault. */
    failNext(fault: CcaiFault, times?: number): void;
    /** Moves a call (default: the latest) to its next step now. */
    advance(id?: string): void;
    /** Creates a call without HTTP (not counted, not rate limited); returns its id. */
    createCall(input?: { statuses?: CcaiSimStep[]; callType?: string; phone?: string; menuId?: number }): string;
    calls(): CcaiSimCallInfo[];
    setMenu(id: number, menu: CcaiSimMenu): void;
    setRateLimit(perSecond: number): void;
  };
}

/** [inf] Not documented beyond the 4xx table; the documented error shape is `{message}`. */
const MESSAGES = {
  unauthorized: 'Unauthorized',
  notFound: 'Resource not found',
  tooMany: 'Too many requests',
  missing: 'Missing parameters',
  pastSchedule: 'scheduled_at must be a valid future time',
} as const;

/** ISO 639-1 codes the simulator knows; others are "not found", known but disabled ones "not available". */
const KNOWN_LANGUAGES = new Set(
  'aa ab af am ar as az be bg bn bo br bs ca cs cy da de el en eo es et eu fa fi fj fo fr fy ga gd gl gu ha he hi hr hu hy id is it ja jv ka kk km kn ko ku ky la lb lo lt lv mg mi mk ml mn mr ms mt my nb ne nl nn no pa pl ps pt ro ru sd si sk sl so sq sr sv sw ta te tg th tk tl tr tt uk ur uz vi xh yi yo zh zu'.split(' '),
);

const DEFAULT_MENUS: Record<number, CcaiSimMenu> = {
  9: { type: 'web', name: 'Lock Star', state: 'open' },
  7: { type: 'mobile', name: 'App support', state: 'open' },
  8: { type: 'ivr', name: 'Phone tree', state: 'open' },
  12: { type: 'web', name: 'Night desk', state: 'after_hours' },
  13: { type: 'web', name: 'Redirected', state: 'manual_redirection' },
  50: { type: 'email', name: 'Email only', state: 'open' },
};

const INBOUND_TYPES = new Set(['Voice Inbound (API)', 'IncomingCall']);
const SCHEDULED_TYPES = new Set(['Voice Scheduled (API)', 'ScheduledCall']);
const OUTBOUND_TYPES = new Set(['Voice Outbound (API)', 'OutboundCall']);
/** The parameter tables: inbound takes IVR and Web menus, scheduled takes mobile and web menus. */
const INBOUND_MENU_TYPES = new Set(['ivr', 'web']);
const SCHEDULED_MENU_TYPES = new Set(['mobile', 'web']);

const FINAL = new Set([
  'finished', 'failed', 'recovered', 'deflected', 'voicemail', 'voicemail_received', 'voicemail_read', 'action_only_finished',
]);

interface SimCall {
  id: number;
  callType: string;
  request: Record<string, unknown>;
  steps: CcaiSimStep[];
  index: number;
  enteredAt: number;
  createdAt: number;
  stamps: Record<string, string | null>;
  fields: Record<string, unknown>;
  menu: { id: number; menu: CcaiSimMenu } | undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function norm(status: string): string {
  return status.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** [inf] "well formed": a leading +, then 10 to 15 digits once spaces, dashes, dots and parentheses go. */
function wellFormedNumber(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const compact = value.replace(/[\s\-.()]/g, '');
  return /^\+\d{10,15}$/.test(compact);
}

export async function startCcaiSimulator(options: CcaiSimulatorOptions = {}): Promise<CcaiSimulator> {
  const companyKey = options.companyKey ?? 'sim-company-key';
  const companySecret = options.companySecret ?? 'sim-company-secret';
  let rateLimit = options.rateLimitPerSecond ?? 10;
  const menus = new Map<number, CcaiSimMenu>(Object.entries(options.menus ?? DEFAULT_MENUS).map(([id, m]) => [Number(id), m]));
  const available = new Set(options.availableLanguages ?? ['en', 'es']);
  const defaultInbound: CcaiSimStep[] = options.defaultInboundScript ?? [
    ['queued', 100],
    ['assigned', 100],
    ['connecting', 100],
    ['connected', 300],
    ['finished'],
  ];
  const scheduledStatus = options.scheduledAnswerStatus ?? 'scheduled';

  const calls = new Map<number, SimCall>();
  const scripts: CcaiCallScript[] = [];
  const faults: Array<{ fault: CcaiFault; times: number }> = [];
  const windows = new Map<string, number[]>();
  const requests: CcaiRequestLogEntry[] = [];
  const openResponses = new Set<ServerResponse>();
  let nextId = 1000;
  let lastId: number | undefined;

  function iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  function enter(call: SimCall, at: number): void {
    const step = call.steps[call.index];
    if (!step) return;
    const status = norm(step[0]);
    const stamp = iso(at);
    if (status === 'queued') call.stamps.queued_at ??= stamp;
    if (status === 'assigned' || status === 'connecting') call.stamps.assigned_at ??= stamp;
    if (status === 'connected') call.stamps.connected_at ??= stamp;
    if (FINAL.has(status)) call.stamps.ends_at ??= stamp;
    if (step[2]) Object.assign(call.fields, step[2]);
  }

  /** Moves the call along its timed steps up to now. */
  function settle(call: SimCall, now = Date.now()): void {
    for (;;) {
      const step = call.steps[call.index];
      if (!step || call.index >= call.steps.length - 1) return;
      const ms = step[1];
      if (ms === undefined || now < call.enteredAt + ms) return;
      call.enteredAt += ms;
      call.index++;
      enter(call, call.enteredAt);
    }
  }

  function statusOf(call: SimCall): string {
    return call.steps[call.index]?.[0] ?? 'queued';
  }

  function create(callType: string, request: Record<string, unknown>, steps: CcaiSimStep[], menu: SimCall['menu']): SimCall {
    const now = Date.now();
    const call: SimCall = {
      id: nextId++,
      callType,
      request,
      steps: steps.length > 0 ? steps : [['queued']],
      index: 0,
      enteredAt: now,
      createdAt: now,
      stamps: { queued_at: null, assigned_at: null, connected_at: null, ends_at: null },
      fields: {},
      menu,
    };
    enter(call, now);
    calls.set(call.id, call);
    lastId = call.id;
    return call;
  }

  function callObject(call: SimCall): Record<string, unknown> {
    settle(call);
    const status = statusOf(call);
    const assigned = call.stamps.assigned_at !== null;
    const menu = call.menu;
    const scheduledAt = typeof call.request.scheduled_at === 'string' ? call.request.scheduled_at : null;
    return {
      id: call.id,
      parent_id: typeof call.request.call_id === 'number' ? call.request.call_id : null,
      lang: typeof call.request.lang === 'string' ? call.request.lang : 'en',
      // The documented scheduled sample answers call_type "Voice Inbound (API)"; we answer what was asked.
      call_type: SCHEDULED_TYPES.has(call.callType) ? 'Voice Scheduled (API)' : 'Voice Inbound (API)',
      status,
      created_at: iso(call.createdAt),
      ...call.stamps,
      scheduled_at: scheduledAt,
      wait_duration: 0,
      call_duration: 0,
      hold_duration: 0,
      rating: null,
      has_feedback: false,
      voip_provider: 'voip_provider_twilio',
      out_ticket_id: typeof call.request.ticket_id === 'string' ? call.request.ticket_id : null,
      out_ticket_url: null,
      verified: false,
      recording_url: null,
      recording_permission: 'not_asked',
      voicemail_reason: 'not_voicemail',
      deflection: 'no_deflection',
      disconnected_by: 'disconnected_by_unknown',
      fail_reason: 'nothing',
      fail_details: null,
      support_number: null,
      selected_menu: menu
        ? { id: menu.id, name: menu.menu.name ?? `Menu ${menu.id}`, parent_id: null, position: 0, deleted: false, menu_type: `${menu.menu.type}_menu`, output_msg: `You selected ${menu.menu.name ?? menu.id}.`, hidden: false }
        : null,
      menu_path: menu ? { items_count: 1, name: menu.menu.name ?? `Menu ${menu.id}`, materialized_path: String(menu.id) } : null,
      agent_info: assigned ? { id: 1, agent_number: null, name: 'Sim Agent', last_name: 'Agent', first_name: 'Sim', avatar_url: null } : null,
      end_user: { id: 75, identifier: null, out_contact_id: null },
      photos: [],
      videos: [],
      transfers: [],
      deflection_details: [],
      participants: [
        { id: call.id * 10 + 1, type: 'end_user', status: status === 'connected' ? 'connected' : 'waiting', call_id: call.id, user_id: null, end_user_id: 75, call_duration: null, hold_duration: null, connected_at: call.stamps.connected_at, ended_at: call.stamps.ends_at, fail_reason: 'nothing' },
      ],
      offer_type: 'cascade',
      offer_events: [],
      answer_type: 'manual',
      outbound_number: '+1 339-219-5276',
      ...call.fields,
    };
  }

  function takeFault(kind: 'create' | 'get' | 'other'): CcaiFault | undefined {
    const index = faults.findIndex((f) => (f.fault.on ?? 'any') === 'any' || f.fault.on === kind);
    if (index < 0) return undefined;
    const entry = faults[index]!;
    if (--entry.times <= 0) faults.splice(index, 1);
    return entry.fault;
  }

  interface Reply {
    status: number;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
  }

  const refuse = (message: string, status = 400): Reply => ({ status, body: { message } });

  function credentialsOf(req: IncomingMessage): { user: string; password: string } | undefined {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    if (!match?.[1]) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }

  /** Sliding 1000 ms window per credential; only admitted requests are counted. */
  function admit(credential: string, now: number): boolean {
    if (!(rateLimit > 0)) return true;
    const window = (windows.get(credential) ?? []).filter((t) => t > now - 1000);
    windows.set(credential, window);
    if (window.length >= rateLimit) return false;
    window.push(now);
    return true;
  }

  function createCall(body: string): Reply {
    let data: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return refuse(MESSAGES.missing);
      data = parsed as Record<string, unknown>;
    } catch {
      return refuse(MESSAGES.missing);
    }
    const callType = data.call_type;
    if (typeof callType !== 'string') return refuse(MESSAGES.missing);

    if (OUTBOUND_TYPES.has(callType)) {
      if (typeof data.agent_email !== 'string' || data.agent_email === '') return refuse('Agent email required');
      if (data.ticket_id === undefined && data.end_user_number === undefined) return refuse('ticket_id or end_user_number required');
      if (data.ticket_id === undefined && !wellFormedNumber(data.end_user_number)) return refuse('end_user_number is not well-formed');
      return refuse('Agent is not available to take this call');
    }
    const inbound = INBOUND_TYPES.has(callType);
    const scheduled = SCHEDULED_TYPES.has(callType);
    if (!inbound && !scheduled) return refuse('Invalid call type');

    const parent = typeof data.call_id === 'number' ? calls.get(data.call_id) : undefined;
    let menu: SimCall['menu'];
    if (data.menu_id === undefined || data.menu_id === null) {
      if (!(scheduled && parent)) return refuse('menu_id is required');
      menu = parent.menu;
    } else {
      const raw = data.menu_id;
      const id = typeof raw === 'number' && Number.isInteger(raw) ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(id)) return refuse('menu_id is not well formed');
      const found = menus.get(id);
      if (!found) return refuse(`menu_id ${id} is not found`);
      if (inbound && !INBOUND_MENU_TYPES.has(found.type)) return refuse('Only IVR and mobile menu IDs are permitted');
      if (scheduled && !SCHEDULED_MENU_TYPES.has(found.type)) return refuse('Only mobile and web menu IDs are permitted');
      menu = { id, menu: found };
    }

    if (data.end_user_number === undefined || data.end_user_number === null || data.end_user_number === '') {
      if (data.ticket_id === undefined) return refuse('end_user_number is required');
    } else if (!wellFormedNumber(data.end_user_number)) {
      return refuse('end_user_number is not well formed');
    }

    if (scheduled) {
      if (typeof data.scheduled_at !== 'string' || data.scheduled_at === '') return refuse('scheduled_at is required');
      const at = Date.parse(data.scheduled_at);
      if (!Number.isFinite(at) || at <= Date.now()) return refuse(MESSAGES.pastSchedule);
    }

    const lang = data.lang === undefined ? 'en' : data.lang;
    if (typeof lang !== 'string' || !KNOWN_LANGUAGES.has(lang)) return refuse(`Language '${String(lang)}' is not found`);
    if (!available.has(lang)) return refuse(`Language '${lang}' is not available`);

    const state = menu?.menu.state ?? 'open';
    if (state === 'after_hours') return refuse("Menu is in 'after hours' state, can't accept incoming calls");
    if (state === 'manual_redirection') return refuse("Menu is in 'manual redirection' state, can't accept calls");

    const script = scripts.shift();
    if (script?.error) {
      return { status: script.error.status, body: script.error.body ?? { message: script.error.message ?? 'error' } };
    }
    const steps = script?.statuses ?? (scheduled ? [[scheduledStatus] as CcaiSimStep] : defaultInbound);
    const call = create(callType, data, steps.map((s) => [...s] as CcaiSimStep), menu);
    return { status: 201, body: callObject(call) };
  }

  function route(method: string, path: string, body: string): Reply {
    if (path === CCAI_SIM_PATHS.calls) {
      if (method !== 'POST') return refuse(MESSAGES.notFound, 404);
      return createCall(body);
    }
    const match = /^\/apps\/api\/v1\/calls\/([^/]+)$/.exec(path);
    if (match && method === 'GET') {
      const id = Number(match[1]);
      const call = Number.isInteger(id) ? calls.get(id) : undefined;
      if (!call) return refuse(MESSAGES.notFound, 404);
      return { status: 200, body: callObject(call) };
    }
    return refuse(MESSAGES.notFound, 404);
  }

  const server = createServer((req, res) => {
    const arrived = Date.now();
    openResponses.add(res);
    res.on('close', () => openResponses.delete(res));
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim.invalid');
      const path = url.pathname;
      const method = req.method ?? 'GET';
      const body = await readBody(req);
      const credentials = credentialsOf(req);
      let reply: Reply;
      if (!admit(credentials?.user ?? '(none)', arrived)) {
        reply = { status: 429, body: { message: MESSAGES.tooMany }, headers: { 'Retry-After': '1' } };
      } else if (!credentials || !sameSecret(credentials.user, companyKey) || !sameSecret(credentials.password, companySecret)) {
        reply = { status: 401, body: { message: MESSAGES.unauthorized }, headers: { 'WWW-Authenticate': 'Basic realm="Application"' } };
      } else {
        const kind = path === CCAI_SIM_PATHS.calls ? 'create' : method === 'GET' ? 'get' : 'other';
        const fault = takeFault(kind);
        if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
        if (fault?.status) reply = { status: fault.status, body: fault.body ?? { message: fault.message ?? `injected HTTP ${fault.status}` } };
        else if (fault?.malformed) reply = { status: 200, raw: '<html><body>502 Bad Gateway' };
        else {
          try {
            reply = route(method, path, body);
          } catch (error) {
            reply = { status: 500, body: { message: String(error) } };
          }
        }
      }
      const text = reply.raw ?? JSON.stringify(reply.body);
      requests.push({
        at: arrived,
        method,
        path,
        headers: { ...req.headers },
        body,
        credential: credentials?.user,
        status: reply.status,
        responseBody: text,
      });
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(reply.status, { 'Content-Type': reply.raw ? 'text/html' : 'application/json; charset=utf-8', ...reply.headers });
      res.end(text);
    })();
  });

  const url = await listen(server, options);

  return {
    url,
    requests,
    count(path: string) {
      if (path === CCAI_SIM_PATHS.call) return requests.filter((r) => /^\/apps\/api\/v1\/calls\/[^/]+$/.test(r.path)).length;
      return requests.filter((r) => r.path === path).length;
    },
    async close() {
      for (const res of openResponses) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
    control: {
      scriptNextCall: (script) => void scripts.push(script),
      failNext: (fault, times = 1) => void faults.push({ fault, times }),
      advance: (id) => {
        const call = calls.get(id === undefined ? lastId ?? -1 : Number(id));
        if (!call) throw new Error(`no call ${id ?? '(latest)'}`);
        settle(call);
        if (call.index >= call.steps.length - 1) return;
        call.index++;
        call.enteredAt = Date.now();
        enter(call, call.enteredAt);
      },
      createCall: (input = {}) => {
        const menuId = input.menuId ?? 9;
        const menu = menus.get(menuId);
        const callType = input.callType ?? 'Voice Inbound (API)';
        const request = { call_type: callType, lang: 'en', menu_id: menuId, end_user_number: input.phone ?? '+14155550123' };
        const call = create(callType, request, (input.statuses ?? defaultInbound).map((s) => [...s] as CcaiSimStep), menu ? { id: menuId, menu } : undefined);
        return String(call.id);
      },
      calls: () =>
        [...calls.values()].map((call) => {
          settle(call);
          return { id: String(call.id), callType: call.callType, status: statusOf(call), request: call.request };
        }),
      setMenu: (id, menu) => void menus.set(id, menu),
      setRateLimit: (perSecond) => {
        rateLimit = perSecond;
      },
    },
  };
}
