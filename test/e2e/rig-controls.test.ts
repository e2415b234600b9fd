/**
 * Call controls of <click-to-call> checked at the far end of the real rig: widget in Chromium
 * -> token endpoint -> Huawei simulator -> Kamailio (WS) + rtpengine -> baresip.
 * - mute: baresip's recording of what it heard has the visitor's beeps, then a silent stretch,
 *   then beeps again;
 * - DTMF: baresip logs the RFC 4733 digits, first digit of the call included;
 * - failover: the first gateway address is a closed port, the second is Kamailio.
 * Run: node --import tsx --test --test-concurrency=1 test/e2e/rig-controls.test.ts (needs dist/).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { audioFlows, trackPeerConnections, waitForAudioStats, startHuaweiStack, type HuaweiStack } from '../support/pages.ts';
import {
  audioSegments,
  dropWebSocketConnections,
  dtmfKey,
  freeTcpPort,
  launchChromium,
  leftoverRigProcesses,
  levelBetween,
  readWav,
  serveStatic,
  startBaresip,
  startKamailio,
  startRtpengine,
  tcpPortOpen,
  waitFor,
  type AudioSegment,
  type BaresipHandle,
  type ChromiumHandle,
  type KamailioHandle,
  type RtpengineHandle,
  type StaticServer,
} from '../support/rig.ts';

/** baresip answering with opus (48 kHz), like the other rig tests. */
const ACCESS_CODE = '4001';
/** baresip answering with G.711 only (8 kHz), as many contact-center trunks do. */
const ACCESS_CODE_G711 = '4002';
const DOMAIN = 'rig.test';
const MIN_PACKETS = 25;
const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Chromium's fake microphone beeps (a short tone every ~500 ms) with digital silence between.
 * A quiet stretch this long cannot be the gap between two beeps.
 */
const MUTED_GAP_S = 1.2;
/** A 10 ms frame above this RMS is part of a beep (beeps reach ~0.47 RMS here). */
const BEEP_THRESHOLD = 0.05;
/** Trimmed off each end of the muted stretch before measuring it: a beep's decay and codec ramp. */
const EDGE_S = 0.1;
/**
 * RMS of "silence" in the muted stretch (-40 dBFS). Measured 1.5e-4 to 3.1e-3 over runs (opus's
 * decoder output around the switch), beeps ~0.3: still 30 times below a beep.
 */
const SILENT_RMS = 0.01;
/** How much recorded audio each phase of the mute test lets accumulate (bounded, see below). */
const PHASE_S = 1.6;

const startStack = (site: StaticServer, gwAddresses: string[], accessCode: string) => startHuaweiStack(site, { domain: DOMAIN, gwAddresses, accessCode });

type CallElement = HTMLElement & { setMuted(m: boolean): void; sendDtmf(d: string): void; hangup(): Promise<void> };

/**
 * Runs before the page's scripts: records every WebSocket the page opens (URL, whether it opened,
 * close code). A string: tsx may inject helpers into functions that the page lacks.
 */
const RECORD_WEBSOCKETS = `(() => {
  const list = [];
  window.__rigWebSockets = list;
  const Native = window.WebSocket;
  const Recorded = function (url, protocols) {
    const ws = new Native(url, protocols);
    const entry = { url: String(url), opened: false, closeCode: null };
    list.push(entry);
    ws.addEventListener('open', () => { entry.opened = true; });
    ws.addEventListener('close', (e) => { entry.closeCode = e.code; });
    return ws;
  };
  Recorded.prototype = Native.prototype;
  Object.setPrototypeOf(Recorded, Native);
  window.WebSocket = Recorded;
})();`;

interface SocketRecord {
  url: string;
  opened: boolean;
  closeCode: number | null;
}

async function openWidget(chromium: ChromiumHandle, site: StaticServer, endpoint: string): Promise<Page> {
  const page = await chromium.browser.newPage();
  await trackPeerConnections(page);
  await page.addInitScript({ content: RECORD_WEBSOCKETS });
  await page.goto(`${site.url}/test/e2e/widget.html?endpoint=${encodeURIComponent(endpoint)}`);
  await page.waitForFunction(() => customElements.get('click-to-call') !== undefined);
  return page;
}

const state = (page: Page) => page.evaluate(() => document.getElementById('call')!.getAttribute('state'));
const waitState = (page: Page, wanted: string, timeoutMs = 10_000) =>
  waitFor(`widget state ${wanted}`, async () => (await state(page)) === wanted, { timeoutMs, intervalMs: 25 });
const clickPart = (page: Page, part: string) =>
  page.evaluate((p) => (document.getElementById('call')!.shadowRoot!.querySelector(`[part~="${p}"]`) as HTMLElement).click(), part);

