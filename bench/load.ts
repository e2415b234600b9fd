/**
 * Token endpoint under load (issue 5), run by `npm run bench` (bench/run.ts) or alone with
 * `node --import tsx bench/load.ts`.
 *
 * Three processes on this 2-core machine: the real endpoint (createC2CHandler on Node's http
 * server) in one child, the Huawei and Sarv simulators in another (bench/load-procs.ts), and
 * autocannon's programmatic API in this one, all over loopback HTTP/1.1 keep-alive. Each mint
 * is a real applyToken round trip to the Huawei simulator; each WebRTC call start a real
 * createClickToCall; each callback start a real Sarv click-to-call request.
 *
 * - Session mints: POST /session with an allowed Origin and destination, for a fixed time, at
 *   two concurrency levels.
 * - Call starts: POST /calls, each with a fresh session token taken from a pool minted just
 *   before (autocannon's setupRequest pops one per request), for Huawei WebRTC and for a Sarv
 *   callback (a different E.164 number per request).
 * - tokenByAkSk per 10,000 sessions: requests the Huawei simulator saw, over all sessions the
 *   endpoint minted since it started (warm-up and pools included).
 * - With the default abuse limits (only once the configuration has them): a flood of
 *   POST /session from one IP, how many pass before the first 429, then 429s per second and
 *   their latency.
 *
 * The load runs have the abuse limits switched off: see LIMITS_OFF below.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon, { type AutocannonOptions, type AutocannonResult } from 'autocannon';
import { parseConfig } from '../src/server/config.ts';
import { NO_LIMITS } from '../test/unit/server/rig.ts';
import { BENCH_HUAWEI, BENCH_SARV, type FromChild, type ToChild } from './load-procs.ts';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_LOAD_WARMUP_SECONDS ?? 2);
const MINT_CONNECTIONS = (process.env.BENCH_LOAD_CONNECTIONS ?? '10,100').split(',').map(Number);
const START_CONNECTIONS = Number(process.env.BENCH_START_CONNECTIONS ?? 10);
const START_POOL = Number(process.env.BENCH_START_POOL ?? 10_000);
const CALLBACK_POOL = Number(process.env.BENCH_CALLBACK_POOL ?? 3_000);
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 5);
/** Run the default-limits flood even when no limit keys are found (to exercise the code). */
const FLOOD_FORCE = process.env.BENCH_FLOOD_FORCE === '1';

const ORIGIN = 'https://shop.example';
const GOAL_MINTS_PER_SECOND = 3_000;
const GOAL_P99_MS = 25;

// ---------------------------------------------------------------------------------------------
// Configuration

/** Throughput is measured with every abuse limit off (the tests' own NO_LIMITS); the flood below measures them on. */
const LIMITS_OFF = NO_LIMITS;

function baseConfig(urls: Record<string, string>): Record<string, unknown> {
  return {
    allowedOrigins: [ORIGIN],
    destinations: {
      sales: { provider: 'huawei' },
      'callback-sarv': { provider: 'sarv', to: '101', toType: 'Agent' },
    },
    providers: {
      huawei: { baseUrl: urls.huawei, ...BENCH_HUAWEI },
      sarv: { baseUrl: urls.sarv, ...BENCH_SARV },
    },
  };
}

interface LimitsUsed {
  /** Limit sections switched off for the load runs. */
  sections: string[];
  /** What the load runs used, as given to the configuration. */
  raised: Record<string, unknown>;
  /** True when the configuration accepted it. */
  applied: boolean;
}

function loadConfig(urls: Record<string, string>): { config: Record<string, unknown>; limits: LimitsUsed } {
  const raised = { limits: LIMITS_OFF };
  const config = { ...baseConfig(urls), ...raised };
  parseConfig(config);
  return { config, limits: { sections: ['limits'], raised, applied: true } };
}

// ---------------------------------------------------------------------------------------------
// Child processes

interface Child {
  urls: Record<string, string>;
  ask<T>(type: 'counts' | 'usage'): Promise<T>;
  close(): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));

