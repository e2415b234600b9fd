/**
 * Recovery of a connected WebRTC call (part of `npm run bench`).
 *
 * WebSocket drop: the sandbox gateway cuts the caller's WebSocket mid-call; measured from the
 * cut to the widget's `connected` again (reconnect + re-INVITE with an ICE restart answered),
 * and the longest gap in inbound audio packets around it (sampled every 10 ms in the page).
 *
 * Network outage: the browser runs in a network namespace of its own (root only) and its link
 * goes dark for 8 s; ICE reports `disconnected` after ~5 s, the widget shows `reconnecting` 2 s
 * later and restarts ICE. Measured from the link's return to inbound and outbound audio flowing
 * again and to `connected`.
 */
import type { Browser } from 'playwright-core';
import { startSandbox } from '../src/sandbox/index.ts';
import { trackPeerConnections } from '../test/support/pages.ts';
import { startNsCall } from '../test/support/ns-call.ts';

export interface RecoverySummary {
  runs: number;
  failed: number;
  reconnectedMedianMs: number;
  reconnectedP95Ms: number;
  /** Longest time without a new inbound audio packet, from 1 s before the cut to 2 s after recovery. */
  audioGapMedianMs: number;
  audioGapMaxMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
};
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;

/** In the page: samples inbound packets every 10 ms; resolves with the longest gap and the time `connected` came back. */
const WATCH = `(() => {
  const el = document.querySelector('click-to-call');
  const pc = () => (window.__rigPeerConnections || []).at(-1);
  window.__watch = { samples: [], reconnectedAt: -1, sawReconnecting: false, stop: false };
  el.addEventListener('c2c-state-change', (e) => {
    if (e.detail.state === 'reconnecting') window.__watch.sawReconnecting = true;
    if (e.detail.state === 'connected' && window.__watch.sawReconnecting && window.__watch.reconnectedAt < 0) window.__watch.reconnectedAt = Date.now();
  });
  (async () => {
    while (!window.__watch.stop) {
      const stats = await pc().getStats();
      let packets = 0;
      stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived || 0; });
      window.__watch.samples.push([Date.now(), packets]);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
})()`;

export async function benchRecovery(browser: Browser, runs: number): Promise<Record<string, RecoverySummary>> {
  return {
    'WebSocket drop': await wsDrop(browser, runs, true),
    // The same window with no cut: the floor of the gap measure (stats refresh, packet pacing).
    'no cut (measure floor)': await wsDrop(browser, runs, false),
  };
}

async function wsDrop(browser: Browser, runs: number, cut: boolean): Promise<RecoverySummary> {
  const sandbox = await startSandbox({ port: 0, quiet: true, queueMs: 0 });
  const context = await browser.newContext();
  await trackPeerConnections(context);
  const page = await context.newPage();
  const reconnected: number[] = [];
  const gaps: number[] = [];
  let failed = 0;
  try {
    for (let i = 0; i < runs; i++) {
      await page.goto(`${sandbox.url}/`);
      await page.evaluate(`customElements.whenDefined('click-to-call')`);
      await page.evaluate(`(async () => {
        const el = document.querySelector('click-to-call');
        const connected = new Promise((r) => el.addEventListener('c2c-connected', r, { once: true }));
        void el.call();
        await connected;
      })()`);
      await page.evaluate(WATCH);
      // Let a second of audio go by, so that the gap is measured against steady flow.
      await page.waitForFunction(`window.__watch.samples.length > 0 && Date.now() - window.__watch.samples[0][0] > 1000`, null, { timeout: 5_000 });
      const cutAt = Date.now();
      if (cut) sandbox.agent.dropConnections();
      else await page.evaluate(`window.__watch.reconnectedAt = Date.now()`);
      const back = await page
        .waitForFunction(`window.__watch.reconnectedAt > 0 ? window.__watch.reconnectedAt : 0`, null, { timeout: 25_000 })
        .then((h) => h.jsonValue() as Promise<number>, () => -1);
      if (back < 0) {
        failed++;
      } else {
        reconnected.push(back - cutAt);
        await page.waitForFunction(`Date.now() - window.__watch.reconnectedAt > 2000`, null, { timeout: 5_000 });
        const samples = (await page.evaluate(`window.__watch.samples`)) as Array<[number, number]>;
        let gap = 0;
        let lastNew = samples[0]![0];
        for (let k = 1; k < samples.length; k++) {
          if (samples[k]![1] > samples[k - 1]![1]) {
            gap = Math.max(gap, samples[k]![0] - lastNew);
            lastNew = samples[k]![0];
          }
        }
        gaps.push(gap);
      }
      await page.evaluate(`(window.__watch.stop = true, document.querySelector('click-to-call').hangup())`);
    }
  } finally {
    await context.close();
    await sandbox.close();
  }
  return {
    runs,
    failed,
    reconnectedMedianMs: cut && reconnected.length ? median(reconnected) : NaN,
    reconnectedP95Ms: cut && reconnected.length ? p95(reconnected) : NaN,
    audioGapMedianMs: gaps.length ? median(gaps) : NaN,
    audioGapMaxMs: gaps.length ? Math.max(...gaps) : NaN,
  };
}

