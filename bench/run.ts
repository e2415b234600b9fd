/**
 * `npm run bench`: sizes of the browser build and call-setup latency on the local rig, written
 * to bench/results.json and bench/RESULTS.md. Figures for notes come from here.
 *
 * Latency: click -> INVITE received by the sandbox agent, and click -> first inbound audio
 * packet in the page (getStats), with no STUN server and with a dead one (a loopback UDP port
 * that swallows requests), for the widget and for plain JsSIP with its defaults.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { bundleJsSIP, launchChromium, serveStatic } from '../test/support/rig.ts';
import { trackPeerConnections } from '../test/support/pages.ts';
import { benchCallbacks, callbacksMarkdown } from './callbacks.ts';
import { benchOutage, benchRecovery, outageMarkdown, recoveryMarkdown, type OutageSummary, type RecoverySummary } from './recovery.ts';
import { benchLoad, loadMarkdown } from './load.ts';
import { benchHeap, heapMarkdown } from './heap.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const BASELINE_DEAD_STUN_RUNS = Number(process.env.BENCH_BASELINE_DEAD_RUNS ?? 2);

interface Sample {
  invite: number;
  audio: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;

async function sizes() {
  const names = (await readdir('dist')).filter((n) => n.endsWith('.js'));
  const out: Record<string, { raw: number; gzip: number; brotli: number }> = {};
  for (const name of names) {
    const buf = await readFile(join('dist', name));
    const role =
      name === 'click-to-call.js'
        ? 'first script'
        : name.includes('-sip-')
          ? 'media chunk (JsSIP)'
          : name.includes('-engine-')
            ? 'engine chunk'
            : name.includes('-phone-')
              ? 'callback chunk (number checks, form)'
              : name.includes('-devices-')
                ? 'lazy: audio settings chunk (device lists, level meter)'
                : name.includes('-readiness-')
                  ? 'lazy: pre-call check chunk'
                  : name.includes('-layouts-')
                    ? 'lazy: compact and floating layouts (styles, icons, panel)'
                    : name.includes('-zh-CN-')
                      ? 'lazy: Simplified Chinese catalog'
                      : name.includes('-runtime-')
                        ? 'lazy: language runtime (any language but English)'
                        : name.includes('-errors-')
                          ? 'lazy: error sentences (after a failure)'
                          : name.includes('-debug-')
                            ? 'lazy: debug logging (the `debug` attribute)'
                            : `shared chunk ${name}`;
    out[role] = { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length, brotli: brotliCompressSync(buf).length };
  }
  return out;
}

/** A UDP port on loopback that reads STUN requests and never answers. */
async function deadStun(): Promise<{ url: string; close(): void }> {
  const socket = createSocket('udp4');
  socket.on('message', () => undefined);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { url: `stun:127.0.0.1:${socket.address().port}`, close: () => socket.close() };
}

const FIRST_PACKET = `(async () => {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const pc = (window.__rigPeerConnections || []).at(-1);
    if (pc) {
      const stats = await pc.getStats();
      let packets = 0;
      stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived || 0; });
      if (packets > 0) return Date.now();
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return -1;
})()`;

async function widgetRuns(page: Page, sandbox: Sandbox, runs: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    await page.goto(`${sandbox.url}/`);
    await page.evaluate(`customElements.whenDefined('click-to-call')`);
    // A visitor's pointer reaches the button before the click: the chunks are prefetched.
    await page.hover('click-to-call');
    await page.evaluate(`document.querySelector('click-to-call').session.prefetch()`);
    const invite = new Promise<number>((resolve) => {
      const off = sandbox.agent.on('call', () => {
        off();
        resolve(Date.now());
      });
    });
    const clicked = (await page.evaluate(`(() => {
      const t = Date.now();
      document.querySelector('click-to-call').shadowRoot.querySelector('[part~=call-button]').click();
      return t;
    })()`)) as number;
    const audioAt = (await page.evaluate(FIRST_PACKET)) as number;
    const inviteAt = await within(invite, 60_000);
    samples.push({ invite: inviteAt < 0 ? -1 : inviteAt - clicked, audio: audioAt < 0 ? -1 : audioAt - clicked });
    await page.evaluate(`document.querySelector('click-to-call').hangup()`);
  }
  return samples;
}

