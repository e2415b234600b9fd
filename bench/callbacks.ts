/**
 * Callback-call benchmarks, run by `npm run bench` (bench/run.ts) or alone with
 * `node --import tsx bench/callbacks.ts`.
 *
 * 1. Webhook received -> `<call-status>` updated in the page. A page served by the sandbox holds
 *    `<click-to-call mode="callback" destination="callback-udesk">` and `<call-status for>`. Each
 *    call is started the way a visitor does (number typed, form submitted); the endpoint then has
 *    a live udesk call whose vendor id the udesk simulator reports. Node posts correctly signed
 *    udesk callbacks for it (user_ringing, user_answer, end: ringing, connected, ended, three
 *    visible changes per call; udesk queued updates carry no position, so they change nothing
 *    on screen) and times each from Date.now() just before the POST to Date.now() in the page
 *    when a MutationObserver sees `<call-status>`'s `state` attribute take the expected value
 *    (same machine, same clock). The simulator's own deliveries are switched off first by
 *    deleting the endpoint's subscription through udesk's signed subscriptions API, so only
 *    the benchmark's callbacks reach the endpoint (checked: the simulator delivers nothing).
 *
 * 2. Upstream requests for one CCAI call watched by 1 and by 10 readers. The same scripted call
 *    (queued 1 s, assigned 1 s, connected 2 s, finished) is started through the endpoint and
 *    followed by 1, then by 10 concurrent server-sent-event readers (Node fetch streams with the
 *    call's session token, as 10 tabs of the visitor would); the CCAI simulator's log gives the
 *    number of `GET /apps/api/v1/calls/:id` for each call. One watcher per call means the counts
 *    match within one poll (the poll phase against the script's step boundaries).
 *
 * Everything listens on 127.0.0.1; every loop is bounded; everything started is stopped.
 */
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { udeskCallbackSign, udeskRequestSign } from '../src/server/providers/udesk.ts';
import { UDESK_PATHS } from '../src/sandbox/udesk-simulator.ts';
import { launchChromium } from '../test/support/rig.ts';

/** Timed webhook -> status events (three per call: ringing, connected, ended). */
const WEBHOOK_EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 200);
/** Untimed calls first (page, JIT and connection warm-up). */
const WARMUP_CALLS = Number(process.env.BENCH_WEBHOOK_WARMUP_CALLS ?? 1);
/** Repetitions of the 1-reader / 10-reader CCAI pair. */
const CCAI_RUNS = Number(process.env.BENCH_CCAI_RUNS ?? 2);
const CCAI_READERS = [1, 10] as const;
/** The script of every CCAI call (status, ms). */
const CCAI_SCRIPT: Array<[string, number?]> = [['queued', 1_000], ['assigned', 1_000], ['connected', 2_000], ['finished']];

/** The sandbox's udesk application (its secrets are made up at every start: read them from its config). */
const udeskOf = (sandbox: Sandbox) =>
  sandbox.config.providers!.udesk as { appId: string; sid: string; authToken: string; secret: string };
const UDESK_PHONE = '+86 138 0013 8000';
const CCAI_PHONE = '+14155550123';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  minMs: number;
  meanMs: number;
}

export interface WebhookToStatus extends LatencySummary {
  calls: number;
  warmupCalls: number;
  /** Per state the page showed. */
  byState: Record<string, LatencySummary>;
  /** POST -> HTTP answer of the webhook (the endpoint answers after publishing the event). */
  webhookAnswer: LatencySummary;
  webhookAnswerByState: Record<string, LatencySummary>;
  /** Deliveries the udesk simulator made itself during the measurement (must be 0). */
  simulatorDeliveries: number;
  goalP95Ms: number;
  meetsGoal: boolean;
}

export interface CcaiRun {
  readers: number;
  vendorCallId: string;
  /** `GET /apps/api/v1/calls/:id` for this call in the simulator's log. */
  upstreamGets: number;
  /** Event types each reader received, in order (all readers must see the same). */
  eventsPerReader: string[];
  readersComplete: number;
  callMs: number;
}

