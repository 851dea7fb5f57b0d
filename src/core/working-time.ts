import { TZDate, tzOffset } from '@date-fns/tz';
// One module each, not the package's index: that loads all of date-fns (~3 s and ~250 MB
// of RSS at start-up on a 2-core machine) for three functions.
import { addDays } from 'date-fns/addDays';
import { set } from 'date-fns/set';
import { startOfDay } from 'date-fns/startOfDay';

export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof weekdays)[number];

export interface WorkingHours {
  days: readonly Weekday[];
  /** "HH:MM", local time in the school's time zone. */
  start: string;
  end: string;
}

/** Time is injected everywhere in core: a clock is a function that says what time it is. */
export type Clock = () => Date;

function hm(value: string): { hours: number; minutes: number } {
  const [h, m] = value.split(':').map(Number);
  return { hours: h ?? 0, minutes: m ?? 0 };
}

function atLocal(day: TZDate, value: string): TZDate {
  return set(day, { ...hm(value), seconds: 0, milliseconds: 0 });
}

function isWorkingDay(day: TZDate, wh: WorkingHours): boolean {
  return wh.days.includes(weekdays[day.getDay()] as Weekday);
}

/** Whether `at` falls inside the school's working hours. */
export function isWorkingTime(at: Date, wh: WorkingHours, timeZone: string): boolean {
  const day = localDay(at.getTime(), wh, timeZone);
  if (day) return wh.days.includes(weekdays[day.weekday] as Weekday) && at.getTime() >= day.start && at.getTime() < day.end;
  const t = new TZDate(at.getTime(), timeZone);
  if (!isWorkingDay(t, wh)) return false;
  return t >= atLocal(t, wh.start) && t < atLocal(t, wh.end);
}

/**
 * Adds `minutes` of working time to `from`: the clock runs only inside working hours on
 * working days, in the school's time zone (so a deadline set at 16:50 on a Friday with
 * 30 minutes to run falls at 08:20 on Monday, across daylight-saving changes too).
 *
 * Worked on the school's wall clock with the zone's cached offsets (a deadline a report,
 * and Intl's offset was most of a report's routing); a day with a clock change near its
 * working hours goes through date-fns' TZDate instead, whose rules for a missing or
 * repeated local time are the reference (tests/core/working-time.test.ts checks that the
 * two always agree).
 */
export function addWorkingMinutes(from: Date, minutes: number, wh: WorkingHours, timeZone: string): Date {
  if (wh.days.length === 0) throw new Error('working hours need at least one day');
  let remaining = Math.max(0, minutes) * 60_000;
  let t = from.getTime();
  for (let guard = 0; guard < 5000; guard += 1) {
    const day = localDay(t, wh, timeZone);
    if (!day) return addWorkingMinutesByTZDate(from, minutes, wh, timeZone);
    if (wh.days.includes(weekdays[day.weekday] as Weekday) && t < day.end) {
      if (t < day.start) t = day.start;
      const left = day.end - t;
      if (remaining <= left) return new Date(t + remaining);
      remaining -= left;
    }
    t = day.nextMidnight;
  }
  throw new Error('working-time calculation did not finish');
}

