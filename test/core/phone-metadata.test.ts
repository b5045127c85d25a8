import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parsePhoneNumberFromString as parseWithSlim } from "libphonenumber-js/core";
import examples from "libphonenumber-js/examples.mobile.json" with { type: "json" };
import minMetadata from "libphonenumber-js/metadata.min.json" with { type: "json" };
import {
  type CountryCode,
  isSupportedCountry as isSupportedByMin,
  parsePhoneNumberFromString as parseWithMin,
} from "libphonenumber-js/min";
import { describe, expect, it } from "vitest";
import { isSupportedCountry, normalizePhone } from "../../src/core/phone.js";
import { PHONE_METADATA } from "../../src/core/phone-metadata.generated.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

type Plan = readonly unknown[];
const plans = minMetadata.countries as unknown as Record<CountryCode, Plan>;
const countries = Object.keys(plans) as CountryCode[];

/** What a parse gives, as one comparable string. */
function answer(parse: () => ReturnType<typeof parseWithMin>): string {
  try {
    const parsed = parse();
    return parsed
      ? `${parsed.number} ${parsed.country} valid=${parsed.isValid()} possible=${parsed.isPossible()}`
      : "none";
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
}

/** The same text parsed with libphonenumber-js/min and with otzovik's slim metadata. */
function both(text: string, defaultCountry: CountryCode): [string, string] {
  return [
    answer(() => parseWithMin(text, { defaultCountry })),
    answer(() => parseWithSlim(text, { defaultCountry }, PHONE_METADATA)),
  ];
}

/** Spellings of a national number of `country`: national, +CC, national prefix, IDD, broken. */
function spellings(country: CountryCode, national: string): string[] {
  const plan = plans[country];
  const callingCode = plan[0] as string;
  const prefix = (plan[5] as string | undefined) ?? "";
  const idd = (plan[1] as string | undefined) ?? "00";
  return [
    national,
    `+${callingCode}${national}`,
    `+${callingCode} (${national.slice(0, 3)}) ${national.slice(3)}`,
    `${prefix}${national}`,
    `${idd}${callingCode}${national}`,
    national.slice(1),
    `${national}0`,
  ];
}

describe("the phone metadata (src/core/phone-metadata.generated.ts)", () => {
  it("is what `node scripts/phone-metadata.mjs` makes of the installed libphonenumber-js", () => {
    const run = spawnSync(process.execPath, ["scripts/phone-metadata.mjs", "--check"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("parses every country's example number, in every spelling, as libphonenumber-js/min does", () => {
    let compared = 0;
    let valid = 0;
    for (const [country, national] of Object.entries(examples) as [CountryCode, string][]) {
      if (!plans[country]) continue;
      for (const text of spellings(country, national))
        for (const defaultCountry of [country, "RU", "KZ", "US", "GB"] as CountryCode[]) {
          const [min, slim] = both(text, defaultCountry);
          expect(slim, `${text} in ${defaultCountry}`).toBe(min);
          compared++;
          if (min.includes("valid=true")) valid++;
        }
    }
    // The comparison covers valid numbers of (nearly) every country, not only rejections.
    expect(compared).toBeGreaterThan(8000);
    expect(valid).toBeGreaterThan(3000);
  });

  it("parses random digits of every country's lengths as libphonenumber-js/min does (seeded)", () => {
    let seed = 13;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let run = 0; run < 20_000; run++) {
      const country = countries[next(countries.length)] as CountryCode;
      const lengths = (plans[country][3] as number[] | undefined) ?? [10];
      const length = (lengths[next(lengths.length)] as number) + next(3) - 1;
      const national = Array.from({ length }, () => next(10)).join("");
      const text = spellings(country, national)[next(5)] as string;
      const defaultCountry = next(2) ? country : (countries[next(countries.length)] as CountryCode);
      const [min, slim] = both(text, defaultCountry);
      expect(slim, `${text} in ${defaultCountry}`).toBe(min);
    }
  });

  it("reads non-geographic numbers (+800, +870, +882, …) as libphonenumber-js/min does", () => {
    for (const text of [
      "+80012345678",
      "+870773111632",
      "+882 3542 0000 1234",
      "+883 5100 1234 5678",
      "+888 1234 5678",
      "+979 123456789",
    ]) {
      const [min, slim] = both(text, "RU");
      expect(slim, text).toBe(min);
    }
  });

  it("knows the countries libphonenumber-js/min knows", () => {
    for (const code of [...countries, "XX", "ZZ", "ru", "", "RUS", "001"]) {
      expect(isSupportedCountry(code), code).toBe(isSupportedByMin(code));
    }
  });

  it("leaves normalizePhone's answers for international numbers unchanged", () => {
    expect(normalizePhone("+44 20 7183 8750")).toEqual({ phone: "+442071838750", problem: null });
    expect(normalizePhone("020 7183 8750", "GB")).toEqual({
      phone: "+442071838750",
      problem: null,
    });
    expect(normalizePhone("+375 29 123-45-67")).toEqual({ phone: "+375291234567", problem: null });
    expect(normalizePhone("+998 90 123 45 67")).toEqual({ phone: "+998901234567", problem: null });
    for (const text of [
      "+1 212 555 0100",
      "+49 30 123456",
      "+86 10 1234 5678",
      "+971 50 123 4567",
    ]) {
      const reference = parseWithMin(text);
      expect(normalizePhone(text).phone, text).toBe(reference?.isValid() ? reference.number : null);
    }
  });
});
