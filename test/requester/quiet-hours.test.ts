import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import {
  DEFAULT_QUIET_HOURS,
  isQuiet,
  nextAllowedTime,
  quietWindow,
} from "../../src/requester/quiet-hours.js";

const moscow = quietWindow(DEFAULT_QUIET_HOURS);
const iso = (ms: number) => new Date(ms).toISOString();

describe("quiet hours (21:00–10:00 Europe/Moscow, UTC+3)", () => {
  it("23:30 Moscow is quiet and resumes at 10:00 the next morning", () => {
    const at = Date.parse("2026-03-14T23:30:00+03:00");
    expect(isQuiet(at, moscow)).toBe(true);
    expect(iso(nextAllowedTime(at, moscow))).toBe("2026-03-15T07:00:00.000Z");
  });

  it("03:00 Moscow resumes at 10:00 the same morning", () => {
    expect(iso(nextAllowedTime(Date.parse("2026-03-15T03:00:00+03:00"), moscow))).toBe(
      "2026-03-15T07:00:00.000Z",
    );
  });

  it("daytime and the window's edges", () => {
    const noon = Date.parse("2026-03-14T12:00:00+03:00");
    expect(nextAllowedTime(noon, moscow)).toBe(noon);
    const ten = Date.parse("2026-03-14T10:00:00+03:00");
    expect(isQuiet(ten, moscow)).toBe(false);
    expect(isQuiet(ten - 1, moscow)).toBe(true);
    expect(isQuiet(Date.parse("2026-03-14T20:59:59+03:00"), moscow)).toBe(false);
    expect(isQuiet(Date.parse("2026-03-14T21:00:00+03:00"), moscow)).toBe(true);
  });

  it("crosses month and year ends", () => {
    expect(iso(nextAllowedTime(Date.parse("2026-12-31T22:00:00+03:00"), moscow))).toBe(
      "2027-01-01T07:00:00.000Z",
    );
  });

  it("works in other zones and for windows that do not wrap midnight", () => {
    const yekat = quietWindow({ start: "21:00", end: "09:00", timeZone: "Asia/Yekaterinburg" });
    expect(iso(nextAllowedTime(Date.parse("2026-06-01T22:00:00+05:00"), yekat))).toBe(
      "2026-06-02T04:00:00.000Z",
    );
    const lunch = quietWindow({ start: "13:00", end: "14:00", timeZone: "Europe/Moscow" });
    expect(iso(nextAllowedTime(Date.parse("2026-06-01T13:15:00+03:00"), lunch))).toBe(
      "2026-06-01T11:00:00.000Z",
    );
  });

  it("handles a DST zone on both sides of the change", () => {
    const berlin = quietWindow({ start: "21:00", end: "10:00", timeZone: "Europe/Berlin" });
    // The night of 2026-03-28/29 Berlin moves from UTC+1 to UTC+2.
    expect(iso(nextAllowedTime(Date.parse("2026-03-28T23:00:00+01:00"), berlin))).toBe(
      "2026-03-29T08:00:00.000Z",
    );
    expect(iso(nextAllowedTime(Date.parse("2026-10-24T23:00:00+02:00"), berlin))).toBe(
      "2026-10-25T09:00:00.000Z",
    );
  });

  it("the next allowed time is never quiet, never earlier, and at most a day later (property)", {
    timeout: 60_000,
  }, () => {
    const zones = ["Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Kamchatka", "UTC"];
    const hhmm = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        hhmm,
        hhmm,
        fc.integer({ min: Date.parse("2024-01-01"), max: Date.parse("2030-01-01") }),
        (timeZone, start, end, at) => {
          fc.pre(start !== end);
          const window = quietWindow({ start, end, timeZone });
          const next = nextAllowedTime(at, window);
          expect(next).toBeGreaterThanOrEqual(at);
          expect(next - at).toBeLessThanOrEqual(25 * 3_600_000);
          expect(isQuiet(next, window)).toBe(false);
        },
      ),
      { seed: 1, numRuns: 1000 },
    );
  });

  it("rejects invalid settings with a ConfigError naming the option", () => {
    expect(() => quietWindow({ ...DEFAULT_QUIET_HOURS, start: "9:00" })).toThrow(ConfigError);
    expect(() => quietWindow({ ...DEFAULT_QUIET_HOURS, start: "9:00" })).toThrow(
      'Option `quietHours.start` must be a 24-hour time "HH:MM", got "9:00".',
    );
    expect(() => quietWindow({ ...DEFAULT_QUIET_HOURS, timeZone: "Moscow" })).toThrow(
      "`quietHours.timeZone`",
    );
    expect(() => quietWindow({ ...DEFAULT_QUIET_HOURS, end: "21:00" })).toThrow(
      "`quietHours: false`",
    );
  });
});
