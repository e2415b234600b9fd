/**
 * A Sarv (DeepCall) click-to-call simulator, built from seed 003 and vendors/callback-vendors.md:
 * `POST /v2/clickToCall/para` with everything in the query string, the documented success and
 * error bodies (codes as strings), the error table's checks in a plausible order, and the
 * Push Report webhook sent after each call (JSON, or form-encoded `push_report`), watching for
 * the `GODBLESSYOU` answer. Where the documents are silent the choice is marked [inf].
 *
 * Kept apart from the product: imports Node built-ins only, never src/server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { listen, readBody } from './listen.ts';

export const SARV_SIM_PATH = '/v2/clickToCall/para';
export const SARV_SIM_REPLY = 'GODBLESSYOU';

/**
 * [inf] Sarv does not publish what the Push Report's integer `callStatus` means. The simulator
 * uses these invented values; a provider must not depend on them unless told so.
 */
export const SARV_SIM_CALL_STATUS = { answered: 1, 'no-answer': 2, busy: 3, 'agent-no-answer': 4 } as const;

/** The seed's error table: code -> description, as the simulator answers it. */
export const SARV_SIM_ERRORS: Readonly<Record<number, string>> = {
  1002: 'UserId not provided',
  1013: 'Invalid user id',
  1014: 'Token not found',
  1020: 'Invalid token',
  1501: 'Connection Issue',
  1502: 'fromType empty',
  1503: 'fromType Invalid',
  1504: 'toType empty',
  1505: 'toType Invalid',
  1506: 'from parameter not found',
  1507: 'to parameter not found',
  1508: 'invalid mobile number in from parameter',
  1509: 'invalid mobile number in to parameter',
  1510: 'Duplicate Mobile Number exists in from parameter',
  1511: 'Duplicate Mobile Number exists in to parameter',
  1512: 'Invalid Agent Id in from parameter',
  1513: 'Invalid Agent Id in to parameter',
  1514: 'Duplicate Agent Id Exists in from parameter',
  1515: 'Duplicate Agent Id Exists in to parameter',
  1516: 'Multiple Group Ids found in from parameter',
  1517: 'Multiple Group Ids found in to parameter',
  1518: 'Invalid Group Id in from parameter',
  1519: 'Invalid Group Id in to parameter',
  1520: 'Same value exists in from and to parameters',
  1521: 'from and to are empty',
  1522: 'fromStrategy invalid',
  1523: 'toStrategy invalid',
  1524: 'fromRingTime value invalid',
  1525: 'negative value not allowed for fromRingTime',
  1526: 'toRingTime value invalid',
  1527: 'negative value not allowed for toRingTime',
  1528: 'fromRetryCount value invalid',
  1529: 'negative value not allowed for fromRetryCount',
  1530: 'toRetryCount value invalid',
  1531: 'negative value not allowed for toRetryCount',
  1532: 'timeLimit empty',
  1533: 'negative value not allowed for timeLimit',
  1534: 'timeLimit value invalid',
  1535: 'ringTone invalid announcement id',
  1536: 'fromWebLogin none of the agents have this state',
  1537: 'fromWebLogin none of the agents from group have this state',
  1538: 'fromCallLogin none of the agents have this state',
  1539: 'Invalid format',
  1540: 'fromCallLogin none of the agents from group have this state',
  1541: 'toWebLogin none of the agents have this state',
  1542: 'toWebLogin none of the agents from group have this state',
  1543: 'toCallLogin none of the agents have this state',
  1544: 'toCallLogin none of the agents from group have this state',
  1545: 'timeLimitAlert invalid',
  1546: 'alertAudio invalid announcement id',
  1547: 'timeLimitAlert must be less than from timeLimit',
  1548: 'crossed maximum limit of fromRetryCount',
  1549: 'crossed maximum limit of toRetryCount',
  1550: 'crossed maximum limit of fromRingTime',
  1551: 'crossed maximum limit of toRingTime',
  1552: 'crossed maximum limit of from parameter',
  1553: 'crossed maximum limit of to parameter',
  1554: 'invalid CLI in fromCLI',
  1555: 'invalid CLI in toCLI',
  1556: 'since fromStrategy=TO_ALL, so fromCallLogin filter will not work',
  1557: 'since toStrategy=TO_ALL, so toCallLogin filter will not work',
  1558: 'Sticky will only work if out of toType and fromType at-least one have number as value,not both',
  1559: 'invalid value of stickyTimeType',
  1560: 'invalid value of stickyTimeValue. It must be an integer',
  1561: 'sticky parameter must be set for stickyTimeType, stickyTimeValue and stickyAgentBusy',
  1562: 'invalid value of stickyAgentBusy',
  1563: 'invalid value of queueTimeout. It must be an integer',
  1564: 'invalid fromWebLogin value',
  1565: 'invalid fromCallLogin value',
  1566: 'invalid fromWebLogin value',
  1567: 'invalid toCallLogin value',
  1568: 'queueTimeout will only work if out of toType and fromType at-least one have group as value',
  1569: 'Value length exceed 50 characters',
  1570: 'Invalid DND Filter Value, valid:from/to/both',
  1571: 'Invalid From Type for DND Checking',
  1572: 'Invalid To Type for DND Checking',
  1573: 'DND number exists in from',
  1574: 'DND number exists in to',
  1575: 'connection Error in DND Api',
  1576: 'Multiple values not allowed in from',
  1577: 'Multiple values not allowed in to',
  1578: 'From-Agent is not available',
  1579: 'To-Agent is not available',
  1580: 'Invalid fromType for AGENT_CLI',
  1581: 'Invalid toType for AGENT_CLI',
  1582: 'From-AGENT_CLI not found',
  1583: 'To-AGENT_CLI not found',
  1584: 'There should be at-least one agent either in TO or FROM',
  1585: 'fromCLI can not be set as AGENT_CLI if toType is group',
};

