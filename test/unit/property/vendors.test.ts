/**
 * (b) Each vendor's answers as each provider sees them. First the schemas and mappers fed
 * directly (cheap, many runs), then the real provider code paths (fetch, status handling,
 * parsing, mapping, the Huawei 401 retry) against a real HTTP server on loopback that answers
 * with arbitrary statuses, content types and bodies, or drops the connection.
 *
 * Property: a valid mapped value (a protocol CallEvent, a VendorEvent the endpoint can relay,
 * a call id), or a C2CError with a known ErrorCode; never another exception, never a hang.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CallEvent } from '../../../src/protocol/index.ts';
import { C2CError } from '../../../src/server/provider.ts';
import {
  ApplyTokenAnswer,
  CheckSupportAnswer,
  CreateClickToCallAnswer,
  DropClickToCallAnswer,
  EventsAnswer,
  GatewayErrorAnswer,
  TokenByAkSkAnswer,
} from '../../../src/server/providers/huawei-schemas.ts';
import { HuaweiProvider, mapHuaweiEvent } from '../../../src/server/providers/huawei.ts';
import { HuaweiConfig } from '../../../src/server/config.ts';
import { decodePushReportBody, PushReportBodyError, SarvPushReport, SarvStartAnswer } from '../../../src/server/providers/sarv-schemas.ts';
import { mapSarvReport, sarvError, SarvConfig, SarvProvider } from '../../../src/server/providers/sarv.ts';
import { Envelope, OriginateAnswer } from '../../../src/server/providers/udesk-schemas.ts';
import { mapUdeskEvent, udeskError, UdeskConfig, UdeskProvider } from '../../../src/server/providers/udesk.ts';
import { CcaiCall, CcaiPushBody, CcaiPushEvent } from '../../../src/server/providers/ccai-schemas.ts';
import { ccaiRefusal, CcaiProvider, mapCcaiCall, mapCcaiPushEvent } from '../../../src/server/providers/ccai.ts';
import { CtiMessage, mapCtiEvent } from '../../../src/server/providers/cti.ts';
import {
  answerLike,
  anythingAtAll,
  assertTypedC2CError,
  assertVendorEvent,
  bounded,
  contentTypes,
  params,
  rawBodyLike,
  startScripted,
  statuses,
  typedOutcome,
  type Scripted,
  type ScriptedServer,
} from './arbitraries.ts';
import { CCAI, CTI, HUAWEI, SARV, UDESK } from './samples.ts';

const quiet = { warn: () => undefined };
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('__proto__', 'constructor', 'toString', '1501', '1508', '000003', '000001'));
const optionalText = fc.option(anyText, { nil: undefined });

/** A protocol CallEvent as the browser would check it. */
function assertCallEvent(event: unknown): void {
  const checked = CallEvent.safeParse(event);
  assert.ok(checked.success, `not a protocol event: ${JSON.stringify(event)}`);
}

/** A reply for the HTTP properties: a documented answer, an arbitrary one, or a dropped connection (1 in 20). */
function replyOf(samples: readonly unknown[]): fc.Arbitrary<Scripted> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...samples).map((body) => ({ status: 200, contentType: 'application/json', body: JSON.stringify(body) })) },
    { weight: 14, arbitrary: fc.record({ status: statuses, contentType: contentTypes, body: rawBodyLike(samples) }) },
    { weight: 1, arbitrary: fc.constant('reset' as const) },
  );
}

// ---------------------------------------------------------------------------------------------

