/**
 * A WebRTC call through <click-to-call> with the browser inside a network namespace (see
 * netns.ts) and the whole sandbox (token endpoint, Huawei simulator, JsSIP + wrtc agent) on the
 * host end of the veth, so signalling and media both cross the impaired link.
 *
 * The page records, with timestamps from the page's clock (performance.now() based ms since
 * load), every state change and every `c2c-quality-warning`, and keeps the last snapshot's
 * quality; tests wait on those records with bounded polls, never fixed sleeps.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { createNetNs, launchChromiumInNs, type NetNs, type NsChromium } from './netns.ts';
import { readAudioStats, trackPeerConnections, type AudioStats } from './pages.ts';
import { waitFor } from './rig.ts';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Served by the sandbox as /demo/impair.html (the sandbox serves only demo/ and dist/). */
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>impairment rig</title>
    <link rel="icon" href="data:," />
    <script type="module" src="/dist/click-to-call.js"></script>
    <script type="module">
      const el = document.createElement('click-to-call');
      el.id = 'call';
      el.setAttribute('endpoint', '/c2c');
      el.setAttribute('destination', 'sales');
      const t0 = performance.now();
      const now = () => Math.round(performance.now() - t0);
      window.rig = { states: [], warnings: [], samples: [] };
      el.addEventListener('c2c-state-change', (e) => {
        window.rig.states.push({ at: now(), state: e.detail.state, error: e.detail.error ? e.detail.error.code : null });
      });
      el.addEventListener('c2c-quality-warning', (e) => {
        window.rig.warnings.push({ at: now(), warning: e.detail.warning, active: e.detail.active });
      });
      el.subscribe((s) => {
        const q = s.quality;
        const last = window.rig.samples[window.rig.samples.length - 1];
        if (q && (!last || last.q !== q)) window.rig.samples.push({ at: now(), q, state: s.state });
        if (window.rig.samples.length > 600) window.rig.samples.shift();
      });
      window.rig.now = now;
      document.body.prepend(el);
    </script>
  </head>
  <body>
    <call-status for="call"></call-status>
  </body>
