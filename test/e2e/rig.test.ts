/**
 * Proves the real-parts rig: Chromium + JsSIP callers against (a) the Node sandbox agent,
 * (b) a second browser registered through Kamailio, (c) baresip behind Kamailio + rtpengine.
 * Run: node --import tsx --test --test-concurrency=1 test/e2e/rig.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAgent } from '../../src/sandbox/agent.ts';
import { audioFlows, openPhone, servePhoneSite, waitForAudioStats } from '../support/pages.ts';
import type { Phone, PhoneSite } from '../support/pages.ts';
import { launchChromium, leftoverRigProcesses, startBaresip, startKamailio, startRtpengine, waitFor } from '../support/rig.ts';
import type { BaresipHandle, ChromiumHandle, KamailioHandle, RtpengineHandle } from '../support/rig.ts';

const ACCESS_CODE = '4001';
const DOMAIN = 'rig.test';
const MIN_PACKETS = 25; // 20 ms packets: half a second of audio

/** Agent-owned handle kinds; Playwright's own pipes and timers are not counted. */
function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** The agent must leave nothing that keeps a process alive: no server, socket or timer of its own. */
async function assertHandlesReleased(baseline: Record<string, number>): Promise<void> {
  await waitFor('agent handles released', () => {
    const now = handleCounts();
    return ['TCPServerWrap', 'TCPSocketWrap', 'UDPWrap', 'Timeout'].every((k) => (now[k] ?? 0) <= (baseline[k] ?? 0));
  }, { timeoutMs: 2_000 }).catch((error: unknown) => {
    throw new Error(`${String(error)}: before ${JSON.stringify(baseline)} after ${JSON.stringify(handleCounts())}`);
  });
}

