/**
 * Calendar arithmetic on `YYYY-MM-DD` strings for the currency rules. Pure and zone-free: OASys local
 * date-times (Europe/London) are compared by their calendar date, never converted to instants.
 */

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

function parts(date: string): [number, number, number] {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

const format = (d: Date): string => d.toISOString().slice(0, 10);

/** The calendar date of a date or local date-time (`2026-10-03T14:05:00` -> `2026-10-03`); null stays null. */
export function calendarDate(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const m = ISO_DATE.exec(value);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = parts(date);
  return format(new Date(Date.UTC(y, m - 1, d) + days * DAY_MS));
}

export const addWeeks = (date: string, weeks: number): string => addDays(date, weeks * 7);

/** Calendar months; the day is clamped to the end of a shorter month (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = parts(date);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return format(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, lastDay))));
}

export const addYears = (date: string, years: number): string => addMonths(date, years * 12);

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const [y1, m1, d1] = parts(from);
  const [y2, m2, d2] = parts(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / DAY_MS);
}

/**
 * Completed years of age on `on`. A 29 February birthday falls on 1 March in other years, the cautious
 * reading for an eligibility gate (the person stays under age one day longer).
 */
export function ageOn(dateOfBirth: string, on: string): number {
  const [by, bm, bd] = parts(dateOfBirth);
  const [oy, om, od] = parts(on);
  let years = oy - by;
  if (om < bm || (om === bm && od < bd)) years -= 1;
  return years;
}

export const laterOf = (a: string, b: string): string => (a >= b ? a : b);
export const earlierOf = (a: string, b: string): string => (a <= b ? a : b);
