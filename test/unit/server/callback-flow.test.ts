/**
 * Callback calls through the real endpoint: session -> /calls with the visitor's number ->
 * the vendor simulator rings and reports by webhook to the endpoint's webhook route -> the
 * browser side reads server-sent events (with Last-Event-ID resume) or long polls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createC2CHandler } from '../../../src/server/handler.ts';
import { serve, type RunningServer } from '../../../src/server/node.ts';
import { subscribeWebhook, UdeskConfig } from '../../../src/server/providers/udesk.ts';
import { signCtiMessage } from '../../../src/server/providers/cti.ts';
import { startSarvSimulator, type SarvSimulator } from '../../../src/sandbox/sarv-simulator.ts';
import { startUdeskSimulator, type UdeskSimulator } from '../../../src/sandbox/udesk-simulator.ts';
import { startCcaiSimulator, type CcaiSimulator } from '../../../src/sandbox/ccai-simulator.ts';
import { NO_LIMITS } from './rig.ts';

const ORIGIN = 'http://shop.test';
const SARV_SECRET = 'sarv-webhook-secret-0123456789abcdef0123';
const CTI_SECRET = 'cti-shared-secret-0123456789';
const UDESK = { appId: 'app-1', sid: 'sid-1', authToken: 'auth-token-1', secret: 'udesk-secret-1' };

interface Events {
  id: string;
  type: string;
  code?: string;
}

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

/** Reads an SSE answer until it closes or `until` says stop; returns the events and raw ids. */
async function readStream(res: Response, until: (events: Events[]) => boolean = () => false): Promise<Events[]> {
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: Events[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      const id = block.split('\n').find((l) => l.startsWith('id: '));
      if (!data) continue;
      const event = JSON.parse(data.slice(6)) as Events;
      assert.equal(id?.slice(4), event.id, 'the SSE id is the event id');
      events.push(event);
    }
    if (until(events)) {
      await reader.cancel();
      break;
    }
  }
  return events;
}