</html>
`;

export interface StateRecord {
  at: number;
  state: string;
  error: string | null;
}
export interface WarningRecord {
  at: number;
  warning: string;
  active: boolean;
}
export interface QualityRecord {
  at: number;
  state: string;
  q: { rttMs: number | null; jitterMs: number | null; lossPercent: number | null; mos: number | null; warnings: string[] };
}

/** The ICE view of the browser's peer connection. */
export interface IceView {
  iceConnectionState: string | null;
  connectionState: string | null;
}

export interface NsCall {
  ns: NetNs;
  sandbox: Sandbox;
  chromium: NsChromium;
  page: Page;
  /** The page's origin, http://<host end>:<port>. */
  origin: string;
  /** Page clock (ms since the page loaded), the clock of every record. */
  now(): Promise<number>;
  /** Clicks the call button; resolves once `el.snapshot.state` is `connected` (bounded). */
  connect(timeoutMs?: number): Promise<void>;
  /** `el.snapshot.state` now. */
  state(): Promise<string>;
  states(): Promise<StateRecord[]>;
  warnings(): Promise<WarningRecord[]>;
  samples(): Promise<QualityRecord[]>;
  /** Waits for a `c2c-quality-warning` with this warning/active that came after `since` (page ms). */
  waitForWarning(warning: string, active: boolean, since: number, timeoutMs: number): Promise<WarningRecord>;
  /** Waits for a state change to `state` after `since` (page ms). */
  waitForState(state: string, since: number, timeoutMs: number): Promise<StateRecord>;
  /** Audio counters and the selected candidate pair's addresses. */
  audio(): Promise<AudioStats>;
  ice(): Promise<IceView>;
  hangup(): Promise<void>;
  /** Closes browser, sandbox and namespace; idempotent, never throws. */
  close(): Promise<void>;
}

/**
 * Namespace + veth, the sandbox on the host end (queue 0), the widget page open in Chromium
 * inside the namespace. Everything made so far is torn down if a step fails.
 */
export async function startNsCall({ queueMs = 0 }: { queueMs?: number } = {}): Promise<NsCall> {
  const cleanups: Array<() => Promise<unknown>> = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  try {
    const ns = await createNetNs();
    cleanups.push(() => ns.teardown());

    const root = await mkdtemp(join(tmpdir(), 'c2c-netns-site-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    await mkdir(join(root, 'demo'));
    await writeFile(join(root, 'demo', 'impair.html'), PAGE);
    await symlink(join(repoRoot, 'dist'), join(root, 'dist'), 'dir');

    const sandbox = await startSandbox({ host: ns.hostAddress, port: 0, quiet: true, queueMs, root });
    cleanups.push(() => sandbox.close());
    const origin = sandbox.url;

    const chromium = await launchChromiumInNs(ns, { secureOrigins: [origin] });
    cleanups.push(() => chromium.close());
    const page = await chromium.browser.newPage();
    await trackPeerConnections(page);
    await page.goto(`${origin}/demo/impair.html`, { timeout: 10_000 });
    await page.waitForFunction(() => customElements.get('click-to-call') !== undefined, undefined, { timeout: 10_000 });
    const hasMedia = await page.evaluate(() => window.isSecureContext && Boolean(navigator.mediaDevices?.getUserMedia));
    if (!hasMedia) throw new Error(`${origin} is not a secure context in the namespace's Chromium: no navigator.mediaDevices`);

    type RigWindow = { rig: { states: StateRecord[]; warnings: WarningRecord[]; samples: QualityRecord[]; now(): number } };
    const states = () => page.evaluate(() => (window as unknown as RigWindow).rig.states);
    const warnings = () => page.evaluate(() => (window as unknown as RigWindow).rig.warnings);
    const state = () => page.evaluate(() => (document.getElementById('call') as unknown as { snapshot: { state: string } }).snapshot.state);

    const call: NsCall = {
      ns,
      sandbox,
      chromium,
      page,
      origin,
      now: () => page.evaluate(() => (window as unknown as RigWindow).rig.now()),
      async connect(timeoutMs = 15_000) {
        await page.evaluate(() => (document.getElementById('call') as unknown as { call(): Promise<void> }).call().catch(() => undefined));
        await waitFor('widget connected', async () => {
          const s = await state();
          if (s === 'failed' || s === 'ended') throw new Error(`call ${s}: ${JSON.stringify(await states())}`);
          return s === 'connected';
        }, { timeoutMs, intervalMs: 50 });
      },
      state,
      states,
      warnings,
      samples: () => page.evaluate(() => (window as unknown as RigWindow).rig.samples),
      async waitForWarning(warning, active, since, timeoutMs) {
        let found: WarningRecord | undefined;
        await waitFor(`c2c-quality-warning ${warning} ${active ? 'raised' : 'cleared'}`, async () => {
          found = (await warnings()).find((r) => r.at >= since && r.warning === warning && r.active === active);
          return found !== undefined;
        }, { timeoutMs, intervalMs: 100 });
        return found as WarningRecord;
      },
      async waitForState(wanted, since, timeoutMs) {
        let found: StateRecord | undefined;
        await waitFor(`state ${wanted}`, async () => {
          found = (await states()).find((r) => r.at >= since && r.state === wanted);
          return found !== undefined;
        }, { timeoutMs, intervalMs: 50 });
        return found as StateRecord;
      },
      audio: () => readAudioStats(page),
      ice: () =>
        page.evaluate(() => {
          const list = (window as unknown as { __rigPeerConnections?: RTCPeerConnection[] }).__rigPeerConnections ?? [];
          const pc = list[list.length - 1];
          return { iceConnectionState: pc?.iceConnectionState ?? null, connectionState: pc?.connectionState ?? null };
        }),
      async hangup() {
        await page.evaluate(() => (document.getElementById('call') as unknown as { hangup(): Promise<void> }).hangup());
      },
      close,
    };
    return call;
  } catch (error) {
    await close();
    throw error;
  }
}
