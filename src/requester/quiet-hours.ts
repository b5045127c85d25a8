import { ConfigError } from "../core/errors.js";

/** Hours when no review request is sent, in the business's local time. */
export interface QuietHours {
  /** Local time the quiet window starts, `"HH:MM"` (24 h). Default `"21:00"`. */
  readonly start: string;
  /** Local time the quiet window ends and sending resumes, `"HH:MM"`. Default `"10:00"`. */
  readonly end: string;
  /** IANA time zone of the business, e.g. `"Europe/Moscow"`, `"Asia/Yekaterinburg"`. */
  readonly timeZone: string;
}

/** Default quiet hours: 21:00–10:00 Moscow time. */
export const DEFAULT_QUIET_HOURS: QuietHours = Object.freeze({
  start: "21:00",
  end: "10:00",
  timeZone: "Europe/Moscow",
});

/** Quiet hours validated and turned into minutes of the day. */
export interface QuietWindow {
  readonly startMinute: number;
  readonly endMinute: number;
  readonly timeZone: string;
  readonly formatter: Intl.DateTimeFormat;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 86_400_000;

function minuteOfDay(value: string, option: string): number {
  const match = HHMM.exec(value);
  if (!match)
    throw new ConfigError(
      `Option \`${option}\` must be a 24-hour time "HH:MM", got ${JSON.stringify(value)}.`,
    );
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * Validates quiet hours and prepares them for {@link nextAllowedTime}.
 *
 * @param hours - The window; `start` equal to `end` is rejected (use `quietHours: false` for none).
 * @param option - The option's name, for error messages.
 * @throws ConfigError naming the option when a time or the time zone is invalid.
 */
export function quietWindow(hours: QuietHours, option = "quietHours"): QuietWindow {
  const startMinute = minuteOfDay(hours.start, `${option}.start`);
  const endMinute = minuteOfDay(hours.end, `${option}.end`);
  if (startMinute === endMinute) {
    throw new ConfigError(
      `Options \`${option}.start\` and \`${option}.end\` are equal; set \`${option}: false\` to send at any hour.`,
    );
  }
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: hours.timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    throw new ConfigError(
      `Option \`${option}.timeZone\` is not an IANA time zone: ${JSON.stringify(hours.timeZone)} (e.g. "Europe/Moscow").`,
    );
  }
  return { startMinute, endMinute, timeZone: hours.timeZone, formatter };
}

interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly minute: number;
}

function localTime(at: number, formatter: Intl.DateTimeFormat): LocalTime & { offsetMs: number } {
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(at)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  return {
    year,
    month,
    day,
    minute: hour * 60 + minute,
    offsetMs: asUtc - Math.floor(at / 1000) * 1000,
  };
}

/** The instant when the local wall clock of the formatter's zone shows `minute` on the given civil date. */
function instantOf(
  year: number,
  month: number,
  day: number,
  minute: number,
  formatter: Intl.DateTimeFormat,
): number {
  const wall = Date.UTC(year, month - 1, day, Math.floor(minute / 60), minute % 60);
  let guess = wall - localTime(wall, formatter).offsetMs;
  // A second pass settles offsets that change between the first guess and the answer (DST).
  guess = wall - localTime(guess, formatter).offsetMs;
  return guess;
}

/** `true` when `at` falls inside the quiet window. */
export function isQuiet(at: number, window: QuietWindow): boolean {
  const { minute } = localTime(at, window.formatter);
  const { startMinute: s, endMinute: e } = window;
  return s < e ? minute >= s && minute < e : minute >= s || minute < e;
}

/**
 * The earliest instant at or after `at` outside the quiet window: `at` itself when it is already
 * outside, else the window's end in the business's time zone (the same morning when `at` is after
 * midnight, the next morning when it is before).
 */
export function nextAllowedTime(at: number, window: QuietWindow): number {
  if (!isQuiet(at, window)) return at;
  const local = localTime(at, window.formatter);
  const endsToday = window.startMinute > window.endMinute ? local.minute < window.endMinute : true;
  const civil = new Date(
    Date.UTC(local.year, local.month - 1, local.day) + (endsToday ? 0 : DAY_MS),
  );
  return instantOf(
    civil.getUTCFullYear(),
    civil.getUTCMonth() + 1,
    civil.getUTCDate(),
    window.endMinute,
    window.formatter,
  );
}