async function baselineRuns(page: Page, baseUrl: string, sandbox: Sandbox, iceServers: unknown[], runs: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    await page.goto(`${baseUrl}/baseline.html`);
    // A string, not a function: tsx may add helpers to functions that the page does not have.
    await page.evaluate(`(async () => {
      const JsSIP = (await import('./jssip.js')).default;
      const ua = new JsSIP.UA({ sockets: [new JsSIP.WebSocketInterface(${JSON.stringify(sandbox.agent.url)})], uri: 'sip:AnonymousCard@sandbox.c2c.invalid', register: false });
      await new Promise((r) => { ua.on('connected', r); ua.start(); });
      window.__call = () => {
        const t = Date.now();
        window.__session = ua.call('sip:179080000537636@sandbox.c2c.invalid', { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: ${JSON.stringify(iceServers)} } });
        return t;
      };
    })()`);
    const invite = new Promise<number>((resolve) => {
      const off = sandbox.agent.on('call', () => {
        off();
        resolve(Date.now());
      });
    });
    const clicked = (await page.evaluate('window.__call()')) as number;
    const audioAt = (await page.evaluate(FIRST_PACKET)) as number;
    const inviteAt = await within(invite, 60_000);
    samples.push({ invite: inviteAt < 0 ? -1 : inviteAt - clicked, audio: audioAt < 0 ? -1 : audioAt - clicked });
    await page.evaluate('try { window.__session.terminate() } catch {}');
  }
  return samples;
}

/** The promise's value, or -1 when it takes longer than `ms` (a run that never got that far). */
async function within(promise: Promise<number>, ms: number): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function summarize(samples: Sample[]) {
  const ok = samples.filter((s) => s.invite >= 0 && s.audio >= 0);
  const invite = ok.map((s) => s.invite);
  const audio = ok.map((s) => s.audio);
  if (ok.length === 0) return { runs: samples.length, failed: samples.length, inviteMedianMs: NaN, inviteP95Ms: NaN, audioMedianMs: NaN, audioP95Ms: NaN };
  return {
    runs: samples.length,
    failed: samples.length - ok.length,
    inviteMedianMs: median(invite),
    inviteP95Ms: p95(invite),
    audioMedianMs: median(audio),
    audioP95Ms: p95(audio),
  };
}

