/**
 * Whether year-month-day names a day of the Gregorian calendar. Date.parse and Date.UTC take
 * any day up to 31 in any month and roll it into the next (2026-02-30 is 2 March), so a
 * filter typed wrong would silently select another window; every date parameter checks here.
 */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
