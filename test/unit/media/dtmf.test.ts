import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { telephoneEventsWork } from '../../../src/media/sip.ts';

const answer = (payloads: string, rtpmaps: string[]) =>
  ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', `m=audio 30000 UDP/TLS/RTP/SAVPF ${payloads}`, ...rtpmaps.map((r) => `a=rtpmap:${r}`), ''].join('\r\n');

describe('DTMF transport from the answer', () => {
  it('RFC 4733 when telephone-event runs at the voice codec clock', () => {
    assert.equal(telephoneEventsWork(answer('111 110', ['111 opus/48000/2', '110 telephone-event/48000'])), true);
    assert.equal(telephoneEventsWork(answer('0 101', ['0 PCMU/8000', '101 telephone-event/8000'])), true);
    assert.equal(telephoneEventsWork(answer('111 126 110', ['111 opus/48000/2', '126 telephone-event/8000', '110 telephone-event/48000'])), true);
  });

  it('SIP INFO when opus is paired with telephone-event/8000 only (Chromium would cut each digit to one packet)', () => {
    assert.equal(telephoneEventsWork(answer('111 126', ['111 opus/48000/2', '126 telephone-event/8000'])), false);
  });

  it('SIP INFO when the answer has no telephone-event', () => {
    assert.equal(telephoneEventsWork(answer('111', ['111 opus/48000/2'])), false);
  });

  it('RFC 4733 for a static payload type without rtpmap, and when there is no audio line to judge', () => {
    assert.equal(telephoneEventsWork(answer('0 101', ['101 telephone-event/8000'])), true);
    assert.equal(telephoneEventsWork(''), true);
  });
});