describe('property: vendor schemas and mappers, fed directly', () => {
  it('no schema throws on any JavaScript value (safeParse only reports)', () => {
    const schemas = [
      TokenByAkSkAnswer, ApplyTokenAnswer, CheckSupportAnswer, CreateClickToCallAnswer, EventsAnswer, DropClickToCallAnswer, GatewayErrorAnswer,
      SarvStartAnswer, SarvPushReport, Envelope, OriginateAnswer, CcaiCall, CcaiPushBody, CcaiPushEvent, CtiMessage,
    ];
    fc.assert(
      fc.property(fc.oneof(anythingAtAll, answerLike([...HUAWEI.getClickToCallEvents, ...SARV.report, ...CCAI.call, ...CTI.message])), (value) => {
        for (const schema of schemas) {
          const result = schema.safeParse(value);
          assert.equal(typeof result.success, 'boolean');
        }
      }),
      params(400),
    );
  });

  it('Huawei: getClickToCallEvents answers map to a protocol event or to "keep polling"', () => {
    let mapped = 0;
    fc.assert(
      fc.property(answerLike(HUAWEI.getClickToCallEvents), (value) => {
        const parsed = EventsAnswer.safeParse(value);
        if (!parsed.success) return;
        let n = 0;
        const event = mapHuaweiEvent(parsed.data, () => `s${++n}`);
        if (event === null) return;
        mapped++;
        assertCallEvent(event);
      }),
      params(600),
    );
    assert.ok(mapped > 50, `only ${mapped} answers mapped to an event`);
  });

  it('Sarv: start answers and error codes become typed errors', () => {
    fc.assert(
      fc.property(fc.option(fc.oneof(anyText, fc.integer({ min: 1000, max: 1600 }).map(String)), { nil: undefined }), optionalText, (code, message) => {
        assertTypedC2CError(sarvError(code, message));
      }),
      params(300),
    );
  });

  it('Sarv: a Push Report maps to one final VendorEvent; a body decodes or is refused as unreadable', () => {
    let reports = 0;
    fc.assert(
      fc.property(answerLike(SARV.report), fc.dictionary(anyText, fc.constantFrom('answered', 'no-answer', 'busy', 'failed')), (value, meanings) => {
        for (const item of Array.isArray(value) ? value : [value]) {
          const parsed = SarvPushReport.safeParse(item);
          if (!parsed.success || !parsed.data.callId) continue;
          reports++;
          const event = mapSarvReport({ ...parsed.data, callId: parsed.data.callId }, meanings as never);
          assertVendorEvent(event, parsed.data.callId);
          assert.ok(event.type === 'ended' || event.type === 'failed', `a report is final, got ${event.type}`);
        }
      }),
      params(500),
    );
    assert.ok(reports > 50, `only ${reports} reports parsed`);
    fc.assert(
      fc.property(rawBodyLike(SARV.report), contentTypes, (body, contentType) => {
        const form = new URLSearchParams({ push_report: body }).toString();
        for (const text of [body, form]) {
          try {
            decodePushReportBody(text, contentType);
          } catch (error) {
            assert.ok(error instanceof PushReportBodyError, `not a PushReportBodyError: ${String(error)}`);
          }
        }
      }),
      params(300),
    );
  });

  it('udesk: refusals are typed, and any callback item maps to null or a valid VendorEvent', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 100, max: 599 }), optionalText, optionalText, (api, status, code, desc) => {
        assertTypedC2CError(udeskError(api, status, code, desc));
      }),
      params(300),
    );
    let events = 0;
    fc.assert(
      fc.property(answerLike(UDESK.callback), fc.option(fc.integer({ min: 0, max: 2 ** 45 }), { nil: undefined }), (value, fallback) => {
        const items = Array.isArray(value) ? value : value && typeof value === 'object' && Array.isArray((value as { events?: unknown }).events) ? (value as { events: unknown[] }).events : [value];
        for (const item of items) {
          if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
          const event = mapUdeskEvent(item as Record<string, unknown>, fallback, quiet);
          assert.ok(event === null || typeof event === 'object', `mapUdeskEvent returned ${String(event)} for ${JSON.stringify(item)}`);
          if (event === null) continue;
          events++;
          assertVendorEvent(event);
        }
      }),
      params(600),
    );
    assert.ok(events > 50, `only ${events} items mapped`);
  });

  it('CCAI: refusals are typed; call objects and pushed events map to null or a valid step', () => {
    fc.assert(
      fc.property(statuses, rawBodyLike(CCAI.error), fc.constantFrom('create' as const, 'get' as const), (status, text, api) => {
        assertTypedC2CError(ccaiRefusal(status, text, api));
      }),
      params(300),
    );
    let calls = 0;
    fc.assert(
      fc.property(answerLike(CCAI.call), fc.option(fc.string(), { nil: undefined }), (value, fallback) => {
        const parsed = CcaiCall.safeParse(value);
        if (!parsed.success) return;
        const mapped = mapCcaiCall(parsed.data, fallback === undefined ? {} : { scheduledFallback: fallback });
        if (mapped === null) return;
        calls++;
        assertVendorEvent({ vendorCallId: parsed.data.id, ...mapped });
      }),
      params(500),
    );
    assert.ok(calls > 50, `only ${calls} call objects mapped`);
    let pushed = 0;
    fc.assert(
      fc.property(answerLike(CCAI.push), (value) => {
        const body = CcaiPushBody.safeParse(value);
        if (!body.success) return;
        for (const raw of body.data.events) {
          const event = CcaiPushEvent.safeParse(raw);
          if (!event.success) continue;
          const mapped = mapCcaiPushEvent(event.data);
          if (mapped === null) continue;
          pushed++;
          assertVendorEvent(mapped);
        }
      }),
      params(500),
    );
    assert.ok(pushed > 50, `only ${pushed} pushed events mapped`);
  });

  it('CTI: any event name maps to null or a valid step; any message parses or is refused', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.constantFrom('connecting', 'MISSED', ' Connected ', 'Rejected', 'hold', 'ACW', 'Dropped')), (name) => {
        const mapped = mapCtiEvent(name);
        if (mapped !== null) assertVendorEvent({ vendorCallId: 'c', ...mapped });
      }),
      params(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('property: providers against a vendor that answers anything (real fetch paths)', () => {
  let server: ScriptedServer;
  before(async () => {
    server = await startScripted();
  });
  after(() => server.close());

  const ok = (body: unknown): Scripted => ({ status: 200, contentType: 'application/json;charset=UTF-8', body: JSON.stringify(body) });

  it('Huawei: any answer to any of its six APIs, 401 retry included', async () => {
    const apis = ['tokenByAkSk', 'applyToken', 'checkClickToCallSupport', 'createClickToCall', 'getClickToCallEvents', 'dropClickToCall'] as const;
    const config = HuaweiConfig.parse({ baseUrl: server.url, appKey: 'ak', appSecret: 'sk', channelId: 'ch' });
    let succeeded = 0;
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...apis).chain((api) => fc.record({ api: fc.constant(api), reply: replyOf(HUAWEI[api]) })),
        async ({ api, reply }) => {
          server.answer((request) => {
            const name = request.path.slice(request.path.lastIndexOf('/') + 1);
            if (name === api) return reply;
            return ok(HUAWEI[name as (typeof apis)[number]][0]);
          });
          const provider = new HuaweiProvider(config, { requestTimeoutMs: 2000, eventsTimeoutMs: 2000 });
          const result = await bounded(
            typedOutcome(async () => {
              const state = await provider.openSession({ locale: 'en' });
              assert.equal(typeof state.ccToken, 'string');
              assert.ok(state.ccToken.length > 0, 'an empty ccmessaging-token was accepted');
              if (api === 'tokenByAkSk' || api === 'applyToken') return [];
              await provider.startCall(state, { destination: { mediaAbility: '0' } });
              if (api === 'getClickToCallEvents') {
                let n = 0;
                return provider.pollEvents(state, () => `s${++n}`);
              }
              if (api === 'dropClickToCall') await provider.hangup(state);
              return [];
            }),
            8000,
            `Huawei ${api}`,
          );
          if (!result.ok) {
            failed++;
            return;
          }
          succeeded++;
          if (reply !== 'reset') assert.ok(reply.status >= 200 && reply.status < 300, `Huawei ${api} accepted HTTP ${reply.status}`);
          for (const event of result.value) assertCallEvent(event);
        },
      ),
      params(250),
    );
    assert.ok(succeeded > 10 && failed > 10, `succeeded ${succeeded}, failed ${failed}`);
  });

  it('Sarv: any answer to clickToCall/para', async () => {
    const provider = new SarvProvider(SarvConfig.parse({ baseUrl: server.url, userId: '42', token: 'tok', requestTimeoutMs: 2000 }));
    let succeeded = 0;
    await fc.assert(
      fc.asyncProperty(replyOf(SARV.start), async (reply) => {
        server.answer(() => reply);
        const result = await bounded(typedOutcome(() => provider.startCall({ destination: { to: '101', toType: 'Agent' }, phone: '+919876543210' })), 5000, 'Sarv start');
        if (!result.ok) return;
        succeeded++;
        assert.ok(reply !== 'reset' && reply.status >= 200 && reply.status < 300, 'success only on a 2xx');
        assert.ok(result.value.vendorCallId.length > 0);
        for (const event of result.value.events ?? []) assertVendorEvent(event, result.value.vendorCallId);
      }),
      params(200),
    );
    assert.ok(succeeded > 5, `only ${succeeded} successes`);
  });

  it('udesk: any answer to originatev2', async () => {
    const provider = new UdeskProvider(UdeskConfig.parse({ baseUrl: server.url, appId: 'app', sid: 'sid', authToken: 'at', secret: 'sec', requestTimeoutMs: 2000 }), { log: quiet });
    let succeeded = 0;
    await fc.assert(
      fc.asyncProperty(replyOf(UDESK.originate), async (reply) => {
        server.answer(() => reply);
        const result = await bounded(
          typedOutcome(() => provider.startCall({ destination: { agentId: '10032', caller: '057126200670', calledDisplay: '057126200670' }, phone: '+8613676546374' })),
          5000,
          'udesk originatev2',
        );
        if (!result.ok) return;
        succeeded++;
        assert.ok(result.value.vendorCallId.length > 0);
        for (const event of result.value.events ?? []) assertVendorEvent(event, result.value.vendorCallId);
      }),
      params(200),
    );
    assert.ok(succeeded > 5, `only ${succeeded} successes`);
  });

  it('CCAI: any answer to create, to a call read, and to a sequence of polls (watch)', async () => {
    const provider = new CcaiProvider(
      { baseUrl: server.url, companyKey: 'ck', companySecret: 'cs', maxRequestsPerSecond: 1000 },
      { requestTimeoutMs: 2000, pollIntervalMs: 1, maxPollFailures: 2 },
    );
    let created = 0;
    await fc.assert(
      fc.asyncProperty(replyOf([...CCAI.call, ...CCAI.error]), fc.boolean(), async (reply, book) => {
        server.answer(() => reply);
        const result = await bounded(
          typedOutcome(() =>
            provider.startCall({ destination: { menuId: 9, lang: 'en' }, phone: '+14155550123', ...(book ? { scheduledAt: '2031-01-01T10:00:00Z' } : {}) }),
          ),
          5000,
          'CCAI create',
        );
        const read = await bounded(typedOutcome(() => provider.getCall('515')), 5000, 'CCAI read');
        if (read.ok) assert.ok(read.value.id.length > 0 && read.value.status.length > 0);
        if (!result.ok) return;
        created++;
        assert.ok(result.value.vendorCallId.length > 0);
        for (const event of result.value.events ?? []) assertVendorEvent(event, result.value.vendorCallId);
      }),
      params(200),
    );
    assert.ok(created > 5, `only ${created} calls created`);

    await fc.assert(
      fc.asyncProperty(fc.array(replyOf([...CCAI.call, ...CCAI.error]), { minLength: 1, maxLength: 6 }), async (replies) => {
        const queue = [...replies];
        server.answer(() => queue.shift() ?? ok({ id: 515, status: 'finished' }));
        const emitted: unknown[] = [];
        const controller = new AbortController();
        const result = await bounded(typedOutcome(() => provider.watch('515', (event) => void emitted.push(event), controller.signal)), 8000, 'CCAI watch');
        controller.abort();
        for (const event of emitted) assertVendorEvent(event, '515');
        if (result.ok) {
          // A watch that ends by itself ends on a final step.
          const last = emitted.at(-1) as { type?: string } | undefined;
          assert.ok(last && ['ended', 'failed', 'scheduled'].includes(last.type ?? ''), `watch ended without a final event: ${JSON.stringify(emitted)}`);
        } else {
          assert.ok(result.error instanceof C2CError);
        }
      }),
      params(120),
    );
  });
});