export interface CcaiUpstream {
  pollIntervalMs: number;
  script: string;
  runs: CcaiRun[];
  oneReader: number[];
  tenReaders: number[];
  maxDifference: number;
  equalWithinOnePoll: boolean;
  /** Any 429 from the simulator during the runs (its 10 requests/s limit). */
  rateLimited: number;
}

export interface CallbacksResults {
  webhookToStatus: WebhookToStatus;
  ccaiUpstream: CcaiUpstream;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
/** Nearest rank, as bench/run.ts does for p95. */
const quantile = (xs: number[], q: number) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))]!;
};
const median = (xs: number[]) => {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function summarize(xs: number[]): LatencySummary {
  if (xs.length === 0) return { count: 0, p50Ms: NaN, p95Ms: NaN, maxMs: NaN, minMs: NaN, meanMs: NaN };
  return {
    count: xs.length,
    p50Ms: median(xs),
    p95Ms: quantile(xs, 0.95),
    maxMs: Math.max(...xs),
    minMs: Math.min(...xs),
    meanMs: Number((xs.reduce((a, x) => a + x, 0) / xs.length).toFixed(1)),
  };
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Webhook -> <call-status>

/** Stops the udesk simulator's own callbacks: deletes every subscription over its signed API. */
async function muteUdeskSimulator(sandbox: Sandbox): Promise<void> {
  const UDESK = udeskOf(sandbox);
  for (const sub of sandbox.udesk.control.subscriptions()) {
    const timestamp = String(Date.now());
    const query = new URLSearchParams({ Timestamp: timestamp, AppId: UDESK.appId, Sid: UDESK.sid, Sign: udeskRequestSign(UDESK.sid, UDESK.authToken, timestamp) });
    const response = await fetch(`${sandbox.udesk.url}${UDESK_PATHS.subscriptions}/${sub.id}?${query}`, { method: 'DELETE' });
    const text = await response.text();
    if (!response.ok) throw new Error(`udesk simulator refused to delete subscription ${sub.id}: ${response.status} ${text}`);
  }
  if (sandbox.udesk.control.subscriptions().length > 0 || sandbox.udesk.control.app().events.length > 0) {
    throw new Error('the udesk simulator still has callback targets');
  }
}

/** Page side: a fresh widget + status pair, and a log of every `state` the status element takes. */
const MOUNT = (id: string) => `(async () => {
  const box = document.getElementById('bench-box');
  box.replaceChildren();
  box.insertAdjacentHTML('beforeend', '<click-to-call id="${id}" mode="callback" locale="en" endpoint="/c2c" destination="callback-udesk"></click-to-call><call-status for="${id}"></call-status>');
  const status = box.querySelector('call-status');
  window.__statusLog = [];
  new MutationObserver(() => {
    const t = Date.now();
    const label = status.shadowRoot && status.shadowRoot.querySelector('[part=label]');
    window.__statusLog.push({ state: status.getAttribute('state'), text: label ? label.textContent : '', t });
  }).observe(status, { attributes: true, attributeFilter: ['state'] });
  const el = document.getElementById('${id}');
  await el.updateComplete;
  // The number library (and the country list) loads on first render in callback mode.
  const deadline = Date.now() + 10000;
  while (el.shadowRoot.querySelectorAll('[part~=country] option').length < 100) {
    if (Date.now() > deadline) throw new Error('country list not loaded');
    await new Promise((r) => setTimeout(r, 5));
  }
})()`;

/** Page side: the time the status element first showed `state` (entries from `from` on). */
const SEEN = (state: string, from: number) => `(async () => {
  const deadline = Date.now() + 5000;
  for (;;) {
    const hit = window.__statusLog.slice(${from}).find((e) => e.state === ${JSON.stringify(state)});
    if (hit) return { t: hit.t, text: hit.text, index: window.__statusLog.indexOf(hit) };
    if (Date.now() > deadline) return { t: -1, text: JSON.stringify(window.__statusLog), index: -1 };
    await new Promise((r) => setTimeout(r, 2));
  }
})()`;

interface Sent {
  state: string;
  ms: number;
  answerMs: number;
}

async function postUdesk(sandbox: Sandbox, body: Record<string, unknown>): Promise<{ sentAt: number; answeredAt: number }> {
  const UDESK = udeskOf(sandbox);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const query = new URLSearchParams({ Timestamp: timestamp, AppId: UDESK.appId, Sign: udeskCallbackSign(UDESK.appId, UDESK.secret, timestamp) });
  const text = JSON.stringify(body);
  const sentAt = Date.now();
  const response = await fetch(`${sandbox.endpoint}/webhooks/udesk?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=utf-8' },
    body: text,
  });
  const answer = await response.text();
  const answeredAt = Date.now();
  if (response.status !== 200) throw new Error(`the endpoint refused the udesk callback: ${response.status} ${answer}`);
  return { sentAt, answeredAt };
}

/** One call: start it in the page, then ringing, connected, ended by webhook, each timed. */
async function oneUdeskCall(page: Page, sandbox: Sandbox, n: number): Promise<Sent[]> {
  const id = `bench-cb-${n}`;
  await page.evaluate(MOUNT(id));
  const before = sandbox.udesk.control.calls().length;
  const input = page.locator(`#${id} [part~=phone-input]`);
  await input.fill(UDESK_PHONE);
  await input.press('Enter');
  const queued = (await page.evaluate(SEEN('queued', 0))) as { t: number; text: string; index: number };
  if (queued.t < 0) throw new Error(`call ${n}: <call-status> never showed queued: ${queued.text}`);
  await waitUntil(`udesk call ${n} at the simulator`, () => sandbox.udesk.control.calls().length > before);
  const vendorCallId = sandbox.udesk.control.calls()[before]!.callId;
  const answeredAt = Date.now();
  const steps: Array<{ state: string; body: Record<string, unknown> }> = [
    { state: 'ringing', body: { evt: 'user_ringing' } },
    { state: 'connected', body: { evt: 'user_answer' } },
    { state: 'ended', body: { evt: 'end', UserAnswerTime: answeredAt, HangupBy: 'customer', HangupReason: 'NORMAL_CLEARING' } },
  ];
  const out: Sent[] = [];
  let from = queued.index + 1;
  for (const step of steps) {
    const body = { ...step.body, call_id: vendorCallId, AppId: udeskOf(sandbox).appId, Timestamp: Date.now(), agent_id: '10032', MsgId: `bench-${n}-${step.state}` };
    const { sentAt, answeredAt: answered } = await postUdesk(sandbox, body);
    const seen = (await page.evaluate(SEEN(step.state, from))) as { t: number; text: string; index: number };
    if (seen.t < 0) throw new Error(`call ${n}: <call-status> never showed ${step.state} after the webhook: ${seen.text}`);
    from = seen.index + 1;
    out.push({ state: step.state, ms: seen.t - sentAt, answerMs: answered - sentAt });
  }
  return out;
}

async function benchWebhookToStatus(chromium: Awaited<ReturnType<typeof launchChromium>>): Promise<WebhookToStatus> {
  const sandbox = await startSandbox({ port: 0, quiet: true });
  const context = await chromium.browser.newContext();
  try {
    await muteUdeskSimulator(sandbox);
    const page = await context.newPage();
    await page.goto(`${sandbox.url}/`);
    await page.evaluate(`Promise.all([customElements.whenDefined('click-to-call'), customElements.whenDefined('call-status')])`);
    // The demo page's own widgets go; one box holds the benchmark's pair.
    await page.evaluate(`(() => { document.body.replaceChildren(); const box = document.createElement('main'); box.id = 'bench-box'; document.body.append(box); })()`);
    const deliveriesBefore = sandbox.udesk.deliveries.length;
    for (let i = 0; i < WARMUP_CALLS; i++) await oneUdeskCall(page, sandbox, -1 - i);
    const samples: Sent[] = [];
    let calls = 0;
    // Bounded: each call adds three samples.
    while (samples.length < WEBHOOK_EVENTS && calls < WEBHOOK_EVENTS) {
      samples.push(...(await oneUdeskCall(page, sandbox, calls)));
      calls++;
    }
    const timed = samples.slice(0, WEBHOOK_EVENTS);
    const byState: Record<string, LatencySummary> = {};
    const webhookAnswerByState: Record<string, LatencySummary> = {};
    for (const state of ['ringing', 'connected', 'ended']) {
      byState[state] = summarize(timed.filter((s) => s.state === state).map((s) => s.ms));
      webhookAnswerByState[state] = summarize(timed.filter((s) => s.state === state).map((s) => s.answerMs));
    }
    const all = summarize(timed.map((s) => s.ms));
    const goalP95Ms = 50;
    return {
      ...all,
      calls,
      warmupCalls: WARMUP_CALLS,
      byState,
      webhookAnswer: summarize(timed.map((s) => s.answerMs)),
      webhookAnswerByState,
      simulatorDeliveries: sandbox.udesk.deliveries.length - deliveriesBefore,
      goalP95Ms,
      meetsGoal: all.p95Ms < goalP95Ms,
    };
  } finally {
    await context.close();
    await sandbox.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. CCAI upstream requests, 1 vs 10 readers

async function json<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Follows a call's server-sent events until the server closes the stream (final event). */
async function readEvents(url: string, token: string, origin: string, signal: AbortSignal): Promise<string[]> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, origin }, signal });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
    throw new Error(`events: HTTP ${response.status} ${type} ${await response.text()}`);
  }
  const types: string[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (data) types.push((JSON.parse(data) as { type: string }).type);
    }
  }
  return types;
}

