/**
 * Booked callbacks: the times a destination offers ("call me at"), in its own time zone, and
 * how many calls each time may take. Vendors that book calls (CCAI `Voice Scheduled (API)`)
 * publish no free slots, so the site owner describes the hours here.
 */
import * as z from 'zod';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like 09:30');

export const ScheduleConfig = z
  .object({
    /** IANA time zone of the contact center, e.g. Europe/London. */
    timeZone: z.string().refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone like Europe/London'),
    /** Days of the week with bookable times, 0 = Sunday. */
    days: z.array(z.number().int().min(0).max(6)).min(1).default([1, 2, 3, 4, 5]),
    /** First bookable time of a day, local HH:MM. */
    start: HHMM.default('09:00'),
    /** A booked call must end by then, local HH:MM. */
    end: HHMM.default('17:00'),
    /** Length of one bookable time (and the step between them). */
    slotMinutes: z.number().int().min(5).max(240).default(30),
    /** How far ahead times are offered. */
    daysAhead: z.number().int().min(1).max(30).default(5),
    /** No time sooner than this (the vendor needs a "future" time; the visitor could call now). */
    leadMinutes: z.number().int().min(0).max(1440).default(30),
    /** Calls one time may take. */
    perSlot: z.number().int().min(1).max(1000).default(1),
    /** Most times offered at once. */
    maxSlots: z.number().int().min(1).max(200).default(24),
  })
  .refine((s) => s.start < s.end, { message: 'start must be before end', path: ['end'] });
export type ScheduleConfig = z.output<typeof ScheduleConfig>;

const STEP_MS = 5 * 60_000;
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * The next free times (ISO 8601, UTC) within the destination's hours. `taken(slot)` says how
 * many calls a time already has.
 */
export function freeSlots(schedule: ScheduleConfig, now: number, taken: (slot: string) => number): string[] {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: schedule.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const start = minutes(schedule.start);
  const end = minutes(schedule.end);
  const out: string[] = [];
  const first = Math.ceil((now + schedule.leadMinutes * 60_000) / STEP_MS) * STEP_MS;
  const last = now + schedule.daysAhead * 86_400_000;
  for (let t = first; t <= last && out.length < schedule.maxSlots; t += STEP_MS) {
    const p = Object.fromEntries(parts.formatToParts(t).map((x) => [x.type, x.value]));
    const local = Number(p.hour) * 60 + Number(p.minute);
    if (!schedule.days.includes(WEEKDAYS[p.weekday ?? ''] ?? -1)) continue;
    if (local < start || local + schedule.slotMinutes > end || (local - start) % schedule.slotMinutes !== 0) continue;
    const slot = new Date(t).toISOString();
    if (taken(slot) < schedule.perSlot) out.push(slot);
  }
  return out;
}