/** The same with date-fns' TZDate throughout: the reference, and the path for days with a clock change. */
export function addWorkingMinutesByTZDate(from: Date, minutes: number, wh: WorkingHours, timeZone: string): Date {
  if (wh.days.length === 0) throw new Error('working hours need at least one day');
  let t = new TZDate(from.getTime(), timeZone);
  let remaining = Math.max(0, minutes) * 60_000;
  for (let guard = 0; guard < 5000; guard += 1) {
    const dayStart = atLocal(t, wh.start);
    const dayEnd = atLocal(t, wh.end);
    if (!isWorkingDay(t, wh) || t >= dayEnd) {
      t = atLocal(addDays(startOfDay(t), 1), wh.start);
      continue;
    }
    if (t < dayStart) t = dayStart;
    // In milliseconds: whole minutes would drop the seconds already gone from the first
    // day, and a deadline would fall (and be shown) one minute after the one the rules give.
    const left = dayEnd.getTime() - t.getTime();
    if (remaining <= left) return new Date(t.getTime() + remaining);
    remaining -= left;
    t = atLocal(addDays(startOfDay(t), 1), wh.start);
  }
  throw new Error('working-time calculation did not finish');
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/**
 * The school day around `ms` as instants: its weekday, the start and end of working hours
 * and the next local midnight, from the zone's offset. Undefined when the offset changes
 * within three hours of any of them (a clock change near that day's hours): the caller
 * then asks TZDate, so a missing or repeated local time is read exactly as before.
 */
function localDay(ms: number, wh: WorkingHours, timeZone: string): { weekday: number; start: number; end: number; nextMidnight: number } | undefined {
  const offset = zoneOffsetMinutes(timeZone, ms) * 60_000;
  const wallMs = ms + offset;
  const midnightWall = Math.floor(wallMs / dayMs) * dayMs;
  const s = hm(wh.start);
  const e = hm(wh.end);
  const start = midnightWall + (s.hours * 60 + s.minutes) * 60_000 - offset;
  const end = midnightWall + (e.hours * 60 + e.minutes) * 60_000 - offset;
  const nextMidnight = midnightWall + dayMs - offset;
  const steady = (at: number) => zoneOffsetMinutes(timeZone, at) * 60_000 === offset;
  const checks = [midnightWall - offset - 3 * hourMs, start - 3 * hourMs, start, end, end + 3 * hourMs, nextMidnight - 1, nextMidnight + 3 * hourMs];
  if (!checks.every(steady)) return undefined;
  return { weekday: new Date(wallMs).getUTCDay(), start, end, nextMidnight };
}

/** A deadline `minutes` after `from`: on the clock at any hour, or in working time (G3). */
export function deadlineAfter(
  from: Date,
  minutes: number,
  clock: 'working_hours' | 'always',
  wh: WorkingHours,
  timeZone: string,
): Date {
  return clock === 'always' ? new Date(from.getTime() + minutes * 60_000) : addWorkingMinutes(from, minutes, wh, timeZone);
}

/** The length of one working day in minutes ("one working day" deadlines, G4). */
export function workingDayMinutes(wh: WorkingHours): number {
  const s = hm(wh.start);
  const e = hm(wh.end);
  return e.hours * 60 + e.minutes - (s.hours * 60 + s.minutes);
}

/**
 * The zone's offset from UTC (minutes) at `ms`, cached per zone and quarter hour: every
 * offset change in the time-zone database falls on a quarter hour, and asking Intl each
 * time was a tenth of a report's cost.
 */
const offsets = new Map<string, number>();
export function zoneOffsetMinutes(timeZone: string, ms: number): number {
  const key = `${timeZone}|${Math.floor(ms / 900_000)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size > 5_000) offsets.clear();
    offset = tzOffset(timeZone, new Date(ms));
    offsets.set(key, offset);
  }
  return offset;
}

/** `at` as the school's wall clock, read with the UTC getters. */
function wall(at: Date, timeZone: string): Date {
  return new Date(at.getTime() + zoneOffsetMinutes(timeZone, at.getTime()) * 60_000);
}
const two = (n: number) => String(n).padStart(2, '0');

/** The date of `at` in the school's time zone, "YYYY-MM-DD" (what "today" means for a form). */
export function localDate(at: Date, timeZone: string): string {
  const t = wall(at, timeZone);
  return `${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())}`;
}

/** The date and time of `at` in the school's time zone, "YYYY-MM-DDTHH:MM" (as forms and evidence give them). */
export function localDateTime(at: Date, timeZone: string): string {
  const t = wall(at, timeZone);
  return `${localDate(at, timeZone)}T${two(t.getUTCHours())}:${two(t.getUTCMinutes())}`;
}

/** The calendar year of `at` in the school's time zone (for reference numbers). */
export function localYear(at: Date, timeZone: string): number {
  return wall(at, timeZone).getUTCFullYear();
}

/** "Mon 23 Nov 2026, 10:42" in the school's time zone, for messages. */
export function formatLocal(at: Date, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    formats.set(timeZone, format);
  }
  return format.format(at);
}
/** One formatter per time zone (building one costs far more than using it). */
const formats = new Map<string, Intl.DateTimeFormat>();
