/**
 * Call quality under a bad network, with real parts: <click-to-call> in Chromium inside a network
 * namespace, the sandbox (token endpoint, Huawei simulator, JsSIP + wrtc agent) on the host end
 * of the link, and the link impaired (tc netem, or wire.py where the kernel has no netem; see
 * test/support/netns.ts). One call runs through every phase; each phase starts from no warning.
 *
 * Needs root (network namespaces), iproute2, python3 for the wire backend, Debian's chromium,
 * and `npm run build` (the page loads dist/click-to-call.js).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { startNsCall, type NsCall, type QualityRecord } from '../support/ns-call.ts';
import { waitFor } from '../support/rig.ts';

/** The monitor samples once a second and needs 3 bad (good) samples in a row; RTCP reports,
 * which carry the far end's loss and the RTT, come every few seconds: room for both. */
const RAISE_MS = 20_000;
const CLEAR_MS = 20_000;

describe('<click-to-call> on an impaired link (browser in a network namespace)', () => {
  let call: NsCall;

  before(async () => {
    call = await startNsCall();
  });

  after(async () => {
    await call?.close();
  });

  /** The latest quality sample at or before `at` (page ms). */
  const sampleAt = async (at: number): Promise<QualityRecord> => {
    const samples = (await call.samples()).filter((s) => s.at <= at + 50);
    const last = samples.at(-1);
    assert.ok(last, 'no quality sample yet');
    return last;
  };

  const noWarnings = async () => {
    const s = await call.samples();
    assert.deepEqual(s.at(-1)?.q.warnings ?? [], [], `warnings still active: ${JSON.stringify(s.at(-1))}`);
  };

  async function fail(error: unknown): Promise<never> {
    const facts = {
      state: await call.state().catch(() => null),
      warnings: await call.warnings().catch(() => null),
      samples: (await call.samples().catch(() => [])).slice(-8),
      link: await call.ns.describe().catch((e: Error) => e.message),
    };
    throw new Error(`${String(error)}\n${JSON.stringify(facts, null, 1)}`);
  }

  test('a WebRTC call connects, with media over the namespace link', async (t: TestContext) => {
    await call.connect();
    const audio = await waitFor('25 packets both ways', async () => {
      const a = await call.audio();
      return a.inboundPackets >= 25 && a.outboundPackets >= 25;
    }, { timeoutMs: 8_000, intervalMs: 100 }).then(() => call.audio());
    // The selected pair joins the two ends of the link: nothing else is routable from the namespace.
    assert.equal(audio.localAddress?.split(':')[0], call.ns.nsAddress);
    assert.equal(audio.remoteAddress?.split(':')[0], call.ns.hostAddress);
    const routes = (await call.ns.exec('ip', ['-4', 'route', 'show'])).trim().split('\n');
    assert.equal(routes.length, 1, `routes in the namespace: ${routes.join(' | ')}`);
    t.diagnostic(`backend ${call.ns.backend}, link ${call.ns.subnet}, media ${audio.localAddress} <-> ${audio.remoteAddress}`);
  });

  test('~12 % loss raises high-packet-loss; clearing the loss clears it', async (t: TestContext) => {
    await noWarnings();
    const before = await call.ns.wireStats();
    const t0 = await call.now();
    await call.ns.impair({ lossPercent: 12 });
    const raised = await call.waitForWarning('high-packet-loss', true, t0, RAISE_MS).catch(fail);
    const bad = await sampleAt(raised.at);
    assert.ok(bad.q.lossPercent !== null && bad.q.lossPercent > 3, `loss when raised: ${bad.q.lossPercent}`);
    assert.ok(bad.q.mos !== null && bad.q.mos < 3.5, `MOS when raised: ${bad.q.mos}`);
    const during = await call.ns.wireStats();
    if (before && during) assert.ok(during.host.dropped > before.host.dropped && during.browser.dropped > before.browser.dropped);

    const t1 = await call.now();
    await call.ns.clear();
    const cleared = await call.waitForWarning('high-packet-loss', false, t1, CLEAR_MS).catch(fail);
    const good = await sampleAt(cleared.at);
    assert.ok(good.q.lossPercent !== null && good.q.lossPercent <= 3, `loss when cleared: ${good.q.lossPercent}`);
    t.diagnostic(`raised ${raised.at - t0} ms after the loss began (loss ${bad.q.lossPercent?.toFixed(1)} %, MOS ${bad.q.mos?.toFixed(2)}); cleared ${cleared.at - t1} ms after it ended (loss ${good.q.lossPercent?.toFixed(1)} %)`);
  });

  test('250 ms each way (RTT ~500 ms) raises high-rtt; removing the delay clears it', async (t: TestContext) => {
    await waitFor('no warning left from before', async () => ((await call.samples()).at(-1)?.q.warnings.length ?? 1) === 0, { timeoutMs: CLEAR_MS, intervalMs: 200 }).catch(fail);
    const t0 = await call.now();
    await call.ns.impair({ delayMs: 250 });
    const raised = await call.waitForWarning('high-rtt', true, t0, RAISE_MS).catch(fail);
    const bad = await sampleAt(raised.at);
    assert.ok(bad.q.rttMs !== null && bad.q.rttMs > 400 && bad.q.rttMs < 1_000, `RTT when raised: ${bad.q.rttMs}`);

    const t1 = await call.now();
    await call.ns.clear();
    const cleared = await call.waitForWarning('high-rtt', false, t1, CLEAR_MS).catch(fail);
    const good = await sampleAt(cleared.at);
    assert.ok(good.q.rttMs !== null && good.q.rttMs <= 400, `RTT when cleared: ${good.q.rttMs}`);
    // Not asserted: switching the delay on reorders what is in flight, and a loss warning has
    // been seen to follow it now and then (1 run in ~10); reported for the record.
    const lossDuringDelay = (await call.warnings()).some((w) => w.at >= t0 && w.warning === 'high-packet-loss');
    if (lossDuringDelay) t.diagnostic('a high-packet-loss warning came up while only the delay was on');
    t.diagnostic(`raised ${raised.at - t0} ms after the delay began (RTT ${bad.q.rttMs?.toFixed(0)} ms, MOS ${bad.q.mos?.toFixed(2)}); cleared ${cleared.at - t1} ms after it ended (RTT ${good.q.rttMs?.toFixed(0)} ms)`);
  });

  test('a blackout long enough to be shown: reconnecting, then connected again with audio both ways once the link is back', async (t: TestContext) => {
    const ice: string[] = [];
    const watchIce = async () => {
      const s = (await call.ice()).iceConnectionState ?? 'none';
      if (ice.at(-1) !== s) ice.push(s);
    };
    const t0 = await call.now();
    await call.ns.blackout(true);
    try {
      // ICE reports the outage after ~5 s and the widget shows it 2 s later: the link stays dark
      // until then (bounded), and one second more. Polled: the ICE states seen are part of the result.
      await waitFor('reconnecting during the blackout', async () => (await watchIce(), (await call.state()) === 'reconnecting'), {
        timeoutMs: 15_000,
        intervalMs: 100,
      }).catch(fail);
      const until = Date.now() + 1_000;
      await waitFor('one more second of blackout', async () => (await watchIce(), Date.now() >= until), { timeoutMs: 2_000, intervalMs: 100 });
    } finally {
      await call.ns.blackout(false);
    }
    const before = await call.audio();
    await waitFor('connected, audio flowing again', async () => {
      await watchIce();
      const a = await call.audio();
      return (await call.state()) === 'connected' && a.inboundPackets >= before.inboundPackets + 25 && a.outboundPackets >= before.outboundPackets + 25;
    }, { timeoutMs: 15_000, intervalMs: 100 }).catch(fail);
    const states = (await call.states()).filter((s) => s.at >= t0).map((s) => s.state);
    t.diagnostic(`ICE during and after: ${ice.join(' -> ')}; widget states: ${states.join(' -> ') || '(no change)'}`);
    assert.deepEqual(states, ['reconnecting', 'connected'], 'the outage was shown, then the recovery');
    await call.hangup();
    await waitFor('ended', async () => (await call.state()) === 'ended', { timeoutMs: 5_000, intervalMs: 50 });
  });

  test('a blackout longer than the recovery bound (20 s) fails the call with network-lost; the vendor call is dropped once the link is back', async (t: TestContext) => {
    await call.connect();
    const t0 = await call.now();
    const drops = call.sandbox.simulator.count('dropClickToCall');
    await call.ns.blackout(true);
    try {
      await waitFor('failed', async () => (await call.state()) === 'failed', { timeoutMs: 35_000, intervalMs: 100 }).catch(fail);
    } finally {
      await call.ns.blackout(false);
    }
    const states = (await call.states()).filter((s) => s.at >= t0);
    t.diagnostic(`widget states: ${states.map((s) => `${s.state}@${s.at - t0}`).join(' -> ')}`);
    assert.deepEqual(states.map((s) => s.state), ['reconnecting', 'failed']);
    const reconnectingFor = states[1]!.at - states[0]!.at;
    assert.ok(reconnectingFor >= 19_000 && reconnectingFor <= 22_000, `reconnecting lasted ${reconnectingFor} ms`);
    const error = await call.page.evaluate(() => (document.getElementById('call') as unknown as { snapshot: { error: { code: string } | null } }).snapshot.error);
    assert.equal(error?.code, 'network-lost');
    // The hang-up sent during the outage is tried again in the background until it lands.
    await waitFor('vendor call dropped', () => call.sandbox.simulator.count('dropClickToCall') > drops, { timeoutMs: 20_000, intervalMs: 100 });
  });
});
