/**
 * The whole product in Chromium with real parts: <click-to-call> -> token endpoint (the real
 * handler) -> Huawei simulator -> Kamailio over WebSocket -> an answering agent, with audio
 * proven both ways by getStats(); once with a second browser as the agent, once through the
 * WebRTC-to-RTP path (Kamailio + rtpengine + baresip) that a contact-center gateway has.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { audioFlows, openPhone, servePhoneSite, trackPeerConnections, waitForAudioStats, type PhoneSite, startHuaweiStack } from '../support/pages.ts';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  launchChromium,
  serveStatic,
  startBaresip,
  startKamailio,
  startRtpengine,
  waitFor,
  type ChromiumHandle,
  type StaticServer,
} from '../support/rig.ts';

const ACCESS_CODE = '4001';
const DOMAIN = 'rig.test';
const MIN_PACKETS = 25;
const root = fileURLToPath(new URL('../..', import.meta.url));

const startStack = (site: StaticServer, gwAddresses: string[]) => startHuaweiStack(site, { domain: DOMAIN, gwAddresses, accessCode: ACCESS_CODE }, 100);

async function openWidget(chromium: ChromiumHandle, site: StaticServer, endpoint: string): Promise<Page> {
  const page = await chromium.browser.newPage();
  await trackPeerConnections(page);
  await page.goto(`${site.url}/test/e2e/widget.html?endpoint=${encodeURIComponent(endpoint)}`);
  await page.waitForFunction(() => customElements.get('click-to-call') !== undefined);
  return page;
}

const state = (page: Page) => page.evaluate(() => document.getElementById('call')!.getAttribute('state'));
const click = (page: Page, part: string) =>
  page.evaluate((p) => (document.getElementById('call')!.shadowRoot!.querySelector(`[part~="${p}"]`) as HTMLElement).click(), part);
const waitState = (page: Page, wanted: string, timeoutMs = 10_000) =>
  waitFor(`widget state ${wanted}`, async () => (await state(page)) === wanted, { timeoutMs, intervalMs: 50 });

describe('<click-to-call> end to end', () => {
  let chromium: ChromiumHandle;
  let site: StaticServer;
  let phones: PhoneSite;

  before(async () => {
    [chromium, site, phones] = await Promise.all([launchChromium(), serveStatic(root), servePhoneSite()]);
  });

  after(async () => {
    await phones?.close();
    await site?.close();
    await chromium?.close();
  });

  test('widget -> endpoint -> Huawei simulator -> Kamailio -> browser agent: audio both ways, then hang up', async () => {
    const kamailio = await startKamailio({ domain: DOMAIN });
    const stack = await startStack(site, [kamailio.wsUrl]);
    const agent = await openPhone(chromium.browser, phones, { wsUrl: kamailio.wsUrl, uri: `sip:${ACCESS_CODE}@${DOMAIN}`, register: true, autoAnswer: true });
    const page = await openWidget(chromium, site, stack.endpoint.url);
    try {
      await click(page, 'call-button');
      await waitState(page, 'connected');
      const [visitor, agentSide] = await Promise.all([
        waitForAudioStats(page, audioFlows(MIN_PACKETS), { what: 'visitor hears the agent' }),
        waitForAudioStats(agent.page, audioFlows(MIN_PACKETS), { what: 'agent hears the visitor' }),
      ]);
      assert.ok(visitor.inboundAudioLevel > 0 && agentSide.inboundAudioLevel > 0);
      assert.deepEqual(await page.evaluate(() => (window as unknown as { states: string[] }).states), [
        'authorizing', 'dialing', 'queued', 'connecting', 'connected',
      ]);
      await click(page, 'hangup-button');
      await waitState(page, 'ended');
      await agent.waitForEvent('ended');
      await waitFor('vendor call dropped', () => stack.simulator.state.calls().at(-1)?.status === 'dropped');
      // The secret never reached the browser: not in any answer the page saw.
      const seen = stack.simulator.state.issuedSecrets();
      const html = await page.content();
      for (const secret of [...seen, 'e2e-secret']) assert.ok(!html.includes(secret));
    } finally {
      await page.close();
      await agent.close();
      await stack.close();
      await kamailio.stop();
    }
  });

  test('widget -> Kamailio + rtpengine -> baresip (a WebRTC-to-RTP gateway): audio both ways', async () => {
    const rtpengine = await startRtpengine();
    const kamailio = await startKamailio({ domain: DOMAIN, rtpengine: { ngPort: rtpengine.ngPort } });
    const baresip = await startBaresip({ user: ACCESS_CODE, registrar: `sip:127.0.0.1:${kamailio.sipUdpPort}` });
    const stack = await startStack(site, [kamailio.wsUrl]);
    const page = await openWidget(chromium, site, stack.endpoint.url);
    try {
      await click(page, 'call-button');
      await waitState(page, 'connected');
      const heard = await waitForAudioStats(page, audioFlows(MIN_PACKETS), { what: 'visitor hears baresip' });
      await waitFor('baresip hears the visitor', async () => {
        const r = await baresip.received();
        return r.seconds >= 0.5 && r.peak > 0;
      });
      assert.ok(heard.inboundAudioLevel > 0);
      await click(page, 'hangup-button');
      await waitState(page, 'ended');
    } catch (error) {
      const states = await page.evaluate(() => [(window as unknown as { states: string[] }).states, (document.getElementById("call") as unknown as { snapshot: unknown }).snapshot]).catch(() => []);
      const stats = await page.evaluate(() => {
        const pcs = (window as unknown as { __rigPeerConnections?: RTCPeerConnection[] }).__rigPeerConnections ?? [];
        const pc = pcs.at(-1);
        return pc ? { ice: pc.iceConnectionState, conn: pc.connectionState, local: pc.localDescription?.sdp, remote: pc.remoteDescription?.sdp } : null;
      }).catch(() => null);
      throw new Error(`${String(error)}\nstates ${JSON.stringify(states)}\npc ${JSON.stringify(stats, null, 1)}\n--- rtpengine ---\n${rtpengine.log().slice(-2000)}\n--- kamailio ---\n${kamailio.log().slice(-2000)}`);
    } finally {
      await page.close();
      await stack.close();
      await baresip.stop();
      await kamailio.stop();
      await rtpengine.stop();
    }
  });

  test('a refused microphone fails with microphone-denied before any call is placed', async () => {
    const { chromium: pw } = await import('playwright-core');
    // Without the fake-UI flag headless Chromium refuses the microphone prompt.
    const browser = await pw.launch({
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream'),
    });
    const stack = await startStack(site, ['ws://127.0.0.1:9']);
    try {
      const page = await openWidget({ browser, close: () => browser.close() }, site, stack.endpoint.url);
      await click(page, 'call-button');
      await waitState(page, 'failed');
      const error = await page.evaluate(() => (document.getElementById('call') as unknown as { snapshot: { error: { code: string } } }).snapshot.error.code);
      assert.equal(error, 'microphone-denied');
      assert.equal(stack.simulator.count('createClickToCall'), 0);
    } finally {
      await browser.close();
      await stack.close();
    }
  });
});