async function main() {
  const results: Record<string, unknown> = { date: new Date().toISOString(), sizes: await sizes() };
  const chromium = await launchChromium();
  const stun = await deadStun();
  const dir = await mkdtemp(join(tmpdir(), 'c2c-bench-'));
  await bundleJsSIP(join(dir, 'jssip.js'));
  await writeFile(join(dir, 'baseline.html'), '<!doctype html><title>plain JsSIP</title>');
  const statics = await serveStatic(dir);
  const latency: Record<string, ReturnType<typeof summarize>> = {};
  try {
    for (const [label, iceServers] of [
      ['no STUN', []],
      ['dead STUN', [{ urls: stun.url }]],
    ] as const) {
      const sandbox = await startSandbox({ port: 0, quiet: true, queueMs: 0, ...(iceServers.length ? { iceServers: [...iceServers] } : {}) });
      const context = await chromium.browser.newContext();
      await trackPeerConnections(context);
      const page = await context.newPage();
      try {
        latency[`widget, ${label}`] = summarize(await widgetRuns(page, sandbox, RUNS));
        const baselineRunsCount = label === 'dead STUN' ? BASELINE_DEAD_STUN_RUNS : RUNS;
        latency[`plain JsSIP defaults, ${label}`] = summarize(await baselineRuns(page, statics.url, sandbox, [...iceServers], baselineRunsCount));
      } finally {
        await context.close();
        await sandbox.close();
      }
      process.stdout.write(`done: ${label}\n`);
    }
    // Failover: the first gateway address accepts TCP and never answers the WebSocket.
    const hanging = createServer(() => undefined);
    const held = new Set<Socket>();
    hanging.on('connection', (socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const sandbox = await startSandbox({ port: 0, quiet: true, queueMs: 0 });
    const context = await chromium.browser.newContext();
    await trackPeerConnections(context);
    try {
      const port = (hanging.address() as { port: number }).port;
      sandbox.simulator.control.setDefaultScript({ outcome: 'connect', queueMs: 0, gwAddresses: [`ws://127.0.0.1:${port}`, sandbox.agent.url] });
      latency['widget, first gateway address hanging'] = summarize(await widgetRuns(await context.newPage(), sandbox, Math.min(RUNS, 5)));
    } finally {
      await context.close();
      await sandbox.close();
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
    process.stdout.write('done: failover\n');
    results.recovery = await benchRecovery(chromium.browser, Math.min(RUNS, 5));
    results.outage = await benchOutage(Math.min(RUNS, 3));
    process.stdout.write('done: recovery\n');
  } finally {
    await statics.close();
    stun.close();
    await chromium.close();
    await rm(dir, { recursive: true, force: true });
  }
  results.latency = latency;
  const ratio = (a: string, b: string, k: 'inviteMedianMs' | 'audioMedianMs') =>
    Number((latency[b]![k] / latency[a]![k]).toFixed(1));
  results.speedup = {
    'no STUN: INVITE': ratio('widget, no STUN', 'plain JsSIP defaults, no STUN', 'inviteMedianMs'),
    'no STUN: audio': ratio('widget, no STUN', 'plain JsSIP defaults, no STUN', 'audioMedianMs'),
    'dead STUN: INVITE': ratio('widget, dead STUN', 'plain JsSIP defaults, dead STUN', 'inviteMedianMs'),
    'dead STUN: audio': ratio('widget, dead STUN', 'plain JsSIP defaults, dead STUN', 'audioMedianMs'),
  };
  const callbacks = await benchCallbacks();
  results.callbacks = callbacks;
  // Issue 5: the token endpoint under load, and the widget's heap over many calls.
  const load = await benchLoad();
  results.load = load;
  process.stdout.write('done: load\n');
  const heap = await benchHeap();
  results.heap = heap;
  process.stdout.write('done: heap\n');
  await writeFile('bench/results.json', JSON.stringify(results, null, 2) + '\n');
  const s = results.sizes as Awaited<ReturnType<typeof sizes>>;
  // A WebRTC call never loads the callback chunk; a callback never loads JsSIP; neither loads
  // the lazy chunks (audio settings, other languages, layouts, error sentences, debug) unless
  // the page or the visitor asks for them. An unknown "shared chunk" counts on both paths.
  const webrtc = Object.entries(s).filter(([k]) => !k.startsWith('callback') && !k.startsWith('lazy'));
  const callback = Object.entries(s).filter(([k]) => !k.startsWith('media') && !k.startsWith('lazy'));
  const total = webrtc.reduce((a, [, x]) => a + x.gzip, 0);
  const md = [
    `# Benchmark results (${results.date})`,
    '',
    'Made by `npm run bench` on this machine (2 cores, loopback rig). Sizes are deterministic; latencies are medians of noisy runs.',
    '',
    '## Sizes (minified)',
    '',
    '| file | raw | gzip -9 | brotli |',
    '| --- | ---: | ---: | ---: |',
    ...Object.entries(s).map(([k, v]) => `| ${k} | ${v.raw} | ${v.gzip} | ${v.brotli} |`),
    `| everything a WebRTC call loads | | ${total} | ${webrtc.reduce((a, [, x]) => a + x.brotli, 0)} |`,
    `| everything a callback loads | | ${callback.reduce((a, [, x]) => a + x.gzip, 0)} | ${callback.reduce((a, [, x]) => a + x.brotli, 0)} |`,
    '',
    'Budgets: first script <= 15 KB gzip (15360 B); everything for a WebRTC call <= 70 KB gzip (71680 B).',
    '',
    '## Call setup on the local rig (ms after the click)',
    '',
    '| case | runs | failed | INVITE median | INVITE p95 | first audio median | first audio p95 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(latency).map(
      ([k, v]) => `| ${k} | ${v.runs} | ${v.failed} | ${v.inviteMedianMs} | ${v.inviteP95Ms} | ${v.audioMedianMs} | ${v.audioP95Ms} |`,
    ),
    '',
    'The failover row: the first gateway address accepts TCP and never answers; the widget gives an address 1.5 s.',
    'The widget includes the token endpoint round trips (session, start call, first event poll) and the simulated',
    'vendor (queue time 0); plain JsSIP starts with its WebSocket already open. Ratio plain/widget:',
    '',
    ...Object.entries(results.speedup as Record<string, number>).map(([k, v]) => `- ${k}: ${v}x`),
    '',
    ...recoveryMarkdown(results.recovery as Record<string, RecoverySummary>),
    ...outageMarkdown(results.outage as OutageSummary | null),
    ...callbacksMarkdown(callbacks),
    ...loadMarkdown(load),
    ...heapMarkdown(heap),
  ].join('\n');
  await writeFile('bench/RESULTS.md', md);
  process.stdout.write(md);
}

await main();
