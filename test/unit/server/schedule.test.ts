import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createC2CHandler } from '../../../src/server/handler.ts';
import { ScheduleConfig, freeSlots } from '../../../src/server/schedule.ts';
import { startCcaiSimulator } from '../../../src/sandbox/ccai-simulator.ts';
import { NO_LIMITS } from './rig.ts';

// Friday 20 November 2026, 12:00 UTC = 17:30 in Kolkata (after hours there).
const FRIDAY_NOON = Date.parse('2026-11-20T12:00:00Z');

describe('freeSlots', () => {
  it('offers the next working-hours times in the destination\'s time zone, on its grid', () => {
    const schedule = ScheduleConfig.parse({ timeZone: 'Asia/Kolkata', slotMinutes: 60, maxSlots: 3 });
    assert.deepEqual(freeSlots(schedule, FRIDAY_NOON, () => 0), [
      '2026-11-23T03:30:00.000Z', // Monday 09:00 IST
      '2026-11-23T04:30:00.000Z',
      '2026-11-23T05:30:00.000Z',
    ]);
  });

  it('leaves out full times and times sooner than the lead time', () => {
    const schedule = ScheduleConfig.parse({ timeZone: 'UTC', days: [5], start: '12:00', end: '14:00', leadMinutes: 30, perSlot: 2, maxSlots: 10 });
    const slots = freeSlots(schedule, FRIDAY_NOON, (slot) => (slot === '2026-11-20T13:00:00.000Z' ? 2 : 0));
    // 13:00 is full; the next Friday is beyond daysAhead (5).
    assert.deepEqual(slots, ['2026-11-20T12:30:00.000Z', '2026-11-20T13:30:00.000Z']);
  });

  it('refuses a bad time zone or hours in the configuration', () => {
    assert.equal(ScheduleConfig.safeParse({ timeZone: 'Mars/Olympus' }).success, false);
    assert.equal(ScheduleConfig.safeParse({ timeZone: 'UTC', start: '18:00', end: '09:00' }).success, false);
  });
});

describe('booking through the endpoint', () => {
  it('serves /slots, books one, and refuses a full or unoffered time', async () => {
    const ccai = await startCcaiSimulator({ companyKey: 'k', companySecret: 's' });
    const now = Date.now();
    const handler = createC2CHandler({
      limits: NO_LIMITS,
      destinations: {
        later: { provider: 'ccai', menuId: 9, lang: 'en', schedule: { timeZone: 'UTC', days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '23:59', perSlot: 1, daysAhead: 2 } },
        plain: { provider: 'ccai', menuId: 9, lang: 'en' },
      },
      providers: { ccai: { baseUrl: ccai.url, companyKey: 'k', companySecret: 's' } },
    });
    const call = async (destination: string, scheduledAt: string) => {
      const session = (await (await handler(new Request('http://e/session', { method: 'POST', body: JSON.stringify({ destination }) }))).json()) as { token: string };
      return handler(new Request('http://e/calls', { method: 'POST', headers: { authorization: `Bearer ${session.token}` }, body: JSON.stringify({ phone: '+14155550123', scheduledAt }) }));
    };
    try {
      const { slots } = (await (await handler(new Request('http://e/slots?destination=later'))).json()) as { slots: string[] };
      assert.ok(slots.length > 0 && slots.every((s) => Date.parse(s) > now + 29 * 60_000));
      assert.deepEqual(((await (await handler(new Request('http://e/slots?destination=plain'))).json()) as { slots: string[] }).slots, []);
      assert.equal((await call('later', slots[0]!)).status, 201);
      const full = await call('later', slots[0]!);
      assert.equal(full.status, 409);
      const after = ((await (await handler(new Request('http://e/slots?destination=later'))).json()) as { slots: string[] }).slots;
      assert.ok(!after.includes(slots[0]!), 'a full time is no longer offered');
      const offGrid = new Date(Date.parse(slots[1]!) + 7 * 60_000).toISOString();
      assert.equal((await call('later', offGrid)).status, 409);
      assert.equal((await handler(new Request('http://e/slots?destination=nope'))).status, 404);
    } finally {
      handler.close();
      await ccai.close();
    }
  });
});
