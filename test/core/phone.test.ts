import fc from "fast-check";
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/min";
import { describe, expect, it, vi } from "vitest";
import { maskPhone, normalizePhone } from "../../src/index.js";

/**
 * Counts the calls of libphonenumber-js's parser made by the code under test (which calls
 * libphonenumber-js/core's with its own metadata, src/core/phone-metadata.generated.ts).
 */
const calls = vi.hoisted(() => ({ parse: 0 }));
vi.mock("libphonenumber-js/core", async (importOriginal) => {
  const original = await importOriginal<typeof import("libphonenumber-js/core")>();
  return {
    ...original,
    parsePhoneNumberFromString: (
      ...args: Parameters<typeof original.parsePhoneNumberFromString>
    ) => {
      calls.parse++;
      return original.parsePhoneNumberFromString(...args);
    },
  };
});

describe("normalizePhone", () => {
  it.each([
    "8 (916) 123-45-67",
    "89161234567",
    "79161234567",
    "+7 916 123 45 67",
    "+7(916)123-45-67",
    " +7 916 123-45-67 ",
    "9161234567",
    "tel:+79161234567",
    "8\u00a0916\u00a0123\u00a045\u00a067",
  ])("%s → +79161234567", (input) => {
    expect(normalizePhone(input)).toEqual({ phone: "+79161234567", problem: null });
  });

  it("accepts a phone given as a JSON number", () => {
    expect(normalizePhone(79161234567)).toEqual({ phone: "+79161234567", problem: null });
  });

  it("keeps landlines, Kazakhstan and foreign numbers", () => {
    expect(normalizePhone("+7 (495) 123-45-67").phone).toBe("+74951234567");
    expect(normalizePhone("+7 701 000 00 01").phone).toBe("+77010000001");
    expect(normalizePhone("+44 20 7183 8750").phone).toBe("+442071838750");
  });

  it("reads national numbers in the default country", () => {
    expect(normalizePhone("8 701 000 00 01", "KZ").phone).toBe("+77010000001");
    expect(normalizePhone("020 7183 8750", "GB").phone).toBe("+442071838750");
  });

  it.each([
    [null, "no_phone"],
    [undefined, "no_phone"],
    ["", "no_phone"],
    ["   ", "no_phone"],
    ["2001", "invalid_phone"],
    ["12", "invalid_phone"],
    ["+7 666 555 44 33", "invalid_phone"],
    ["+7916123456789", "invalid_phone"],
    ["not a phone", "invalid_phone"],
    [{ phone: "+79161234567" }, "invalid_phone"],
    [["+79161234567"], "invalid_phone"],
    [true, "invalid_phone"],
    [1.5, "invalid_phone"],
    [-79161234567, "invalid_phone"],
    ["+7".padEnd(10_000, "9"), "invalid_phone"],
  ])("%j → null (%s)", (input, problem) => {
    expect(normalizePhone(input)).toEqual({ phone: null, problem });
  });

  it("the +7 fast path agrees with libphonenumber-js, mobiles, landlines and invalid numbers alike (property)", {
    timeout: 60_000,
  }, () => {
    const national = fc.stringMatching(/^\d{10}$/);
    const prefix = fc.constantFrom("+7", "8", "7", "+7 ", "8 (", "7-", "+7(");
    const country = fc.constantFrom<CountryCode>("RU", "KZ", "BY", "US");
    fc.assert(
      fc.property(prefix, national, country, (p, digits, defaultCountry) => {
        const input = `${p}${digits}`;
        const reference = parsePhoneNumberFromString(input, { defaultCountry });
        expect(normalizePhone(input, defaultCountry).phone).toBe(
          reference?.isValid() ? reference.number : null,
        );
      }),
      { seed: 3, numRuns: 3000 },
    );
  });

  it("reads Russian landlines without parsing them (issue 9 item 1: ~20 µs each before)", () => {
    const areas = ["495", "812", "343", "861"];
    const inputs = Array.from(
      { length: 1000 },
      (_, i) => `8 (${areas[i % 4]}) ${String(i).padStart(7, "0")}`,
    );
    calls.parse = 0;
    const phones = inputs.map((input) => normalizePhone(input).phone);
    expect(phones.every((p) => p !== null && /^\+7\d{10}$/.test(p))).toBe(true);
    expect(phones[0]).toBe("+74950000000");
    expect(calls.parse).toBe(0);
    // Numbers that are not +7 still go through libphonenumber-js.
    expect(normalizePhone("+44 20 7183 8750").phone).toBe("+442071838750");
    expect(calls.parse).toBe(1);
  });

  it("never throws and only ever returns E.164 (property)", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^[+\d\s()-]{0,20}$/), fc.anything()),
        (input) => {
          const result = normalizePhone(input);
          if (result.phone !== null) expect(result.phone).toMatch(/^\+[1-9]\d{6,14}$/);
          else expect(["no_phone", "invalid_phone"]).toContain(result.problem);
        },
      ),
      { seed: 2, numRuns: 2000 },
    );
  });
});

describe("maskPhone", () => {
  it("keeps the country/operator code and the last four digits", () => {
    expect(maskPhone("+79161234567")).toBe("+7916***4567");
    expect(maskPhone("+442071838750")).toBe("+4420***8750");
  });
  it("masks short or empty values entirely", () => {
    expect(maskPhone("12345")).toBe("***");
    expect(maskPhone("")).toBe("");
    expect(maskPhone(null)).toBe("");
  });
});
