import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallEvent } from '../../../src/protocol/index.ts';
import { mapHuaweiEvent } from '../../../src/server/providers/huawei.ts';
import { CreateClickToCallAnswer, EventsAnswer, TokenByAkSkAnswer } from '../../../src/server/providers/huawei-schemas.ts';

function map(raw: unknown) {
  let seq = 0;
  const event = mapHuaweiEvent(EventsAnswer.parse(raw), () => `s${++seq}`);
  if (event) assert.ok(CallEvent.safeParse(event).success, 'a valid protocol CallEvent');
  return event;
}

describe('Huawei schemas and event mapping', () => {
  it('parses the documented sample (eventId as a number)', () => {
    const event = map({
      resultCode: '0',
      resultDesc: 'Call connected',
      eventId: 168101,
      content: { domain: 'xxx', gwAddresses: ['xx1', 'xx2'], accessCode: '179080000537636', clickToCallCaller: 'AnonymousCard' },
    });
    assert.deepEqual(event, {
      id: '168101',
      type: 'media',
      gateway: { domain: 'xxx', addresses: ['xx1', 'xx2'], target: '179080000537636', caller: 'AnonymousCard' },
    });
  });

  it('a connected event without a gateway is a failed call, not a crash', () => {
    assert.deepEqual(map({ resultCode: '0', resultDesc: 'Call connected', eventId: '168101', content: {} }), {
      id: '168101',
      type: 'failed',
      code: 'invalid-response',
      message: 'The contact center connected the call without a usable WebRTC gateway.',
    });
  });

  it('queue timeout and failure carry causeDesc, or a plain default', () => {
    assert.deepEqual(map({ resultCode: '0', resultDesc: 'Call queued timeout', content: { causeDesc: 'busy', causeId: '3' } }), {
      id: 's1',
      type: 'failed',
      code: 'queue-timeout',
      message: 'busy',
    });
    const failed = map({ resultCode: '0', resultDesc: 'Call failed', eventId: 'e9' });
    assert.equal(failed?.type, 'failed');
    assert.equal(failed?.type === 'failed' && failed.code, 'call-failed');
    assert.ok(failed?.type === 'failed' && failed.message.length > 0);
  });

  it('unknown, empty and non-zero answers keep polling', () => {
    assert.equal(map({ resultCode: '0', resultDesc: 'ClickToCall polled without any events' }), null);
    assert.equal(map({ resultCode: '0', resultDesc: 'Call continue to poll events with unknown events' }), null);
    assert.equal(map({ resultCode: '0', resultDesc: 'Something new', eventId: 5 }), null);
    assert.equal(map({ resultCode: '0' }), null);
    assert.equal(map({ resultCode: '1', resultDesc: 'Call connected' }), null);
  });

  it('reads the "resultDesc:" typo key and numeric codes of createClickToCall', () => {
    assert.deepEqual(CreateClickToCallAnswer.parse({ resultCode: '12', 'resultDesc:': 'off hours' }), { resultCode: '12', resultDesc: 'off hours' });
    assert.deepEqual(CreateClickToCallAnswer.parse({ resultCode: 0, resultDesc: 'ok', more: 1 }), { resultCode: '0', resultDesc: 'ok' });
    assert.equal(CreateClickToCallAnswer.safeParse({ resultDesc: 'no code' }).success, false);
  });

  it('reads Expires as documented (a string of seconds)', () => {
    assert.equal(TokenByAkSkAnswer.parse({ AccessToken: 't', Expires: '600' }).Expires, 600);
    assert.equal(TokenByAkSkAnswer.safeParse({ AccessToken: 't', Expires: 'soon' }).success, false);
  });
});
