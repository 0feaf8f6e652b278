/**
 * The one place the shell turns the clock into the calendar date the core's rules are evaluated on
 * (currency windows, age gates, the PNC two-digit year pivot). The core itself never reads the clock.
 */

const LONDON_DATE = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London" });

/** Today's date in Europe/London, `YYYY-MM-DD`. */
export const londonToday = (now: Date): string => LONDON_DATE.format(now);
