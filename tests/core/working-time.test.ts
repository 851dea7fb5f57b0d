import { describe, expect, it } from 'vitest';
import { addWorkingMinutes, isWorkingTime, workingDayMinutes } from '../../src/core/working-time.js';

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