export type SarvSimOutcome = 'answered' | 'no-answer' | 'busy' | 'agent-no-answer';
export type SarvNumberForm = 'e164' | 'national' | 'digits';

/** What happens to the next accepted (or refused) call. */
export interface SarvCallScript {
  /** Refuse the call with this code from the table (the documented error body). */
  errorCode?: number;
  /** answered: both sides talk; no-answer / busy: the `from` side; agent-no-answer: `from` answers, `to` does not. */
  outcome?: SarvSimOutcome;
  /** Talk seconds written into the report (simulated clock: nobody waits for them). */
  talkSeconds?: number;
  /** Real milliseconds between the accepted request and the Push Report. */
  ringMs?: number;
  /** Key of the call id in the success body: the seed's `callid` or the `callId` integrators read. */
  callIdKey?: 'callid' | 'callId';
}

/** An injected answer for the next API request. `delayMs` alone delays a normal answer. */
export interface SarvFault {
  status?: 500 | 502 | 503 | 504;
  malformed?: boolean;
  delayMs?: number;
  /** Raw body for status faults (default: an HTML error page). */
  body?: string;
}

export interface SarvAgent {
  id: string;
  /** Not available -> 1579 when called as `to`. */
  available?: boolean;
  number?: string;
}

export interface SarvSimulatorOptions {
  userId?: string;
  token?: string;
  /** Agents known to the account; Group members are agent ids. */
  agents?: SarvAgent[];
  groups?: Record<string, string[]>;
  /** Number forms `from`/`to` may take (default: all three) [inf]: the documents do not say. */
  acceptedNumberForms?: SarvNumberForm[];
  /** Numbers on the DND registry, in any form; matched by their last 10 digits. */
  dndNumbers?: string[];
  /** Where Push Reports go when a call ends (none: not sent). */
  pushReportUrl?: string;
  pushReportFormat?: 'json' | 'form';
  /** Default script for calls without a queued one. */
  script?: SarvCallScript;
  /** [inf] The most values `from`/`to` may carry. */
  maxValues?: number;
  host?: string;
  port?: number;
}

export interface SarvRequestLogEntry {
  at: number;
  method: string;
  path: string;
  /** The raw query string, with its leading `?`. */
  search: string;
  /** Decoded query parameters, in order (repeated names kept). */
  params: Array<[string, string]>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
  responseBody: string;
}

export interface SarvPushRecord {
  at: number;
  url: string;
  format: 'json' | 'form';
  callId: string;
  report: Record<string, unknown>;
  /** The exact body sent. */
  body: string;
  status?: number;
  responseText?: string;
  /** True when the receiver answered 2xx with exactly GODBLESSYOU. */
  acknowledged: boolean;
  error?: string;
}

