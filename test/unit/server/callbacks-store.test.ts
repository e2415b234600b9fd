import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallbackCalls } from '../../../src/server/callbacks.ts';
import { MemoryEventHub } from '../../../src/server/hub.ts';
import type { CallbackProvider, VendorEvent } from '../../../src/server/provider.ts';
import { createMemoryStores, type CallRecord } from '../../../src/server/store.ts';

describe('callback calls with a failing store', () => {
  it('an event a watcher reports while the call store fails reaches onError (no unhandled rejection, no silence)', async () => {
    const stores = createMemoryStores();
    const broken = new Error('store down');
    let failing = false;
    const get = stores.calls.get.bind(stores.calls);
    stores.calls.get = async (key) => {
      if (failing) throw broken;
      return get(key);
    };
    let emit: ((event: VendorEvent) => void) | null = null;
    let release: () => void = () => undefined;
    const provider: CallbackProvider = {
      name: 'sarv',
      modes: ['callback'],
      canSchedule: false,
      startCall: async () => ({ vendorCallId: 'v1' }),
      hangup: async () => ({ dropped: false }),
      watch: (_id, e, signal) =>
        new Promise<void>((resolve) => {
          emit = e;
          release = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        }),
    };
    const errors: unknown[] = [];
    const reported = new Promise<void>((resolve) => {
      const calls = new CallbackCalls({
        stores,
        hub: new MemoryEventHub(),
        providers: new Map([['sarv', provider]]),
        now: () => 1_700_000_000_000,
        callIdleMs: 60_000,
        onError: (error) => {
          errors.push(error);
          resolve();
        },
      });
      const call: CallRecord = {
        callId: 'c1',
        sessionId: 's',
        provider: 'sarv',
        status: 'active',
        final: false,
        hungUp: false,
        seenEventIds: [],
        recentEvents: [],
        seq: 0,
        createdAt: 1_700_000_000_000,
        keepUntil: 1_700_000_600_000,
      };
      void calls.started(call, 'v1').then(() => {
        failing = true;
        emit!({ vendorCallId: 'v1', type: 'ringing', vendorEventId: 'r1' });
      });
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await reported;
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('unhandledRejection', onUnhandled);
      release();
    }
    assert.deepEqual(errors, [broken]);
    assert.deepEqual(unhandled, []);
  });
});