/** The recording baresip started for this call: a `*-dec.wav` not in `before` (the list before the call). */
async function newRecording(baresip: BaresipHandle, before: string[]): Promise<string> {
  let file: string | undefined;
  await waitFor('baresip started a recording for this call', async () => {
    file = (await baresip.recordings()).find((f) => !before.includes(f));
    return file !== undefined;
  });
  return file as string;
}

async function recordedSeconds(file: string): Promise<number> {
  const pcm = await readWav(file);
  return pcm.samples.length / pcm.rate;
}

/** Waits (bounded) until the recording holds at least `seconds` of audio. */
async function waitRecorded(file: string, seconds: number, what: string): Promise<void> {
  // Audio arrives in real time: allow the duration itself plus generous slack for a busy machine.
  await waitFor(what, async () => (await recordedSeconds(file)) >= seconds, {
    timeoutMs: Math.max(3_000, (seconds + 3) * 1_000),
    intervalMs: 50,
  });
}

const describeSegments = (segments: AudioSegment[]) =>
  segments.map((s) => `${s.loud ? 'L' : 'q'}${s.startS.toFixed(2)}-${s.endS.toFixed(2)}(${s.maxRms.toFixed(3)})`).join(' ');

describe('call controls seen by baresip (widget -> Kamailio + rtpengine -> baresip)', () => {
  let chromium: ChromiumHandle;
  let site: StaticServer;
  let rtpengine: RtpengineHandle;
  let kamailio: KamailioHandle;
  let baresip: BaresipHandle;
  let baresipG711: BaresipHandle;

  before(async () => {
    [chromium, site, rtpengine] = await Promise.all([launchChromium(), serveStatic(root), startRtpengine({ dtmfLog: true })]);
    kamailio = await startKamailio({ domain: DOMAIN, rtpengine: { ngPort: rtpengine.ngPort } });
    const registrar = `sip:127.0.0.1:${kamailio.sipUdpPort}`;
    [baresip, baresipG711] = await Promise.all([
      startBaresip({ user: ACCESS_CODE, registrar }),
      startBaresip({ user: ACCESS_CODE_G711, registrar, audioCodecs: 'PCMU,PCMA' }),
    ]);
  });

  after(async () => {
    // baresip takes over 1.5 s to leave: stop both at once.
    await Promise.all([baresip?.stop(), baresipG711?.stop()]);
    await kamailio?.stop();
    await rtpengine?.stop();
    await site?.close();
    await chromium?.close();
    assert.deepEqual(leftoverRigProcesses(), [], 'the suite left rig processes running');
  });

  /** Places a widget call through a fresh simulator + endpoint; returns the page once connected. */
  async function connectedCall(
    gwAddresses: string[],
    agent: BaresipHandle = baresip,
  ): Promise<{ page: Page; stack: HuaweiStack; recording: string; close(): Promise<void> }> {
    const stack = await startStack(site, gwAddresses, agent === baresipG711 ? ACCESS_CODE_G711 : ACCESS_CODE);
    const page = await openWidget(chromium, site, stack.endpoint.url);
    const before = await agent.recordings();
    const close = async () => {
      await page.close().catch(() => undefined);
      await stack.close();
    };
    try {
      await clickPart(page, 'call-button');
      await waitState(page, 'connected');
      const recording = await newRecording(agent, before);
      return { page, stack, recording, close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  const logs = (agent: BaresipHandle = baresip) =>
    `\n--- baresip ---\n${agent.log().replace(/(\[[0-9:]+\] audio=[0-9/]+ \(bit\/s\)\s*)+/g, '').slice(-3000)}\n--- kamailio ---\n${kamailio.log().slice(-2000)}\n--- rtpengine ---\n${rtpengine.log().slice(-1500)}`;

  test('mute: baresip hears the beeps, then silence while muted, then the beeps again', async (t) => {
    const call = await connectedCall([kamailio.wsUrl]);
    const { page, recording } = call;
    try {
      const mute = (m: boolean) => page.evaluate((muted) => (document.getElementById('call') as CallElement).setMuted(muted), m);
      // Phase lengths are audio seconds in baresip's own recording, not wall-clock sleeps: each
      // phase must hold a few beeps (~2 per second) for its state to be visible at all.
      const t0 = await recordedSeconds(recording);
      await waitRecorded(recording, t0 + PHASE_S, 'audio before mute');
      const mutedAt = await recordedSeconds(recording);
      await mute(true);
      await waitFor('snapshot muted', () => page.evaluate(() => (document.getElementById('call') as unknown as { snapshot: { muted: boolean } }).snapshot.muted));
      await waitRecorded(recording, mutedAt + PHASE_S, 'audio while muted');
      const unmutedAt = await recordedSeconds(recording);
      await mute(false);
      await waitRecorded(recording, unmutedAt + PHASE_S, 'audio after unmute');
      await clickPart(page, 'hangup-button');
      await waitState(page, 'ended');

      const pcm = await readWav(recording);
      // Beeps peak near 0.5; the threshold only has to separate a beep from what is between.
      const segments = audioSegments(pcm, BEEP_THRESHOLD);
      t.diagnostic(`muted at ${mutedAt.toFixed(2)} s, unmuted at ${unmutedAt.toFixed(2)} s of ${(pcm.samples.length / pcm.rate).toFixed(2)} s @ ${pcm.rate} Hz`);
      t.diagnostic(describeSegments(segments));
      const loud = segments.filter((s) => s.loud);
      // Quiet stretches with beeps on both sides that are too long to be the pause between beeps.
      const long = segments.filter(
        (s) => !s.loud && s.endS - s.startS >= MUTED_GAP_S && loud.some((l) => l.endS <= s.startS) && loud.some((l) => l.startS >= s.endS),
      );
      assert.equal(long.length, 1, `exactly one muted stretch between beeps expected: ${describeSegments(segments)}`);
      const gap = long[0]!;
      // The stretch must be the one our mute made: it covers the middle of the period during
      // which the recording grew between setMuted(true) and setMuted(false).
      const middle = (mutedAt + unmutedAt) / 2;
      assert.ok(gap.startS <= middle && gap.endS >= middle, `quiet ${gap.startS}-${gap.endS} s does not cover ${middle} s`);
      // ...and it is no longer than the muted period plus a beep interval on each side (and slack).
      assert.ok(gap.endS - gap.startS <= unmutedAt - mutedAt + 1.5, `quiet stretch of ${gap.endS - gap.startS} s is longer than the mute`);
      // Inside it (the decay of the last beep trimmed off), the far end heard digital silence.
      const inside = levelBetween(pcm, gap.startS + EDGE_S, gap.endS - EDGE_S);
      const beeps = loud.map((l) => levelBetween(pcm, l.startS, l.endS).rms);
      t.diagnostic(`muted stretch ${(gap.endS - gap.startS).toFixed(2)} s: rms ${inside.rms.toExponential(2)} peak ${inside.peak.toExponential(2)}; beep rms ${Math.min(...beeps).toFixed(3)}-${Math.max(...beeps).toFixed(3)}`);
      assert.ok(inside.rms < SILENT_RMS, `near-zero RMS while muted expected, got ${inside.rms}`);
      const beepsBefore = loud.filter((l) => l.endS <= gap.startS).length;
      const beepsAfter = loud.filter((l) => l.startS >= gap.endS).length;
      assert.ok(beepsBefore >= 2 && beepsAfter >= 2, `beeps before ${beepsBefore}, after ${beepsAfter}`);
    } catch (error) {
      throw new Error(`${String(error)}${logs()}`);
    } finally {
      await call.close();
    }
  });

  /**
   * Sends `digits` right after the call connects (the first digits of the call) and returns what
   * rtpengine saw leave Chromium (decrypted) and what baresip logged, both for this call only.
   */
  async function sendDigits(agent: BaresipHandle, digits: string, via: 'rfc4733' | 'info' = 'rfc4733'): Promise<{ sent: string; heard: string; log: string }> {
    const call = await connectedCall([kamailio.wsUrl], agent);
    const { page } = call;
    const heardBefore = agent.dtmfReceived().length;
    const seenBefore = rtpengine.dtmfEvents().length;
    try {
      // No wait for media here on purpose: the widget is 'connected' (answered, ICE up) and a
      // visitor may press a key at once. These are the first RFC 4733 events of the call.
      await page.evaluate((d) => (document.getElementById('call') as CallElement).sendDtmf(d), digits);
      // rtpengine logs an event when it ends: all of them have ended once it saw them all.
      const sent = () => rtpengine.dtmfEvents().slice(seenBefore).map((e) => dtmfKey(e.event)).join('');
      const heard = () => agent.dtmfReceived().slice(heardBefore);
      if (via === 'rfc4733') {
        await waitFor('rtpengine saw every digit leave the browser', () => sent().length >= digits.length, { timeoutMs: 4_000 }).catch(
          (error: unknown) => {
            throw new Error(`${String(error)}; rtpengine saw '${sent()}', baresip '${heard()}'`);
          },
        );
      } else {
        await waitFor('baresip got every digit by SIP INFO', () => heard().length >= digits.length, { timeoutMs: 4_000 }).catch(
          (error: unknown) => {
            throw new Error(`${String(error)}; rtpengine saw '${sent()}', baresip '${heard()}'`);
          },
        );
      }
      // baresip gets the same packets within milliseconds; allow a short bounded grace for its log.
      await waitFor('baresip logged every digit', () => heard().length >= digits.length, { timeoutMs: 1_000 }).catch(() => undefined);
      await clickPart(page, 'hangup-button');
      await waitState(page, 'ended');
      return { sent: sent(), heard: heard(), log: logs(agent) };
    } finally {
      await call.close();
    }
  }

  test('DTMF over G.711: baresip receives 1234# as RFC 4733 events, the first digit of the call included', async (t) => {
    const { sent, heard, log } = await sendDigits(baresipG711, '1234#');
    t.diagnostic(`browser sent '${sent}', baresip heard '${heard}'`);
    assert.equal(sent, '1234#', `what left the browser${log}`);
    assert.equal(heard, '1234#', `what baresip received${log}`);
  });

  test('DTMF over opus with only telephone-event/8000 offered back: the widget sends SIP INFO and baresip receives 1234#', async (t) => {
    // Chromium would time RFC 4733 events against opus' 48 kHz clock and cut every digit to one
    // 20 ms packet (README-rig.md); the widget sees the mismatch in the answer and uses INFO.
    const { sent, heard, log } = await sendDigits(baresip, '1234#', 'info');
    t.diagnostic(`RFC 4733 events seen by rtpengine: '${sent}', baresip heard '${heard}'`);
    assert.equal(sent, '', `no RFC 4733 events expected${log}`);
    assert.equal(heard, '1234#', `what baresip received${log}`);
  });

  test('WebSocket killed mid-call: reconnecting, then connected; audio still reaches baresip; baresip can still hang up', async (t) => {
    const call = await connectedCall([kamailio.wsUrl]);
    const { page, recording } = call;
    try {
      await page.evaluate(() => {
        const w = window as unknown as { __states: string[] };
        w.__states = [];
        document.getElementById('call')!.addEventListener('c2c-state-change', (e) => w.__states.push((e as CustomEvent<{ state: string }>).detail.state));
      });
      const killed = await dropWebSocketConnections(kamailio);
      t.diagnostic(`reset ${killed.length} connection(s) to Kamailio`);
      await waitFor('reconnecting then connected', async () => {
        const states = await page.evaluate(() => (window as unknown as { __states: string[] }).__states);
        if (states.includes('failed') || states.includes('ended')) throw new Error(`call lost: ${states.join(' -> ')}`);
        return states.join(',') === 'reconnecting,connected';
      }, { timeoutMs: 10_000, intervalMs: 25 });
      // The visitor is still heard: baresip's recording keeps growing with the beeps.
      const at = await recordedSeconds(recording);
      await waitRecorded(recording, at + 1, 'audio after the reconnection');
      const pcm = await readWav(recording);
      const after = audioSegments(pcm, BEEP_THRESHOLD).filter((s) => s.loud && s.startS >= at);
      assert.ok(after.length >= 1, `no beep heard after the reconnection: ${describeSegments(audioSegments(pcm, BEEP_THRESHOLD))}`);
      // The re-INVITE came over the new connection, so baresip's BYE finds the browser there.
      await baresip.command('hangup');
      await waitState(page, 'ended');
    } catch (error) {
      throw new Error(`${String(error)}${logs()}`);
    } finally {
      await call.close();
    }
  });

  test('failover: the first gateway address is a closed port, the call connects through the second', async () => {
    const deadPort = await freeTcpPort();
    assert.equal(await tcpPortOpen(deadPort), false, 'the dead address must refuse connections');
    const dead = `ws://127.0.0.1:${deadPort}`;
    const call = await connectedCall([dead, kamailio.wsUrl]);
    const { page, recording } = call;
    try {
      // The dead address was really tried first, failed without opening, then Kamailio's opened.
      const sockets = await page.evaluate(() => (window as unknown as { __rigWebSockets: SocketRecord[] }).__rigWebSockets);
      assert.deepEqual(
        sockets.map((s) => [s.url.replace(/\/$/, ''), s.opened]),
        [
          [dead, false],
          [kamailio.wsUrl, true],
        ],
        JSON.stringify(sockets),
      );
      const heard = await waitForAudioStats(page, audioFlows(MIN_PACKETS), { what: 'visitor hears baresip' });
      assert.ok(heard.inboundAudioLevel > 0);
      await waitFor('baresip hears the visitor', async () => {
        const pcm = await readWav(recording);
        return pcm.samples.length / pcm.rate >= 0.5 && audioSegments(pcm).some((s) => s.loud);
      });
      await clickPart(page, 'hangup-button');
      await waitState(page, 'ended');
    } catch (error) {
      throw new Error(`${String(error)}${logs()}`);
    } finally {
      await call.close();
    }
  });
});
