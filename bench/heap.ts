/**
 * Heap after many mount -> call -> unmount cycles of `<click-to-call>` in Chromium (issue 5),
 * run by `npm run bench` (bench/run.ts) or alone with `node --import tsx bench/heap.ts`
 * (needs `npm run build` first: the page loads dist/).
 *
 * A page from the sandbox (real endpoint, Huawei simulator with its answering WebRTC agent,
 * Sarv simulator) has its demo content replaced by one empty box. Each cycle, in the page:
 * create a `<click-to-call>`, start a call, remove the element (a removal mid-call hangs up),
 * and return. The cycles repeat a mix of ten:
 *   1 x WebRTC call that connects to the agent (audio flowing), then removed;
 *   5 x WebRTC call removed early, 0, 10, 30, 60 or 100 ms after the click (session,
 *       start call, gateway WebSocket, INVITE or queue: wherever it has got to);
 *   2 x WebRTC call refused by the vendor (createClickToCall result 13), removed once failed;
 *   2 x Sarv callback (number filled in, form logic, number library), removed once started.
 * Heap: Runtime.getHeapUsage (V8's used heap of the page) after three forced collections
 * (CDP HeapProfiler.collectGarbage), with the agent's calls ended and 1.5 s of quiet first;
 * measured after WARMUP cycles (chunks loaded, caches filled) and then every CHECKPOINT cycles
 * to the end. DOM counters (nodes, listeners) come from CDP Memory.getDOMCounters.
 */
