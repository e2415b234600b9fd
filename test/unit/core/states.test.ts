import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CALL_STATES, CallState, TRANSITIONS, canTransition, isFinal, isLive } from '../../../src/core/states.ts';

/** Written from DESIGN.md's contract, not copied from src: every allowed move besides staying put. */
const EXPECTED: Record<string, readonly string[]> = {
  idle: ['authorizing'],
  authorizing: ['dialing', 'ending', 'ended', 'failed'],
  dialing: ['queued', 'ringing', 'connecting', 'connected', 'scheduled', 'ending', 'ended', 'failed'],
  queued: ['ringing', 'connecting', 'connected', 'scheduled', 'ending', 'ended', 'failed'],
  ringing: ['queued', 'connecting', 'connected', 'scheduled', 'ending', 'ended', 'failed'],
  connecting: ['connected', 'ending', 'ended', 'failed'],
  connected: ['reconnecting', 'ending', 'ended', 'failed'],
  reconnecting: ['connected', 'ending', 'ended', 'failed'],
  ending: ['ended', 'failed'],
  ended: ['authorizing', 'idle'],
  scheduled: ['authorizing', 'idle'],
  failed: ['authorizing', 'idle'],
};

const CONTRACT_ORDER = [
  'idle', 'authorizing', 'dialing', 'queued', 'ringing', 'connecting', 'connected',
  'reconnecting', 'ending', 'ended', 'scheduled', 'failed',
];
const FINAL = new Set(['ended', 'scheduled', 'failed']);

describe('call states', () => {
  it('lists the contract states, in the contract order', () => {
    assert.deepEqual([...CALL_STATES], CONTRACT_ORDER);
    assert.equal(new Set(CALL_STATES).size, CALL_STATES.length);
    assert.equal(CallState.Reconnecting, 'reconnecting');
  });

  it('has a table row for every state and only known states in it', () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...CONTRACT_ORDER].sort());
    for (const targets of Object.values(TRANSITIONS)) {
      for (const to of targets) assert.ok(CALL_STATES.includes(to), `unknown state ${to}`);
    }
  });

  describe('canTransition over every pair', () => {
    for (const from of CALL_STATES) {
      for (const to of CALL_STATES) {
        const expected = from === to || (EXPECTED[from] ?? []).includes(to);
        it(`${from} -> ${to}: ${expected ? 'allowed' : 'refused'}`, () => {
          assert.equal(canTransition(from, to), expected);
        });
      }
    }
  });

  describe('isFinal / isLive', () => {
    for (const state of CALL_STATES) {
      const final = FINAL.has(state);
      const live = state !== 'idle' && !final;
      it(`${state}: ${final ? 'final' : live ? 'live' : 'idle'}`, () => {
        assert.equal(isFinal(state), final);
        assert.equal(isLive(state), live);
      });
    }
  });

  it('every live state can be left for ending, ended and failed, and no final state for a live one but authorizing', () => {
    for (const from of CALL_STATES.filter(isLive)) {
      if (from !== 'ending') assert.ok(canTransition(from, 'ending'), from);
      assert.ok(canTransition(from, 'ended'), from);
      assert.ok(canTransition(from, 'failed'), from);
    }
    for (const from of CALL_STATES.filter(isFinal)) {
      for (const to of CALL_STATES.filter(isLive)) assert.equal(canTransition(from, to), to === 'authorizing', `${from} -> ${to}`);
    }
  });
});