async function oneCcaiCall(sandbox: Sandbox, readers: number): Promise<CcaiRun> {
  const origin = sandbox.url;
  sandbox.ccai.control.scriptNextCall({ statuses: CCAI_SCRIPT });
  const started = Date.now();
  const { token } = await json<{ token: string }>(
    await fetch(`${sandbox.endpoint}/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ destination: 'callback-ccai' }) }),
    'session',
  );
  const before = sandbox.ccai.control.calls().length;
  const { callId } = await json<{ callId: string }>(
    await fetch(`${sandbox.endpoint}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, origin },
      body: JSON.stringify({ phone: CCAI_PHONE }),
    }),
    'start call',
  );
  const created = sandbox.ccai.control.calls();
  if (created.length !== before + 1) throw new Error(`expected one new CCAI call, the simulator has ${created.length - before}`);
  const vendorCallId = created.at(-1)!.id;
  // Bounded: the script lasts 4 s; readers give up after 20 s.
  const stop = AbortSignal.timeout(20_000);
  const url = `${sandbox.endpoint}/calls/${encodeURIComponent(callId)}/events`;
  const results = await Promise.allSettled(Array.from({ length: readers }, () => readEvents(url, token, origin, stop)));
  const callMs = Date.now() - started;
  const received = results.map((r) => (r.status === 'fulfilled' ? r.value.join(',') : `error: ${String(r.reason)}`));
  const complete = results.filter((r) => r.status === 'fulfilled' && r.value.at(-1) === 'ended').length;
  // The watcher stops on the final status; wait out one more interval to catch any straggler.
  await new Promise((r) => setTimeout(r, 1_000));
  const path = `/apps/api/v1/calls/${vendorCallId}`;
  const upstreamGets = sandbox.ccai.requests.filter((r) => r.method === 'GET' && r.path === path).length;
  return { readers, vendorCallId, upstreamGets, eventsPerReader: [...new Set(received)], readersComplete: complete, callMs };
}