import { pathToFileURL } from 'node:url';
import type { CDPSession, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { launchChromium } from '../test/support/rig.ts';

const CYCLES = Number(process.env.BENCH_HEAP_CYCLES ?? 500);
const WARMUP = Number(process.env.BENCH_HEAP_WARMUP ?? 20);
const CHECKPOINT = Number(process.env.BENCH_HEAP_CHECKPOINT ?? 100);
const GOAL_BYTES = 1024 * 1024;
/** After the last cycle, one more sample after this much quiet (timers, long polls and retries run out). */
const LATE_QUIET_MS = Number(process.env.BENCH_HEAP_LATE_QUIET_MS ?? 30_000);

type Kind = 'connected' | 'early' | 'refused' | 'callback';
const EARLY_DELAYS = [0, 10, 30, 60, 100];
/** The mix, one entry per cycle, repeated (BENCH_HEAP_ONLY=early, say, keeps one kind). */
const FULL_MIX: Array<{ kind: Kind; delayMs?: number }> = [
  { kind: 'connected' },
  { kind: 'early', delayMs: EARLY_DELAYS[0] },
  { kind: 'refused' },
  { kind: 'early', delayMs: EARLY_DELAYS[1] },
  { kind: 'callback' },
  { kind: 'early', delayMs: EARLY_DELAYS[2] },
  { kind: 'refused' },
  { kind: 'early', delayMs: EARLY_DELAYS[3] },
  { kind: 'callback' },
  { kind: 'early', delayMs: EARLY_DELAYS[4] },
];
const MIX = process.env.BENCH_HEAP_ONLY ? FULL_MIX.filter((m) => m.kind === process.env.BENCH_HEAP_ONLY) : FULL_MIX;
if (MIX.length === 0) throw new Error(`BENCH_HEAP_ONLY=${process.env.BENCH_HEAP_ONLY}: expected connected, early, refused or callback`);

/** Page side: one cycle; returns its time and the last state seen before the removal. */
const CYCLE_FN = `window.__cycle = async (kind, delayMs) => {
  const t0 = performance.now();
  const box = document.getElementById('bench-box');
  const el = document.createElement('click-to-call');
  el.setAttribute('endpoint', '/c2c');
  el.setAttribute('locale', 'en');
  if (kind === 'callback') {
    el.setAttribute('mode', 'callback');
    el.setAttribute('destination', 'callback-sarv');
  } else {
    el.setAttribute('destination', 'sales');
  }
  box.append(el);
  await el.updateComplete;
  if (kind === 'callback') el.phone = '+919876543210';
  const states = [];
  let wake = null;
  const onState = (e) => { states.push(e.detail.state); if (wake) wake(); };
  el.addEventListener('c2c-state-change', onState);
  const until = (stop, ms) => new Promise((resolve) => {
    const timer = setTimeout(() => { wake = null; resolve(false); }, ms);
    const check = () => { if (stop(el.state)) { clearTimeout(timer); wake = null; resolve(true); } };
    wake = check;
    check();
  });
  const over = (s) => s === 'failed' || s === 'ended';
  void el.call();
  let reached = true;
  if (kind === 'connected') reached = await until((s) => s === 'connected' || over(s), 20000);
  else if (kind === 'refused') reached = await until(over, 10000);
  else if (kind === 'callback') reached = await until((s) => ['queued', 'ringing', 'connected', 'scheduled'].includes(s) || over(s), 10000);
  else await new Promise((r) => setTimeout(r, delayMs));
  const state = el.state;
  el.removeEventListener('c2c-state-change', onState);
  el.remove();
  return { ms: performance.now() - t0, state, reached, states: states.join(',') };
}`;

interface CycleOut {
  ms: number;
  state: string;
  reached: boolean;
  states: string;
}

export interface HeapSample {
  afterCycles: number;
  usedBytes: number;
  nodes: number;
  jsEventListeners: number;
  documents: number;
}

export interface KindSummary {
  cycles: number;
  medianMs: number;
  /** Cycles that did not end as intended (no `connected`, no failure, no start). */
  unexpected: number;
  /** Last state before the removal, counted. */
  states: Record<string, number>;
}

export interface HeapResults {
  cycles: number;
  warmupCycles: number;
  samples: HeapSample[];
  growthBytes: number;
  /** The sample taken LATE_QUIET_MS after the last one, and the growth to it from the first. */
  late: { quietMs: number; sample: HeapSample; growthBytes: number };
  /** Bytes per cycle from the second sample to the last (the trend once the first checkpoint is past). */
  laterSlopeBytesPerCycle: number | null;
  goalBytes: number;
  meetsGoal: boolean;
  /** Wall time of the measured cycles per cycle (page side, plus the driver's round trip). */
  perCycleMs: number;
  byKind: Record<Kind, KindSummary>;
  agentCallsAnswered: number;
  pageErrors: string[];
  seconds: number;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return Number((s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2).toFixed(1));
};

async function settle(sandbox: Sandbox): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (sandbox.agent.stats().activeCalls > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // BYE drain, socket close and the widget's own timers.
  await new Promise((r) => setTimeout(r, 1_500));
}

async function measure(cdp: CDPSession, afterCycles: number): Promise<HeapSample> {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  return { afterCycles, usedBytes: heap.usedSize, nodes: dom.nodes, jsEventListeners: dom.jsEventListeners, documents: dom.documents };
}

async function cycle(page: Page, sandbox: Sandbox, n: number): Promise<{ kind: Kind; out: CycleOut }> {
  const step = MIX[n % MIX.length]!;
  if (step.kind === 'refused') sandbox.simulator.control.scriptNextCall({ createResult: '13' });
  const out = (await page.evaluate(`window.__cycle(${JSON.stringify(step.kind)}, ${step.delayMs ?? 0})`)) as CycleOut;
  return { kind: step.kind, out };
}

export async function benchHeap(): Promise<HeapResults> {
  const started = Date.now();
  const sandbox = await startSandbox({ port: 0, quiet: true, queueMs: 0 });
  const chromium = await launchChromium();
  const context = await chromium.browser.newContext();
  const pageErrors: string[] = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.length < 20 && pageErrors.push(String(error.message).slice(0, 200)));
    await page.goto(`${sandbox.url}/`);
    await page.evaluate(`customElements.whenDefined('click-to-call')`);
    // The demo page's own widgets and scripts' elements go; one empty box holds each cycle's widget.
    await page.evaluate(`(() => { document.body.replaceChildren(); const box = document.createElement('main'); box.id = 'bench-box'; document.body.append(box); })()`);
    await page.evaluate(CYCLE_FN);
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');

    for (let i = 0; i < WARMUP; i++) await cycle(page, sandbox, i);
    await settle(sandbox);
    const samples = [await measure(cdp, 0)];
    const outs: Array<{ kind: Kind; out: CycleOut }> = [];
    let cyclingMs = 0;
    for (let i = 0; i < CYCLES; i++) {
      const t0 = performance.now();
      outs.push(await cycle(page, sandbox, WARMUP + i));
      cyclingMs += performance.now() - t0;
      if ((i + 1) % CHECKPOINT === 0 && i + 1 < CYCLES) {
        await settle(sandbox);
        samples.push(await measure(cdp, i + 1));
      }
    }
    await settle(sandbox);
    samples.push(await measure(cdp, CYCLES));
    const byKind = {} as Record<Kind, KindSummary>;
    for (const kind of ['connected', 'early', 'refused', 'callback'] as const) {
      const mine = outs.filter((o) => o.kind === kind).map((o) => o.out);
      const states: Record<string, number> = {};
      for (const o of mine) states[o.state] = (states[o.state] ?? 0) + 1;
      const unexpected = mine.filter((o) =>
        !o.reached || (kind === 'connected' && o.state !== 'connected') || (kind === 'refused' && o.state !== 'failed') || (kind === 'callback' && (o.state === 'failed' || o.state === 'ended')),
      ).length;
      byKind[kind] = { cycles: mine.length, medianMs: median(mine.map((o) => o.ms)), unexpected, states };
    }
    const growthBytes = samples.at(-1)!.usedBytes - samples[0]!.usedBytes;
    await new Promise((r) => setTimeout(r, LATE_QUIET_MS));
    const lateSample = await measure(cdp, CYCLES);
    const second = samples.length > 2 ? samples[1]! : null;
    const laterSlopeBytesPerCycle = second ? Math.round((samples.at(-1)!.usedBytes - second.usedBytes) / (CYCLES - second.afterCycles)) : null;
    return {
      cycles: CYCLES,
      warmupCycles: WARMUP,
      samples,
      growthBytes,
      late: { quietMs: LATE_QUIET_MS, sample: lateSample, growthBytes: lateSample.usedBytes - samples[0]!.usedBytes },
      laterSlopeBytesPerCycle,
      goalBytes: GOAL_BYTES,
      meetsGoal: growthBytes < GOAL_BYTES,
      perCycleMs: Number((cyclingMs / Math.max(1, CYCLES)).toFixed(1)),
      byKind,
      agentCallsAnswered: sandbox.agent.stats().callsAnswered,
      pageErrors,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await context.close();
    await chromium.close();
    await sandbox.close();
  }
}