describe('callback calls through the endpoint', () => {
  let sarv: SarvSimulator;
  let udesk: UdeskSimulator;
  let ccai: CcaiSimulator;
  let endpoint: RunningServer;
  let handler: ReturnType<typeof createC2CHandler>;

  before(async () => {
    [sarv, udesk, ccai] = await Promise.all([
      startSarvSimulator({ userId: '42', token: 'sarv-token' }),
      startUdeskSimulator({ ...UDESK, agents: { '10032': 'ready', '10033': 'offline' } }),
      startCcaiSimulator({ companyKey: 'ck', companySecret: 'cs' }),
    ]);
    handler = createC2CHandler({
        allowedOrigins: [ORIGIN],
        limits: NO_LIMITS,
        destinations: {
          sales: { provider: 'sarv', to: '101', toType: 'Agent' },
          india: { provider: 'sarv', to: '101', toType: 'Agent', countries: ['IN'] },
          support: { provider: 'udesk', agentId: '10032', caller: '02811111111', calledDisplay: '02811111111' },
          nobody: { provider: 'udesk', agentId: '10033', caller: '02811111111', calledDisplay: '02811111111' },
          ccai: { provider: 'ccai', menuId: 9, lang: 'en' },
        },
        providers: {
          sarv: { baseUrl: sarv.url, userId: '42', token: 'sarv-token', webhookSecret: SARV_SECRET },
          udesk: { baseUrl: udesk.url, ...UDESK },
          ccai: { baseUrl: ccai.url, companyKey: 'ck', companySecret: 'cs', pollIntervalMs: 50 },
          cti: { secret: CTI_SECRET },
        },
      });
    endpoint = await serve({ port: 0, handler });
    sarv.control.setPushReportUrl(`${endpoint.url}/webhooks/sarv/${SARV_SECRET}`);
    await subscribeWebhook(UdeskConfig.parse({ baseUrl: udesk.url, ...UDESK }), `${endpoint.url}/webhooks/udesk`);
  });

  after(async () => {
    handler?.close();
    await endpoint?.close();
    await Promise.all([sarv?.close(), udesk?.close(), ccai?.close()]);
  });

  async function start(destination: string, phone: string, scheduledAt?: string): Promise<{ token: string; callId?: string; status: number; body: Record<string, unknown> }> {
    const session = await json(
      await fetch(`${endpoint.url}/session`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ destination }) }),
    );
    assert.equal(session.mode, 'callback');
    const token = session.token as string;
    const res = await fetch(`${endpoint.url}/calls`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ phone, ...(scheduledAt ? { scheduledAt } : {}) }),
    });
    const body = await json(res);
    return { token, status: res.status, body, ...(typeof body.callId === 'string' ? { callId: body.callId } : {}) };
  }

  const stream = (token: string, callId: string, lastEventId?: string) =>
    fetch(`${endpoint.url}/calls/${callId}/events`, {
      headers: { origin: ORIGIN, accept: 'text/event-stream', authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    });

  it('Sarv: rings the visitor, then the Push Report ends the call; the stream closes after it', async () => {
    sarv.control.scriptNextCall({ outcome: 'answered', talkSeconds: 30, ringMs: 30 });
    const { token, callId, status } = await start('sales', '+91 98765 43210');
    assert.equal(status, 201);
    const events = await readStream(await stream(token, callId!));
    assert.deepEqual(events.map((e) => e.type), ['ringing', 'ended']);
    assert.deepEqual(events.map((e) => e.id), ['1', '2']);
    const call = sarv.requests.at(-1)!;
    assert.equal(new URLSearchParams(call.search).get('from'), '919876543210');
  });

  it('Sarv: a dropped stream resumes with Last-Event-ID without loss or repeat', async () => {
    sarv.control.scriptNextCall({ outcome: 'no-answer', ringMs: 150 });
    const { token, callId } = await start('sales', '+919876543211');
    const first = await readStream(await stream(token, callId!), (events) => events.length >= 1);
    assert.deepEqual(first.map((e) => e.type), ['ringing']);
    const rest = await readStream(await stream(token, callId!, first.at(-1)!.id));
    assert.deepEqual(rest.map((e) => [e.id, e.type, e.code]), [['2', 'failed', 'call-failed']]);
  });

  it('Sarv: a Push Report with a wrong secret is refused and relays nothing', async () => {
    const res = await fetch(`${endpoint.url}/webhooks/sarv/not-the-secret`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 401);
    assert.equal(((await json(res)).error as { code: string }).code, 'unauthorized');
  });

  it('refuses invalid, premium-rate and out-of-country numbers before the vendor is asked', async () => {
    const before = sarv.count('/v2/clickToCall/para');
    for (const [destination, phone] of [['sales', '12345'], ['sales', '+1 900 555 0123'], ['india', '+14155550123']] as const) {
      const { status, body } = await start(destination, phone);
      assert.equal(status, 400, phone);
      assert.equal((body.error as { code: string }).code, 'invalid-phone-number');
    }
    assert.equal(sarv.count('/v2/clickToCall/para'), before);
  });

  it('udesk: signed webhooks drive queued -> ringing -> connected -> ended, duplicates and late ones dropped', async () => {
    udesk.control.deliverDuplicate(true);
    udesk.control.deliverOutOfOrder(true);
    try {
      const { token, callId, status } = await start('support', '+8613800138000');
      assert.equal(status, 201);
      await udesk.control.settled();
      const res = await fetch(`${endpoint.url}/calls/${callId}/events`, { headers: { origin: ORIGIN, authorization: `Bearer ${token}` } });
      const events = (await json(res)).events as Events[];
      const types = events.map((e) => e.type);
      assert.equal(types.at(-1), 'ended');
      // Never backwards, never twice the same step (queued updates aside).
      const rank: Record<string, number> = { queued: 1, ringing: 2, connected: 3, ended: 4 };
      for (let i = 1; i < types.length; i++) assert.ok(rank[types[i]!]! >= rank[types[i - 1]!]!, types.join(','));
      assert.equal(new Set(events.map((e) => e.id)).size, events.length);
      assert.ok(types.filter((t) => t === 'connected').length <= 1, types.join(','));
      assert.ok(types.includes('ringing') && types.length >= 3, types.join(','));
    } finally {
      udesk.control.deliverDuplicate(false);
      udesk.control.deliverOutOfOrder(false);
    }
  });

  it('udesk: a webhook with a bad signature is refused and relays nothing', async () => {
    udesk.control.signWith('wrong-secret');
    try {
      const { token, callId } = await start('support', '+8613800138001');
      await udesk.control.settled();
      const refused = udesk.deliveries.filter((d) => d.callId && d.status === 401);
      assert.ok(refused.length > 0, 'the endpoint refused the badly signed deliveries');
      const res = await fetch(`${endpoint.url}/calls/${callId}/events?after=1`, { headers: { origin: ORIGIN, authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(300) }).catch(() => null);
      // Only the event from the start (queued) exists: the long poll holds, nothing arrived.
      assert.equal(res, null);
    } finally {
      udesk.control.signWith(undefined);
    }
  });

  /** Reads GETs of one CCAI call while `watchers` browsers follow it to the end. */
  async function upstreamPolls(watchers: number): Promise<number> {
    ccai.control.scriptNextCall({ statuses: [['queued', 150], ['assigned', 150], ['connected', 150], ['finished']] });
    const { token, callId, status } = await start('ccai', '+14155550123');
    assert.equal(status, 201);
    const streams = await Promise.all(Array.from({ length: watchers }, () => stream(token, callId!).then((res) => readStream(res))));
    for (const events of streams) assert.deepEqual(events.map((e) => e.type), ['queued', 'ringing', 'connected', 'ended']);
    return ccai.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/apps/api/v1/calls/')).length;
  }

  it('CCAI: one upstream poller per call, whether 1 or 10 browsers follow it', async () => {
    const before = ccai.requests.filter((r) => r.method === 'GET').length;
    const one = (await upstreamPolls(1)) - before;
    const mid = ccai.requests.filter((r) => r.method === 'GET').length;
    const ten = (await upstreamPolls(10)) - mid;
    // Same timeline, same poll interval: the counts match within a poll or two of timing jitter.
    assert.ok(Math.abs(ten - one) <= 2, `1 watcher: ${one} polls, 10 watchers: ${ten} polls`);
  });

  it('CCAI: a call booked for later ends in scheduled; a past time is refused', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const { token, callId, status } = await start('ccai', '+14155550124', at);
    assert.equal(status, 201);
    const events = await readStream(await stream(token, callId!));
    assert.equal(events.at(-1)!.type, 'scheduled');
    const past = await start('ccai', '+14155550125', new Date(Date.now() - 60_000).toISOString());
    assert.equal(past.status, 400);
  });

  it('CTI: signed call-state messages move a call placed by another vendor; a bad signature is refused', async () => {
    sarv.control.scriptNextCall({ outcome: 'answered', talkSeconds: 10, ringMs: 2_000 });
    const { token, callId } = await start('sales', '+919876543219');
    const vendorCallId = sarv.calls().at(-1)!.callId;
    const post = (event: string, secret = CTI_SECRET) => {
      const body = JSON.stringify({ topic: 'InboundCall', subtopic: 'InboundCallStateChange', channel: 'Amazon', message: { source: 'cti', call: { id: vendorCallId, event } } });
      const stamp = String(Math.floor(Date.now() / 1000));
      return fetch(`${endpoint.url}/webhooks/cti`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-c2c-timestamp': stamp, 'x-c2c-signature': signCtiMessage(secret, body, stamp) },
        body,
      });
    };
    assert.equal((await post('connected', 'not-the-shared-secret-at-all')).status, 401);
    assert.equal((await post('connected')).status, 200);
    const res = await fetch(`${endpoint.url}/calls/${callId}/events`, { headers: { origin: ORIGIN, authorization: `Bearer ${token}` } });
    const types = ((await json(res)).events as Events[]).map((e) => e.type);
    assert.deepEqual(types, ['ringing', 'connected']);
  });

  it('takes large vendor batches on webhook routes but keeps browser requests small', async () => {
    const padding = 'x'.repeat(100_000);
    const body = JSON.stringify({ topic: 'Other', subtopic: 'Other', message: { call: { id: 'none', event: 'connected' }, padding } });
    const stamp = String(Math.floor(Date.now() / 1000));
    const webhook = await fetch(`${endpoint.url}/webhooks/cti`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-c2c-timestamp': stamp, 'x-c2c-signature': signCtiMessage(CTI_SECRET, body, stamp) },
      body,
    });
    assert.equal(webhook.status, 200);
    const session = await fetch(`${endpoint.url}/session`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ destination: 'sales', padding }),
    });
    assert.equal(session.status, 413);
  });

  it('udesk: an offline agent is no-agent-available at once', async () => {
    const { status, body } = await start('nobody', '+8613800138002');
    assert.equal(status, 409);
    assert.equal((body.error as { code: string }).code, 'no-agent-available');
  });
});