async function benchCcaiUpstream(): Promise<CcaiUpstream> {
  const sandbox = await startSandbox({ port: 0, quiet: true });
  try {
    const runs: CcaiRun[] = [];
    for (let i = 0; i < CCAI_RUNS; i++) {
      for (const readers of CCAI_READERS) runs.push(await oneCcaiCall(sandbox, readers));
    }
    const oneReader = runs.filter((r) => r.readers === 1).map((r) => r.upstreamGets);
    const tenReaders = runs.filter((r) => r.readers === 10).map((r) => r.upstreamGets);
    const all = runs.map((r) => r.upstreamGets);
    const maxDifference = Math.max(...all) - Math.min(...all);
    return {
      pollIntervalMs: 500,
      script: CCAI_SCRIPT.map(([s, ms]) => (ms === undefined ? s : `${s} ${ms} ms`)).join(' -> '),
      runs,
      oneReader,
      tenReaders,
      maxDifference,
      equalWithinOnePoll: runs.length > 0 && maxDifference <= 1 && runs.every((r) => r.readersComplete === r.readers),
      rateLimited: sandbox.ccai.requests.filter((r) => r.status === 429).length,
    };
  } finally {
    await sandbox.close();
  }
}

// ---------------------------------------------------------------------------------------------

export async function benchCallbacks(): Promise<CallbacksResults> {
  const chromium = await launchChromium();
  let webhookToStatus: WebhookToStatus;
  try {
    webhookToStatus = await benchWebhookToStatus(chromium);
  } finally {
    await chromium.close();
  }
  const ccaiUpstream = await benchCcaiUpstream();
  return { webhookToStatus, ccaiUpstream };
}