export interface OutageSummary {
  runs: number;
  failed: number;
  /** Link back -> inbound and outbound packets counting again. */
  audioBackMedianMs: number;
  audioBackMaxMs: number;
  /** Link back -> `connected`. */
  connectedMedianMs: number;
  connectedMaxMs: number;
}

/** The 8 s outage in a network namespace; null when this process may not make namespaces. */
export async function benchOutage(runs: number): Promise<OutageSummary | null> {
  if (process.getuid?.() !== 0) return null;
  const call = await startNsCall();
  const audio: number[] = [];
  const connected: number[] = [];
  let failed = 0;
  try {
    for (let i = 0; i < runs; i++) {
      await call.connect();
      await call.ns.blackout(true);
      const darkUntil = Date.now() + 8_000;
      await call.waitForState('reconnecting', 0, 10_000).catch(() => undefined);
      while (Date.now() < darkUntil) await new Promise((r) => setTimeout(r, darkUntil - Date.now()));
      const before = await call.audio();
      await call.ns.blackout(false);
      const back = Date.now();
      const since = await call.now();
      let audioAt = -1;
      const deadline = back + 25_000;
      while (Date.now() < deadline && audioAt < 0) {
        const a = await call.audio();
        if (a.inboundPackets > before.inboundPackets + 2 && a.outboundPackets > before.outboundPackets + 2) audioAt = Date.now();
        else await new Promise((r) => setTimeout(r, 20));
      }
      // State changes carry the page's clock: compare with the page's time at the link's return.
      const again = await call.waitForState('connected', since, 25_000).catch(() => null);
      if (audioAt < 0 || !again) failed++;
      else {
        audio.push(audioAt - back);
        connected.push(Math.max(0, again.at - since));
      }
      await call.hangup();
    }
  } finally {
    await call.close();
  }
  return {
    runs,
    failed,
    audioBackMedianMs: audio.length ? median(audio) : NaN,
    audioBackMaxMs: audio.length ? Math.max(...audio) : NaN,
    connectedMedianMs: connected.length ? median(connected) : NaN,
    connectedMaxMs: connected.length ? Math.max(...connected) : NaN,
  };
}

export function outageMarkdown(r: OutageSummary | null): string[] {
  if (!r) return ['Network outage: not measured (making a network namespace needs root).', ''];
  return [
    '| 8 s network outage (browser in a network namespace) | runs | failed | link back -> audio both ways, median ms | max ms | link back -> `connected`, median ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| outage | ${r.runs} | ${r.failed} | ${r.audioBackMedianMs} | ${r.audioBackMaxMs} | ${r.connectedMedianMs} | ${r.connectedMaxMs} |`,
    '',
    'Audio packets are read from getStats every ~20 ms (plus the page round trip), so figures under ~50 ms are at the floor.',
    '',
  ];
}

export function recoveryMarkdown(r: Record<string, RecoverySummary>): string[] {
  return [
    '## Recovery of a connected call',
    '',
    '| case | runs | failed | back to connected, median ms | p95 ms | longest audio gap, median ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(r).map(
      ([k, v]) => `| ${k} | ${v.runs} | ${v.failed} | ${v.reconnectedMedianMs} | ${v.reconnectedP95Ms} | ${v.audioGapMedianMs} | ${v.audioGapMaxMs} |`,
    ),
    '',
    'WebSocket drop: the sandbox gateway cuts the WebSocket mid-call; the widget reconnects and sends a re-INVITE',
    'with an ICE restart. "Back to connected" runs from the cut to the `connected` state; the audio gap is the',
    'longest time without a new inbound packet in the page (sampled every 10 ms), from 1 s before the cut to 2 s after.',
    '',
  ];
}