export interface SarvSimCall {
  callId: string;
  from: string;
  to: string;
  fromType: string;
  toType: string;
  outcome: SarvSimOutcome;
  state: 'ringing' | 'ended';
}

export interface SarvSimulator {
  url: string;
  close(): Promise<void>;
  requests: SarvRequestLogEntry[];
  /** Requests per path (full path or last segment). */
  count(path: string): number;
  /** Every Push Report sent, in order. */
  pushes: SarvPushRecord[];
  calls(): SarvSimCall[];
  control: {
    /** Script for the next call (FIFO); the default script applies otherwise. */
    scriptNextCall(script: SarvCallScript): void;
    setDefaultScript(script: SarvCallScript): void;
    /** The next `times` API requests answer with the fault. */
    failNext(fault: SarvFault, times?: number): void;
    setPushReportUrl(url: string | undefined, format?: 'json' | 'form'): void;
    /** Resolves when `count` Push Reports have been sent and answered (or failed). */
    waitForPushes(count: number, timeoutMs?: number): Promise<SarvPushRecord[]>;
    /**
     * [inf] The panel's activation check: an empty POST to the URL; true when it answers
     * GODBLESSYOU. The real check's method and body are not documented.
     */
    verifyWebhook(url?: string): Promise<boolean>;
    /** Sends a raw body to the webhook (for malformed-report tests). */
    pushRaw(body: string, contentType: string, url?: string): Promise<{ status: number; text: string }>;
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** "YYYY-MM-DD HH:MM:SS" in India Standard Time [inf]. */
function istTime(ms: number): string {
  const d = new Date(ms + 330 * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The number form of one value, or null when it is not a mobile number in any accepted form. */
function numberForm(value: string): SarvNumberForm | null {
  // [inf] Indian mobiles: 10 digits starting 6-9; with country code 91; E.164 with '+'.
  if (/^[6-9]\d{9}$/.test(value)) return 'national';
  if (/^[1-9]\d{10,14}$/.test(value)) return 'digits';
  if (/^\+[1-9]\d{7,14}$/.test(value)) return 'e164';
  return null;
}

const last10 = (n: string) => n.replace(/\D/g, '').slice(-10);

export async function startSarvSimulator(options: SarvSimulatorOptions = {}): Promise<SarvSimulator> {
  const userId = options.userId ?? '89130240';
  const token = options.token ?? 'sim-campaign-token';
  const agents = new Map((options.agents ?? [{ id: '101', available: true, number: '919800000101' }]).map((a) => [a.id, a]));
  const groups = new Map(Object.entries(options.groups ?? { '11': ['101'] }));
  const accepted = new Set<SarvNumberForm>(options.acceptedNumberForms ?? ['e164', 'national', 'digits']);
  const dnd = new Set((options.dndNumbers ?? []).map(last10));
  const maxValues = options.maxValues ?? 10;
  const baseScript: SarvCallScript = { outcome: 'answered', talkSeconds: 42, ringMs: 20, callIdKey: 'callid' };
  let defaultScript: SarvCallScript = { ...baseScript, ...options.script };
  let pushUrl = options.pushReportUrl;
  let pushFormat: 'json' | 'form' = options.pushReportFormat ?? 'json';

  const scripts: SarvCallScript[] = [];
  const faults: Array<{ fault: SarvFault; times: number }> = [];
  const requests: SarvRequestLogEntry[] = [];
  const counts = new Map<string, number>();
  const pushes: SarvPushRecord[] = [];
  const pushWaiters = new Set<() => void>();
  const calls = new Map<string, SarvSimCall>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  function later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  }

  const error = (code: number, message?: string) => ({ status: 200, body: { message: message ?? SARV_SIM_ERRORS[code] ?? 'error', status: 'error', code: String(code) } });

  /** Checks one side (`from` or `to`) the way the table implies; returns an error code or null. */
  function checkSide(side: 'from' | 'to', type: string, raw: string): number | null {
    const isFrom = side === 'from';
    const values = raw.split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (values.length > maxValues) return isFrom ? 1552 : 1553;
    if (new Set(values).size !== values.length) {
      if (type === 'Number') return isFrom ? 1510 : 1511;
      if (type === 'Agent') return isFrom ? 1514 : 1515;
    }
    switch (type) {
      case 'Number':
        for (const v of values) {
          const form = numberForm(v);
          if (form === null || !accepted.has(form)) return isFrom ? 1508 : 1509;
        }
        for (const v of values) if (dnd.has(last10(v))) return isFrom ? 1573 : 1574;
        return null;
      case 'Agent':
        for (const v of values) if (!agents.has(v)) return isFrom ? 1512 : 1513;
        for (const v of values) if (agents.get(v)?.available === false) return isFrom ? 1578 : 1579;
        return null;
      case 'Group': {
        if (values.length > 1) return isFrom ? 1516 : 1517;
        const members = groups.get(values[0] ?? '');
        if (!members) return isFrom ? 1518 : 1519;
        return null;
      }
    }
    return null;
  }

  /** An integer parameter: absent ok; '' / not an integer -> invalid; negative; above max. */
  function checkInt(q: URLSearchParams, name: string, codes: { invalid: number; negative: number; max?: number }, max?: number): number | null {
    const raw = q.get(name);
    if (raw === null) return null;
    if (!/^-?\d+$/.test(raw.trim())) return codes.invalid;
    const n = Number(raw);
    if (n < 0) return codes.negative;
    if (max !== undefined && codes.max !== undefined && n > max) return codes.max;
    return null;
  }

  function route(method: string, path: string, q: URLSearchParams): { status: number; body: unknown } {
    if (path !== SARV_SIM_PATH) return { status: 404, body: { message: 'Not Found', status: 'error', code: '404' } };
    // [inf] Only POST is documented.
    if (method !== 'POST') return { status: 405, body: { message: 'Method Not Allowed', status: 'error', code: '405' } };

    const uid = q.get('user_id');
    if (uid === null || uid.trim() === '') return error(1002);
    if (!sameSecret(uid, userId)) return error(1013);
    const tok = q.get('token');
    if (tok === null || tok.trim() === '') return error(1014);
    if (!sameSecret(tok, token)) return error(1020);

    const types = ['Number', 'Agent', 'Group'];
    const fromType = q.get('fromType') ?? 'Number';
    if (fromType.trim() === '') return error(1502);
    if (!types.includes(fromType)) return error(1503);
    const toType = q.get('toType') ?? 'Number';
    if (toType.trim() === '') return error(1504);
    if (!types.includes(toType)) return error(1505);

    const from = q.get('from')?.trim() ?? '';
    const to = q.get('to')?.trim() ?? '';
    if (from === '' && to === '') return error(1521);
    if (from === '') return error(1506);
    if (to === '') return error(1507);

    const strategies = ['ONE_BY_ONE', 'TO_ALL'];
    const fromStrategy = q.get('fromStrategy');
    if (fromStrategy !== null && !strategies.includes(fromStrategy)) return error(1522);
    const toStrategy = q.get('toStrategy');
    if (toStrategy !== null && !strategies.includes(toStrategy)) return error(1523);

    for (const name of ['ringTone', 'alertAudio', 'fromCLI', 'toCLI', 'mode', 'sticky', 'stickyTimeType', 'stickyAgentBusy']) {
      // [inf] Which parameters 1569 guards is not said; the free-text ones here.
      if ((q.get(name) ?? '').length > 50) return error(1569);
    }

    const fromErr = checkSide('from', fromType, from);
    if (fromErr !== null) return error(fromErr);
    const toErr = checkSide('to', toType, to);
    if (toErr !== null) return error(toErr);
    if (fromType === toType && from === to) return error(1520);
    if (fromType === 'Number' && toType === 'Number' && from.split(',').some((f) => to.split(',').map(last10).includes(last10(f)))) return error(1520);

    const intChecks: Array<[string, { invalid: number; negative: number; max?: number }, number?]> = [
      ['fromRingTime', { invalid: 1524, negative: 1525, max: 1550 }, 50],
      ['toRingTime', { invalid: 1526, negative: 1527, max: 1551 }, 50],
      ['fromRetryCount', { invalid: 1528, negative: 1529, max: 1548 }, 3],
      ['toRetryCount', { invalid: 1530, negative: 1531, max: 1549 }, 3],
    ];
    for (const [name, codes, max] of intChecks) {
      const code = checkInt(q, name, codes, max);
      if (code !== null) return error(code);
    }
    const timeLimit = q.get('timeLimit');
    if (timeLimit !== null) {
      if (timeLimit.trim() === '') return error(1532);
      if (/^-\d+$/.test(timeLimit.trim())) return error(1533);
      if (!/^\d+$/.test(timeLimit.trim())) return error(1534);
    }
    const alert = q.get('timeLimtAlert');
    if (alert !== null) {
      const marks = alert.split(',');
      if (marks.some((m) => !/^\d+$/.test(m.trim()))) return error(1545);
      if (timeLimit !== null && marks.some((m) => Number(m) >= Number(timeLimit))) return error(1547);
    }
    const hangup = q.get('timeLimitHangup');
    if (hangup !== null && hangup !== 'true' && hangup !== 'false') return error(1539); // [inf]
    const queueTimeout = q.get('queueTimeout');
    if (queueTimeout !== null) {
      if (!/^\d+$/.test(queueTimeout.trim())) return error(1563);
      if (fromType !== 'Group' && toType !== 'Group') return error(1568);
    }
    const sticky = q.get('sticky');
    if (sticky === null && (q.has('stickyTimeType') || q.has('stickyTimeValue') || q.has('stickyAgentBusy'))) return error(1561);
    if (sticky !== null && fromType === 'Number' && toType === 'Number') return error(1558);
    const stv = q.get('stickyTimeValue');
    if (stv !== null && !/^\d+$/.test(stv)) return error(1560);

    const script: SarvCallScript = { ...defaultScript, ...scripts.shift() };
    if (script.errorCode !== undefined) return error(script.errorCode);

    // The seed's sample id: letters and digits, 26 characters.
    const callId = `${randomBytes(3).toString('hex').slice(0, 6)}${Date.now()}${Math.floor(Math.random() * 1e7)}`.slice(0, 26);
    const call: SarvSimCall = { callId, from, to, fromType, toType, outcome: script.outcome ?? 'answered', state: 'ringing' };
    calls.set(callId, call);
    const startedAt = Date.now();
    later(script.ringMs ?? 20, () => endCall(call, script, startedAt));
    return { status: 200, body: { [script.callIdKey ?? 'callid']: callId, status: 'success', code: '200' } };
  }

  /** The Push Report of one click-to-call, with the documented fields only. */
  function report(call: SarvSimCall, script: SarvCallScript, startedAt: number): Record<string, unknown> {
    const outcome = call.outcome;
    const ring = 8_000; // simulated seconds of ringing, on the report's clock
    const visitorAnswered = outcome === 'answered' || outcome === 'agent-no-answer';
    const agentAnswered = outcome === 'answered';
    const fromAnswered = call.from.split(',')[0] ?? call.from;
    const answerAt = startedAt + ring;
    const talk = agentAnswered ? Math.max(0, script.talkSeconds ?? 42) * 1000 : 0;
    const agentRing = visitorAnswered ? ring : 0;
    const hangupAt = visitorAnswered ? answerAt + agentRing + talk : startedAt + ring;
    const agent = call.toType === 'Agent' ? agents.get(call.to.split(',')[0] ?? '') : call.toType === 'Group' ? agents.get(groups.get(call.to)?.[0] ?? '') : undefined;
    const digits = (n: string) => n.replace(/^\+/, '');
    return {
      callId: call.callId,
      callStatus: SARV_SIM_CALL_STATUS[outcome],
      cType: 'CTC',
      DID: null,
      campId: -1,
      ivrSTime: istTime(startedAt),
      ivrETime: istTime(hangupAt),
      ivrDuration: Math.round((hangupAt - startedAt) / 1000),
      userId,
      cNumber: agentAnswered && call.toType === 'Number' ? digits(call.to.split(',')[0] ?? call.to) : null,
      masterNumCTC: visitorAnswered ? digits(fromAnswered) : null,
      masterAgent: agentAnswered && agent ? Number(agent.id) : 0,
      masterAgentNumber: agentAnswered && agent?.number ? agent.number : null,
      masterGroupId: call.toType === 'Group' ? Number(call.to) : 0,
      firstAttended: visitorAnswered ? 'Customer' : null, // [inf] the category names are not listed
      firstAnswerTime: visitorAnswered ? istTime(answerAt) : null,
      lastHangupTime: istTime(hangupAt),
    };
  }

  async function post(url: string, body: string, contentType: string): Promise<{ status: number; text: string }> {
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body, signal: AbortSignal.timeout(5_000) });
    return { status: response.status, text: await response.text() };
  }

  function endCall(call: SarvSimCall, script: SarvCallScript, startedAt: number): void {
    if (call.state === 'ended') return;
    call.state = 'ended';
    const url = pushUrl;
    if (!url || closed) return;
    const data = report(call, script, startedAt);
    const format = pushFormat;
    const json = JSON.stringify(data);
    const body = format === 'form' ? new URLSearchParams({ push_report: json }).toString() : json;
    const contentType = format === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
    const record: SarvPushRecord = { at: Date.now(), url, format, callId: call.callId, report: data, body, acknowledged: false };
    const task = post(url, body, contentType)
      .then(({ status, text }) => {
        record.status = status;
        record.responseText = text;
        record.acknowledged = status >= 200 && status < 300 && text.trim() === SARV_SIM_REPLY;
      })
      .catch((cause: unknown) => {
        record.error = cause instanceof Error ? cause.message : String(cause);
      })
      .finally(() => {
        pushes.push(record);
        inFlight.delete(task);
        for (const wake of pushWaiters) wake();
      });
    inFlight.add(task);
  }

  const server = createServer((req, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim.invalid');
      const body = await readBody(req);
      counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
      const entry = faults[0];
      let fault: SarvFault | undefined;
      if (entry) {
        fault = entry.fault;
        if (--entry.times <= 0) faults.shift();
      }
      if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
      let status: number;
      let text: string;
      let contentType = 'application/json';
      if (fault?.status) {
        status = fault.status;
        text = fault.body ?? `<html><body><h1>${fault.status} Server Error</h1></body></html>`;
        contentType = 'text/html';
      } else if (fault?.malformed) {
        status = 200;
        text = '{"callid": "kn5skxr6161770885161627785", "status": "succ';
      } else {
        const reply = route(req.method ?? '', url.pathname, url.searchParams);
        status = reply.status;
        text = JSON.stringify(reply.body);
      }
      requests.push({
        at: Date.now(),
        method: req.method ?? '',
        path: url.pathname,
        search: url.search,
        params: [...url.searchParams.entries()],
        headers: { ...req.headers },
        body,
        status,
        responseBody: text,
      });
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { 'Content-Type': contentType });
      res.end(text);
    })();
  });

  const url = await listen(server, options);

  return {
    url,
    requests,
    pushes,
    count(path: string) {
      let total = 0;
      for (const [p, n] of counts) if (p === path || p.endsWith(`/${path}`)) total += n;
      return total;
    },
    calls: () => [...calls.values()].map((c) => ({ ...c })),
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight]);
      for (const wake of pushWaiters) wake();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
    control: {
      scriptNextCall: (script) => void scripts.push(script),
      setDefaultScript: (script) => {
        defaultScript = { ...baseScript, ...script };
      },
      failNext: (fault, times = 1) => void faults.push({ fault, times }),
      setPushReportUrl: (url, format) => {
        pushUrl = url;
        if (format) pushFormat = format;
      },
      waitForPushes: (count, timeoutMs = 5_000) =>
        new Promise<SarvPushRecord[]>((resolve, reject) => {
          const check = () => {
            if (pushes.length >= count) {
              finish();
              resolve(pushes.slice(0, count));
            } else if (closed) {
              finish();
              reject(new Error(`simulator closed after ${pushes.length} of ${count} push reports`));
            }
          };
          const timer = setTimeout(() => {
            finish();
            reject(new Error(`only ${pushes.length} of ${count} push reports within ${timeoutMs} ms`));
          }, timeoutMs);
          timer.unref();
          const finish = () => {
            clearTimeout(timer);
            pushWaiters.delete(check);
          };
          pushWaiters.add(check);
          check();
        }),
      verifyWebhook: async (url) => {
        const target = url ?? pushUrl;
        if (!target) return false;
        try {
          const { status, text } = await post(target, '', 'application/json');
          return status >= 200 && status < 300 && text.trim() === SARV_SIM_REPLY;
        } catch {
          return false;
        }
      },
      pushRaw: (body, contentType, url) => {
        const target = url ?? pushUrl;
        if (!target) return Promise.reject(new Error('no push report URL'));
        return post(target, body, contentType);
      },
    },
  };
}