async function startChild(role: 'vendors' | 'endpoint', config?: unknown): Promise<Child> {
  const child: ChildProcess = fork(`${here}load-procs.ts`, [role], {
    // C2C_PROF=<dir> writes a V8 CPU profile of the endpoint process there (where the time goes).
    execArgv: ['--import', 'tsx', ...(role === 'endpoint' && process.env.C2C_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.C2C_PROF}`] : [])],
    env: { ...process.env, ...(config ? { C2C_BENCH_CONFIG: JSON.stringify(config) } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  const urls = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench ${role} process not ready after 30 s`)), 30_000);
    child.on('message', (message: FromChild) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.urls);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`bench ${role} process failed: ${message.message}`));
      } else if (message.type === 'reply') {
        pending.get(message.id)?.(message.value);
        pending.delete(message.id);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench ${role} process exited with ${code}`));
    });
  });
  return {
    urls,
    ask<T>(type: 'counts' | 'usage') {
      const id = nextId++;
      return new Promise<T>((resolve) => {
        pending.set(id, resolve as (value: unknown) => void);
        child.send({ id, type } satisfies ToChild);
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ id: 0, type: 'close' } satisfies ToChild);
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Runs

export interface LoadRun {
  connections: number;
  requests: number;
  seconds: number;
  /** 2xx answers per second of wall time. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  ok: number;
  non2xx: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** CPU time of the endpoint process over the run, per second of wall time (1 = one core busy). */
  endpointCpuCores?: number;
  /** The same for the simulators' process and for this one (autocannon). */
  vendorsCpuCores?: number;
  loadGeneratorCpuCores?: number;
}

interface Usage {
  cpuUserMs: number;
  cpuSystemMs: number;
  heapUsed: number;
  rss: number;
}

/** The simulators' process while it runs (for its CPU figures). */
let vendorsProcess: Child | null = null;

const cpuMs = (u: Usage) => u.cpuUserMs + u.cpuSystemMs;

async function cannon(options: AutocannonOptions, endpoint?: Child): Promise<LoadRun> {
  const vendors = endpoint ? vendorsProcess : null;
  const before = endpoint ? await endpoint.ask<Usage>('usage') : null;
  const vendorsBefore = vendors ? await vendors.ask<Usage>('usage') : null;
  const selfBefore = process.cpuUsage();
  const started = performance.now();
  const result: AutocannonResult = await autocannon({ timeout: 10, ...options });
  const seconds = (performance.now() - started) / 1000;
  const self = process.cpuUsage(selfBefore);
  const after = endpoint ? await endpoint.ask<Usage>('usage') : null;
  const vendorsAfter = vendors ? await vendors.ask<Usage>('usage') : null;
  const cores = (a: Usage, b: Usage) => Number(((cpuMs(b) - cpuMs(a)) / 1000 / seconds).toFixed(2));
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
  const ok = result['2xx'];
  return {
    connections: options.connections ?? 10,
    requests: ok + result.non2xx,
    seconds: Number(seconds.toFixed(2)),
    okPerSecond: Math.round(ok / seconds),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    meanMs: Number(result.latency.mean.toFixed(2)),
    ok,
    non2xx: result.non2xx,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    ...(before && after ? { endpointCpuCores: cores(before, after) } : {}),
    ...(vendorsBefore && vendorsAfter ? { vendorsCpuCores: cores(vendorsBefore, vendorsAfter) } : {}),
    ...(endpoint ? { loadGeneratorCpuCores: Number(((self.user + self.system) / 1e6 / seconds).toFixed(2)) } : {}),
  };
}

const json = { 'content-type': 'application/json', origin: ORIGIN };

function mintRequest(destination: string) {
  return { method: 'POST', path: '/session', headers: json, body: JSON.stringify({ destination }) };
}

/** Mints `count` session tokens (through autocannon too: the pool for the call starts). */
async function mintPool(url: string, destination: string, count: number): Promise<{ tokens: string[]; run: LoadRun }> {
  const tokens: string[] = [];
  const run = await cannon({
    url,
    connections: 10,
    amount: count,
    requests: [
      {
        ...mintRequest(destination),
        onResponse: (status, body) => {
          if (status === 201) tokens.push((JSON.parse(body) as { token: string }).token);
        },
      },
    ],
  });
  return { tokens, run };
}

/** POST /calls with one fresh token per request, `amount` requests. */
async function startCalls(url: string, tokens: string[], amount: number, body: (i: number) => string, endpoint: Child): Promise<LoadRun> {
  let next = 0;
  return cannon(
    {
      url,
      connections: START_CONNECTIONS,
      amount,
      requests: [
        {
          method: 'POST',
          path: '/calls',
          setupRequest: (request) => {
            const i = next++;
            const token = tokens[i];
            if (!token) return null;
            return { ...request, headers: { ...json, authorization: `Bearer ${token}` }, body: body(i) };
          },
        },
      ],
    },
    endpoint,
  );
}

export interface FloodResult {
  /** POST /session from one IP, one at a time, until the first 429. */
  acceptedBeforeFirst429: number;
  msToFirst429: number;
  firstRefusal: { status: number; retryAfter: string | null; body: string } | null;
  /** Answers other than 201 and 429 in the one-at-a-time phase, by status. */
  otherStatuses: Record<string, number>;
  /** Then autocannon from the same IP for a while. */
  flood: LoadRun;
  refusedPerSecond: number;
}

export interface LoadResults {
  layout: string;
  /** 1-minute load average of the machine before and after the load runs (other work shares the cores). */
  loadAverage: { before: number; after: number };
  limits: LimitsUsed;
  mints: LoadRun[];
  webrtcStarts: LoadRun;
  callbackStarts: LoadRun;
  pools: { webrtc: LoadRun; callback: LoadRun };
  tokenByAkSk: { requests: number; sessionsMinted: number; per10kSessions: number; applyToken: number; createClickToCall: number };
  /** Any 429 during the load runs (limits not raised enough). */
  refusedDuringLoad: number;
  unexpectedEndpointErrors: number;
  flood: FloodResult | { skipped: string };
  /** Rate: the best mint run; p99: the mint run with the fewest connections (more connections only queue). */
  goals: { mintsPerSecond: number; p99Ms: number; p99AtConnections: number; mintsMet: boolean; p99Met: boolean };
}

async function floodDefaults(urls: Record<string, string>): Promise<FloodResult> {
  const endpoint = await startChild('endpoint', baseConfig(urls));
  try {
    const url = endpoint.urls.endpoint!;
    const started = performance.now();
    let accepted = 0;
    let firstRefusal: FloodResult['firstRefusal'] = null;
    const otherStatuses: Record<string, number> = {};
    let others = 0;
    const deadline = Date.now() + 15_000;
    while (!firstRefusal && accepted < 20_000 && others < 100 && Date.now() < deadline) {
      const response = await fetch(`${url}/session`, { method: 'POST', headers: json, body: JSON.stringify({ destination: 'sales' }) });
      const text = await response.text();
      if (response.status === 429) firstRefusal = { status: 429, retryAfter: response.headers.get('retry-after'), body: text.slice(0, 300) };
      else if (response.status === 201) accepted++;
      else {
        others++;
        otherStatuses[response.status] = (otherStatuses[response.status] ?? 0) + 1;
      }
    }
    const msToFirst429 = Math.round(performance.now() - started);
    const flood = await cannon({ url, connections: 10, duration: FLOOD_SECONDS, requests: [mintRequest('sales')] }, endpoint);
    return {
      acceptedBeforeFirst429: accepted,
      msToFirst429: firstRefusal ? msToFirst429 : -1,
      firstRefusal,
      otherStatuses,
      flood,
      refusedPerSecond: Math.round((flood.statuses['429'] ?? 0) / flood.seconds),
    };
  } finally {
    await endpoint.close();
  }
}

export async function benchLoad(): Promise<LoadResults> {
  const vendors = await startChild('vendors');
  vendorsProcess = vendors;
  try {
    const { config, limits } = loadConfig(vendors.urls);
    const endpoint = await startChild('endpoint', config);
    const loadBefore = loadavg()[0]!;
    let results: Omit<LoadResults, 'flood'>;
    try {
      const url = endpoint.urls.endpoint!;
      await cannon({ url, connections: 10, duration: WARMUP_SECONDS, requests: [mintRequest('sales')] });
      const mints: LoadRun[] = [];
      for (const connections of MINT_CONNECTIONS) {
        mints.push(await cannon({ url, connections, duration: SECONDS, requests: [mintRequest('sales')] }, endpoint));
      }
      // A few spare tokens: each connection builds its next request before autocannon stops.
      const spare = START_CONNECTIONS * 4;
      const webrtcPool = await mintPool(url, 'sales', START_POOL + spare);
      const webrtcStarts = await startCalls(url, webrtcPool.tokens, START_POOL, () => '{}', endpoint);
      const callbackPool = await mintPool(url, 'callback-sarv', CALLBACK_POOL + spare);
      // A different Indian mobile number per call (no per-number cooldown is tripped).
      const callbackStarts = await startCalls(url, callbackPool.tokens, CALLBACK_POOL, (i) => JSON.stringify({ phone: `+9198${String(i).padStart(8, '0')}` }), endpoint);
      const counts = await vendors.ask<Record<string, number>>('counts');
      const endpointCounts = await endpoint.ask<Record<string, number>>('counts');
      const runs = [...mints, webrtcStarts, callbackStarts, webrtcPool.run, callbackPool.run];
      // Every 201 of POST /session since the endpoint started (the warm-up is not kept: its
      // sessions are counted from applyToken, one per mint).
      const sessionsMinted = counts.applyToken ?? 0;
      const best = mints.reduce((a, b) => (b.okPerSecond > a.okPerSecond ? b : a));
      const fewest = mints.reduce((a, b) => (b.connections < a.connections ? b : a));
      results = {
        layout: 'endpoint, simulators and autocannon in three processes (Node child processes; autocannon in the parent, one thread)',
        loadAverage: { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0]!.toFixed(2)) },
        limits,
        mints,
        webrtcStarts,
        callbackStarts,
        pools: { webrtc: webrtcPool.run, callback: callbackPool.run },
        tokenByAkSk: {
          requests: counts.tokenByAkSk ?? 0,
          sessionsMinted,
          per10kSessions: Number((((counts.tokenByAkSk ?? 0) / Math.max(1, sessionsMinted)) * 10_000).toFixed(2)),
          applyToken: counts.applyToken ?? 0,
          createClickToCall: counts.createClickToCall ?? 0,
        },
        refusedDuringLoad: runs.reduce((a, r) => a + (r.statuses['429'] ?? 0), 0),
        unexpectedEndpointErrors: endpointCounts.unexpectedErrors ?? 0,
        goals: {
          mintsPerSecond: GOAL_MINTS_PER_SECOND,
          p99Ms: GOAL_P99_MS,
          p99AtConnections: fewest.connections,
          mintsMet: best.okPerSecond >= GOAL_MINTS_PER_SECOND,
          p99Met: fewest.p99Ms < GOAL_P99_MS,
        },
      };
    } finally {
      await endpoint.close();
    }
    // A 429 under load means the endpoint limits by default even if no limit section was found.
    const flood: LoadResults['flood'] =
      limits.sections.length > 0 || FLOOD_FORCE || results.refusedDuringLoad > 0
        ? await floodDefaults(vendors.urls)
        : { skipped: 'the configuration has no abuse-limit keys in this tree yet' };
    return { ...results, flood };
  } finally {
    vendorsProcess = null;
    await vendors.close();
  }
}

// ---------------------------------------------------------------------------------------------

export function loadMarkdown(r: LoadResults): string[] {
  const row = (label: string, x: LoadRun) =>
    `| ${label} | ${x.connections} | ${x.requests} | ${x.seconds} | **${x.okPerSecond}** | ${x.p50Ms} | ${x.p99Ms} | ${x.maxMs} | ${x.non2xx} | ${x.errors + x.timeouts} | ${x.endpointCpuCores ?? ''} | ${x.vendorsCpuCores ?? ''} | ${x.loadGeneratorCpuCores ?? ''} |`;
  const f = r.flood;
  const limitsText =
    r.limits.sections.length === 0
      ? r.refusedDuringLoad > 0
        ? 'The configuration has no limit section the benchmark recognises, yet the endpoint refused requests with 429 under load: it has default limits that were NOT raised (switch them off in `LIMITS_OFF` in bench/load.ts).'
        : 'This tree has no abuse limits yet (the configuration has no limit keys), so the endpoint ran without any.'
      : r.limits.applied
        ? `Abuse limits (\`${r.limits.sections.join('`, `')}\`) were switched off for the load runs (see \`LIMITS_OFF\` in bench/load.ts): these are not the figures of an endpoint with its default limits (the flood below is).`
        : `The configuration has abuse limits (\`${r.limits.sections.join('`, `')}\`) that the benchmark could NOT raise: the load runs used the defaults.`;
  return [
    '## Token endpoint under load (autocannon)',
    '',
    `${r.layout[0]!.toUpperCase()}${r.layout.slice(1)}; loopback HTTP/1.1 keep-alive, no pipelining. Each mint makes the endpoint call the Huawei simulator's applyToken; each WebRTC start its createClickToCall; each callback start Sarv's click-to-call. Call starts use a fresh session token per request from a pool minted just before. ${limitsText}`,
    '',
    '| run | connections | requests | s | 2xx/s | p50 ms | p99 ms | max ms | non-2xx | errors+timeouts | CPU cores: endpoint | simulators | autocannon |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.mints.map((m) => row('session mints (POST /session)', m)),
    row('call starts, Huawei WebRTC (POST /calls)', r.webrtcStarts),
    row('call starts, Sarv callback (POST /calls)', r.callbackStarts),
    row('token pool for WebRTC starts', r.pools.webrtc),
    row('token pool for callback starts', r.pools.callback),
    '',
    `Goals: at least ${r.goals.mintsPerSecond} session mints/s: ${r.goals.mintsMet ? 'met' : 'NOT met'}; p99 under ${r.goals.p99Ms} ms at ${r.goals.p99AtConnections} connections: ${r.goals.p99Met ? 'met' : 'NOT met'} (with more connections the requests only wait in line: latency is about connections / rate). 429s during the load runs: ${r.refusedDuringLoad}; unexpected endpoint errors: ${r.unexpectedEndpointErrors}. Latencies are autocannon's (whole milliseconds). Machine load average (1 min) ${r.loadAverage.before} before, ${r.loadAverage.after} after: other work on the same 2 cores lowers these figures.`,
    '',
    `tokenByAkSk: ${r.tokenByAkSk.requests} request(s) for ${r.tokenByAkSk.sessionsMinted} sessions since the endpoint started (${r.tokenByAkSk.per10kSessions} per 10,000 sessions; one token lifetime is an hour, the whole run under a minute: the goal is 1).`,
    '',
    '### With the default limits: a flood from one IP',
    '',
    ...('skipped' in f
      ? [`Not measured: ${f.skipped}. The code runs once \`parseConfig\` fills in a limit section by default.`]
      : [
          `POST /session from one IP, one at a time: ${f.acceptedBeforeFirst429} accepted ${f.firstRefusal ? 'before the first refusal' : 'in 15 s'} (${f.firstRefusal ? `HTTP ${f.firstRefusal.status} after ${f.msToFirst429} ms, Retry-After ${f.firstRefusal.retryAfter ?? 'none'}` : 'no 429 at all'}${Object.keys(f.otherStatuses).length ? `; other answers: ${JSON.stringify(f.otherStatuses)}` : ''}). Then ${f.flood.seconds} s of autocannon (${f.flood.connections} connections): ${f.flood.statuses['429'] ?? 0} refusals (**${f.refusedPerSecond}/s**), ${f.flood.ok} accepted, latency of all answers p50 ${f.flood.p50Ms} ms, p99 ${f.flood.p99Ms} ms, max ${f.flood.maxMs} ms.`,
        ]),
    '',
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchLoad();
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n\n${loadMarkdown(results).join('\n')}\n`);
}