/** The RESULTS.md section for these figures. */
export function callbacksMarkdown(r: CallbacksResults): string[] {
  const w = r.webhookToStatus;
  const c = r.ccaiUpstream;
  const row = (label: string, s: LatencySummary) => `| ${label} | ${s.count} | ${s.p50Ms} | ${s.p95Ms} | ${s.maxMs} |`;
  return [
    '## Callback calls: webhook received -> `<call-status>` updated (ms)',
    '',
    `Signed udesk callbacks posted from Node to the sandbox endpoint; time to the page's MutationObserver seeing the new \`state\` on \`<call-status>\` (Chromium, server-sent events, loopback). ${w.calls} calls after ${w.warmupCalls} warm-up, each queued -> ringing -> connected -> ended.`,
    '',
    '| events | count | p50 | p95 | max |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('all', w),
    ...Object.entries(w.byState).map(([k, v]) => row(k, v)),
    row('webhook HTTP answer', w.webhookAnswer),
    '',
    `Goal: p95 under ${w.goalP95Ms} ms: ${w.meetsGoal ? 'met' : 'NOT met'}. Deliveries by the udesk simulator itself during the run: ${w.simulatorDeliveries}.`,
    '',
    '## Callback calls: CCAI upstream reads for one call, 1 vs 10 readers',
    '',
    `Call script ${c.script}; endpoint polls every ${c.pollIntervalMs} ms. \`GET /apps/api/v1/calls/:id\` in the simulator's log per call:`,
    '',
    '| run | readers | upstream GETs | readers that saw the end | events each reader saw |',
    '| ---: | ---: | ---: | ---: | --- |',
    ...c.runs.map((x, i) => `| ${Math.floor(i / CCAI_READERS.length) + 1} | ${x.readers} | ${x.upstreamGets} | ${x.readersComplete} | ${x.eventsPerReader.join(' / ')} |`),
    '',
    `1 reader: ${c.oneReader.join(', ')}; 10 readers: ${c.tenReaders.join(', ')}; largest difference ${c.maxDifference}: ${c.equalWithinOnePoll ? 'the same within one poll' : 'NOT the same within one poll'}. 429s: ${c.rateLimited}.`,
    '',
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchCallbacks();
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n\n${callbacksMarkdown(results).join('\n')}`);
}