describe('real-parts rig', () => {
  let chromium: ChromiumHandle;
  let site: PhoneSite;

  before(async () => {
    [chromium, site] = await Promise.all([launchChromium(), servePhoneSite()]);
  });

  after(async () => {
    await site?.close();
    await chromium?.close();
    // Everything closed: nothing may keep this process alive (wrtc, sockets, timers, children).
    await waitFor('process could exit', () => {
      const left = process.getActiveResourcesInfo().filter((k) => k !== 'TTYWrap' && k !== 'PipeWrap' && k !== 'FSReqCallback');
      return left.length === 0;
    }, { timeoutMs: 3_000 }).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(process.getActiveResourcesInfo())}`);
    });
    // Only this suite's processes: other suites on the machine may run their own Kamailio.
    assert.deepEqual(leftoverRigProcesses(), [], 'the suite left rig processes running');
  });

  test('a. browser JsSIP caller -> Node sandbox agent over ws://, audio both ways, BYE', async (t) => {
    const baseline = handleCounts();
    const agent = await startAgent({ user: ACCESS_CODE, domain: DOMAIN });
    let caller: Phone | undefined;
    try {
      caller = await openPhone(chromium.browser, site, { wsUrl: agent.url, uri: `sip:visitor@${DOMAIN}` });
      const { confirmedMs } = await caller.call(`sip:${ACCESS_CODE}@${DOMAIN}`);
      const heard = await waitForAudioStats(caller.page, audioFlows(MIN_PACKETS), { what: 'caller hears the agent' });
      await waitFor('agent hears the caller', () => {
        const call = agent.stats().calls[0];
        return Boolean(call && call.packetsReceived >= MIN_PACKETS && call.peakLevel > 0);
      });
      await caller.sendDTMF('12#', 'INFO');
      await waitFor('agent got DTMF over SIP INFO', () => agent.stats().calls[0]?.dtmf.length === 3);
      // RFC 4733 telephone-events from Chromium's RTCDTMFSender, heard as tones in wrtc's audio.
      await caller.sendDTMF('5*9', 'RFC2833');
      await waitFor('agent heard RFC 4733 DTMF', () => (agent.stats().calls[0]?.dtmf.length ?? 0) >= 6, { timeoutMs: 4_000 }).catch(
        (error: unknown) => {
          throw new Error(`${String(error)}; digits so far: ${JSON.stringify(agent.stats().calls[0]?.dtmf)}`);
        },
      );

      await caller.hangup();
      await waitFor('agent saw the BYE', () => agent.stats().activeCalls === 0);
      const stats = agent.stats();
      const call = stats.calls[0];
      assert.ok(call);
      assert.equal(stats.callsAnswered, 1);
      assert.equal('window' in globalThis, false, 'the agent must not leave a global window behind');
      assert.equal(call.endedBy, 'caller');
      assert.deepEqual(
        call.dtmf.map((d) => `${d.via}:${d.tone}`),
        ['info:1', 'info:2', 'info:#', 'audio:5', 'audio:*', 'audio:9'],
      );
      assert.ok(call.meanLevel > 0, `agent mean level ${call.meanLevel}`);
      t.diagnostic(
        `confirmed in ${Math.round(confirmedMs)} ms; caller in=${heard.inboundPackets} level=${heard.inboundAudioLevel.toFixed(3)} ` +
          `path ${heard.localAddress} -> ${heard.remoteAddress}; agent packets=${call.packetsReceived} frames=${call.framesReceived} ` +
          `mean=${call.meanLevel.toFixed(3)} peak=${call.peakLevel.toFixed(3)}`,
      );
    } finally {
      await caller?.close();
      await agent.close();
    }
    await assertHandlesReleased(baseline);
  });

  test('a2. sandbox agent in echo mode answers late and hangs up by itself', async (t) => {
    const agent = await startAgent({ user: ACCESS_CODE, domain: DOMAIN, audio: 'echo', answerDelayMs: 300, hangupAfterMs: 1_500 });
    let caller: Phone | undefined;
    try {
      caller = await openPhone(chromium.browser, site, { wsUrl: agent.url, uri: `sip:visitor@${DOMAIN}` });
      const { confirmedMs } = await caller.call(`sip:${ACCESS_CODE}@${DOMAIN}`);
      assert.ok(confirmedMs >= 300, `answered after ${confirmedMs} ms despite answerDelayMs 300`);
      // The echo is Chromium's own fake beep coming back: energy accumulates between beeps.
      const heard = await waitForAudioStats(caller.page, (s) => s.inboundPackets >= MIN_PACKETS && s.inboundAudioEnergy > 0, {
        what: 'caller hears its own echo',
      });
      const ended = await caller.waitForEvent('ended', 4_000);
      assert.equal(ended.originator, 'remote');
      await waitFor('agent call ended', () => agent.stats().activeCalls === 0);
      const call = agent.stats().calls[0];
      assert.equal(call?.endedBy, 'agent');
      t.diagnostic(`confirmed in ${Math.round(confirmedMs)} ms; echo energy ${heard.inboundAudioEnergy.toFixed(4)}; agent packets=${call?.packetsReceived}`);
    } finally {
      await caller?.close();
      await agent.close();
    }
  });

  test('a3. closing the sandbox agent mid-call sends BYE and releases everything', async () => {
    const baseline = handleCounts();
    const agent = await startAgent({ user: ACCESS_CODE, domain: DOMAIN });
    let caller: Phone | undefined;
    try {
      caller = await openPhone(chromium.browser, site, { wsUrl: agent.url, uri: `sip:visitor@${DOMAIN}` });
      await caller.call(`sip:${ACCESS_CODE}@${DOMAIN}`);
      await waitFor('agent hears the caller', () => (agent.stats().calls[0]?.packetsReceived ?? 0) > 0);
      const t0 = Date.now();
      await agent.close();
      const closeMs = Date.now() - t0;
      const ended = await caller.waitForEvent('ended', 2_000);
      assert.equal(ended.originator, 'remote', 'the caller should get a BYE, not a dropped socket');
      assert.equal(agent.stats().activeCalls, 0);
      assert.equal(agent.stats().calls[0]?.endedBy, 'agent');
      assert.ok(closeMs < 2_000, `close() took ${closeMs} ms`);
    } finally {
      await caller?.close();
      await agent.close();
    }
    await assertHandlesReleased(baseline);
  });

  test('a4. caller page vanishing mid-call ends the agent call as lost once the resume window is over', async () => {
    // The agent keeps a call whose caller's WebSocket dropped, for the caller to reconnect.
    const agent = await startAgent({ user: ACCESS_CODE, domain: DOMAIN, resumeMs: 500 });
    let caller: Phone | undefined;
    try {
      caller = await openPhone(chromium.browser, site, { wsUrl: agent.url, uri: `sip:visitor@${DOMAIN}` });
      await caller.call(`sip:${ACCESS_CODE}@${DOMAIN}`);
      await caller.page.close(); // no BYE: the WebSocket just drops
      await waitFor('agent call ended', () => agent.stats().activeCalls === 0, { timeoutMs: 3_000 });
      const call = agent.stats().calls[0];
      assert.equal(call?.endedBy, 'system');
      assert.equal(call?.cause, 'Connection Lost');
    } finally {
      await agent.close();
    }
  });

  test('b. browser caller -> Kamailio (WS) -> second browser registered as the access code, audio both ways', async (t) => {
    const kamailio = await startKamailio({ domain: DOMAIN });
    let callee: Phone | undefined;
    let caller: Phone | undefined;
    try {
      callee = await openPhone(chromium.browser, site, {
        wsUrl: kamailio.wsUrl,
        uri: `sip:${ACCESS_CODE}@${DOMAIN}`,
        register: true,
        autoAnswer: true,
      });
      caller = await openPhone(chromium.browser, site, { wsUrl: kamailio.wsUrl, uri: `sip:visitor@${DOMAIN}` });
      const { confirmedMs } = await caller.call(`sip:${ACCESS_CODE}@${DOMAIN}`);
      const [heardByCaller, heardByCallee] = await Promise.all([
        waitForAudioStats(caller.page, audioFlows(MIN_PACKETS), { what: 'caller hears the callee' }),
        waitForAudioStats(callee.page, audioFlows(MIN_PACKETS), { what: 'callee hears the caller' }),
      ]);
      await caller.hangup();
      await callee.waitForEvent('ended');
      t.diagnostic(
        `confirmed in ${Math.round(confirmedMs)} ms; caller in=${heardByCaller.inboundPackets} level=${heardByCaller.inboundAudioLevel.toFixed(3)}; ` +
          `callee in=${heardByCallee.inboundPackets} level=${heardByCallee.inboundAudioLevel.toFixed(3)}; path ${heardByCaller.localAddress} -> ${heardByCaller.remoteAddress}`,
      );
    } finally {
      await caller?.close();
      await callee?.close();
      await kamailio.stop();
    }
  });

  test('c. browser caller -> Kamailio (WS) + rtpengine -> baresip (UDP SIP, RTP), audio both ways', async (t) => {
    let rtpengine: RtpengineHandle | undefined;
    let kamailio: KamailioHandle | undefined;
    let baresip: BaresipHandle | undefined;
    let caller: Phone | undefined;
    try {
      rtpengine = await startRtpengine();
      kamailio = await startKamailio({ domain: DOMAIN, rtpengine: { ngPort: rtpengine.ngPort } });
      baresip = await startBaresip({ user: ACCESS_CODE, registrar: `sip:127.0.0.1:${kamailio.sipUdpPort}` });
      caller = await openPhone(chromium.browser, site, { wsUrl: kamailio.wsUrl, uri: `sip:visitor@${DOMAIN}` });
      const { confirmedMs } = await caller.call(`sip:${ACCESS_CODE}@${DOMAIN}`);
      const heard = await waitForAudioStats(caller.page, audioFlows(MIN_PACKETS), { what: 'caller hears baresip via rtpengine' });
      // Outbound proof: baresip decoded the caller's audio (its sndfile dump), and it is not silence.
      const agent = baresip;
      let received = await agent.received();
      await waitFor('baresip heard the caller', async () => {
        received = await agent.received();
        return received.seconds >= 0.5 && received.peak > 0;
      });
      await caller.hangup();
      await caller.waitForEvent('ended');
      t.diagnostic(
        `confirmed in ${Math.round(confirmedMs)} ms; caller in=${heard.inboundPackets} out=${heard.outboundPackets} ` +
          `level=${heard.inboundAudioLevel.toFixed(3)} path ${heard.localAddress} -> ${heard.remoteAddress}; ` +
          `baresip heard ${received.seconds.toFixed(2)} s rms=${received.rms.toFixed(3)} peak=${received.peak.toFixed(3)}`,
      );
    } catch (error) {
      const logs = [baresip, rtpengine, kamailio].map((p) => p?.log().slice(-3000) ?? '(not started)');
      throw new Error(`${String(error)}\n--- baresip ---\n${logs[0]}\n--- rtpengine ---\n${logs[1]}\n--- kamailio ---\n${logs[2]}`);
    } finally {
      await caller?.close();
      await baresip?.stop();
      await kamailio?.stop();
      await rtpengine?.stop();
    }
  });
});