export function heapMarkdown(r: HeapResults): string[] {
  const kb = (b: number) => (b / 1024).toFixed(1);
  const labels: Record<Kind, string> = {
    connected: 'WebRTC, connected to the agent, then removed',
    early: `WebRTC, removed ${EARLY_DELAYS.join('/')} ms after the click`,
    refused: 'WebRTC, refused by the vendor (result 13), removed when failed',
    callback: 'Sarv callback, removed once started',
  };
  return [
    `## Heap after ${r.cycles} mount -> call -> unmount cycles (Chromium)`,
    '',
    `A sandbox page (real endpoint, simulators, the answering WebRTC agent; built widget from dist/) creates a \`<click-to-call>\`, starts a call and removes the element, ${r.cycles} times after ${r.warmupCycles} warm-up cycles, in a repeating mix of ${MIX.length} (below). V8 used heap of the page from CDP \`Runtime.getHeapUsage\` after three forced collections (\`HeapProfiler.collectGarbage\`), each time once the agent has no call left and 1.5 s of quiet. Per-cycle time includes the driver's round trip; the run took ${r.seconds} s.`,
    '',
    '| after cycles | used heap (KB) | DOM nodes | JS event listeners | documents |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...r.samples.map((s) => `| ${s.afterCycles} | ${kb(s.usedBytes)} | ${s.nodes} | ${s.jsEventListeners} | ${s.documents} |`),
    `| ${r.cycles}, ${r.late.quietMs / 1000} s later | ${kb(r.late.sample.usedBytes)} | ${r.late.sample.nodes} | ${r.late.sample.jsEventListeners} | ${r.late.sample.documents} |`,
    '',
    `Growth from the first to the last sample: **${kb(r.growthBytes)} KB** (goal under ${kb(r.goalBytes)} KB: ${r.meetsGoal ? 'met' : 'NOT met'})${r.laterSlopeBytesPerCycle === null ? '' : `; from cycle ${r.samples[1]!.afterCycles} on, ${r.laterSlopeBytesPerCycle} bytes per cycle`}; ${r.late.quietMs / 1000} s later ${kb(r.late.growthBytes)} KB. Mean time per cycle: **${r.perCycleMs} ms**. Calls the agent answered: ${r.agentCallsAnswered}. Page errors: ${r.pageErrors.length}.`,
    '',
    '| cycle kind | cycles | median ms | not as intended | last state before removal |',
    '| --- | ---: | ---: | ---: | --- |',
    ...(Object.entries(r.byKind) as Array<[Kind, KindSummary]>).map(
      ([k, v]) => `| ${labels[k]} | ${v.cycles} | ${v.medianMs} | ${v.unexpected} | ${Object.entries(v.states).map(([s, n]) => `${s} ${n}`).join(', ')} |`,
    ),
    '',
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchHeap();
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n\n${heapMarkdown(results).join('\n')}\n`);
}
