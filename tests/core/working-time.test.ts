import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addWorkingMinutes, addWorkingMinutesByTZDate, isWorkingTime, weekdays, workingDayMinutes } from '../../src/core/working-time.js';

const wh = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '08:00', end: '17:00' };
const add = (from: string, minutes: number) => addWorkingMinutes(new Date(from), minutes, wh, 'Europe/London').toISOString();

describe('working time (Europe/London)', () => {
  it('counts inside the working day', () => {
    expect(add('2026-11-23T10:00:00Z', 30)).toBe('2026-11-23T10:30:00.000Z');
    expect(add('2026-11-23T16:30:00Z', 30)).toBe('2026-11-23T17:00:00.000Z');
  });
  it('carries over the evening and the weekend', () => {
    expect(add('2026-11-23T16:50:00Z', 30)).toBe('2026-11-24T08:20:00.000Z');
    expect(add('2026-11-20T16:50:00Z', 120)).toBe('2026-11-23T09:50:00.000Z');
    expect(add('2026-11-21T10:00:00Z', 30)).toBe('2026-11-23T08:30:00.000Z');
  });
  it('starts the clock at the start of the day when made before it', () => {
    expect(add('2026-11-23T06:00:00Z', 30)).toBe('2026-11-23T08:30:00.000Z');
  });
  it('keeps local hours across the clock changes', () => {
    // Friday 27 March 2026 16:45 GMT; Monday 30 March is BST (08:00 local = 07:00Z).
    expect(add('2026-03-27T16:45:00Z', 30)).toBe('2026-03-30T07:15:00.000Z');
    // Friday 23 October 2026 16:45 BST (15:45Z); Monday 26 October is GMT again.
    expect(add('2026-10-23T15:45:00Z', 30)).toBe('2026-10-26T08:15:00.000Z');
  });
  it('knows working time and the length of the day', () => {
    expect(isWorkingTime(new Date('2026-11-23T12:00:00Z'), wh, 'Europe/London')).toBe(true);
    expect(isWorkingTime(new Date('2026-11-23T17:00:00Z'), wh, 'Europe/London')).toBe(false);
    expect(isWorkingTime(new Date('2026-11-21T12:00:00Z'), wh, 'Europe/London')).toBe(false);
    expect(isWorkingTime(new Date('2026-07-06T07:30:00Z'), wh, 'Europe/London')).toBe(true); // 08:30 BST
    expect(workingDayMinutes(wh)).toBe(540);
    expect(add('2026-11-23T10:00:00Z', 540)).toBe('2026-11-24T10:00:00.000Z');
  });
  it('keeps the seconds of the start: a deadline is never a minute late', () => {
    // Issue 12: "Decide by" one minute after the rules' deadline, from seconds dropped on the first day.
    expect(add('2026-11-23T10:00:30Z', 540)).toBe('2026-11-24T10:00:30.000Z');
    expect(add('2026-11-23T16:59:30Z', 30)).toBe('2026-11-24T08:29:30.000Z');
    expect(add('2026-11-23T10:00:59.999Z', 30)).toBe('2026-11-23T10:30:59.999Z');
  });
});

describe('working time on the wall clock agrees with date-fns TZDate', () => {
  const zones = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Santiago', 'America/Havana', 'Asia/Beirut', 'Pacific/Auckland', 'UTC'];
  const hours = fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 12 })).map(([h, q, len]) => {
    const two = (n: number) => String(n).padStart(2, '0');
    return { start: `${two(h)}:${two(q * 15)}`, end: `${two(h + len)}:${two(q * 15)}` };
  });
  const days = fc.subarray([...weekdays], { minLength: 1 });
  const instant = fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') });
  const changes = ['2026-03-29T00:30:00Z', '2026-10-25T00:30:00Z', '2026-03-08T06:30:00Z', '2026-11-01T05:30:00Z', '2026-09-06T03:00:00Z', '2026-04-05T02:00:00Z'].map(Date.parse);
  const near = fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -60 * 3_600_000, max: 30 * 3_600_000 })).map(([c, d]) => c + d);
  it('adds working minutes to the same instant, clock changes included', () => {
    fc.assert(
      fc.property(fc.oneof(instant, near), fc.integer({ min: 0, max: 1500 }), fc.constantFrom(...zones), hours, days, (at, minutes, zone, h, d) => {
        const w = { days: d, ...h };
        expect(addWorkingMinutes(new Date(at), minutes, w, zone).toISOString()).toBe(addWorkingMinutesByTZDate(new Date(at), minutes, w, zone).toISOString());
      }),
      { numRuns: 400 },
    );
  });
  it('says working time alike, also on the days the clocks change', () => {
    fc.assert(
      fc.property(fc.oneof(instant, near), fc.constantFrom(...zones), hours, days, (at, zone, h, d) => {
        const w = { days: d, ...h };
        const t = new TZDate(at, zone);
        const set = (v: string) => new TZDate(t.getFullYear(), t.getMonth(), t.getDate(), Number(v.slice(0, 2)), Number(v.slice(3)), 0, 0, zone);
        const expected = d.includes(weekdays[t.getDay()] as (typeof weekdays)[number]) && t >= set(h.start) && t < set(h.end);
        expect(isWorkingTime(new Date(at), w, zone)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});
