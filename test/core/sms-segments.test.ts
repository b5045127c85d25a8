import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { smsSegments } from "../../src/core/sms-segments.js";

describe("smsSegments (3GPP TS 23.038 / 23.040)", () => {
  it.each([
    ["", "GSM-7", 0, 0, 160],
    ["a".repeat(160), "GSM-7", 1, 160, 0],
    ["a".repeat(161), "GSM-7", 2, 161, 153 * 2 - 161],
    ["a".repeat(306), "GSM-7", 2, 306, 0],
    ["a".repeat(307), "GSM-7", 3, 307, 152],
    ["€".repeat(80), "GSM-7", 1, 160, 0],
    // 76 `€` fill 152 of 153 septets; the 77th opens the second segment, which holds 5.
    ["€".repeat(81), "GSM-7", 2, 162, 153 - 10],
    ["Ж".repeat(70), "UCS-2", 1, 70, 0],
    ["Ж".repeat(71), "UCS-2", 2, 71, 67 * 2 - 71],
    ["Ж".repeat(134), "UCS-2", 2, 134, 0],
    ["Ж".repeat(135), "UCS-2", 3, 135, 66],
    ["😀".repeat(35), "UCS-2", 1, 70, 0],
  ])(
    "%#: %j is %s, %i segment(s), %i units, %i left",
    (text, encoding, segments, units, remaining) => {
      expect(smsSegments(text)).toMatchObject({ encoding, segments, units, remaining });
    },
  );

  it("never splits an escape (GSM-7) or a surrogate pair (UCS-2) across two segments", () => {
    // 152 septets, then `€` (2) does not fit the first segment's 153: it opens the second.
    expect(smsSegments(`${"a".repeat(152)}€${"a".repeat(10)}`)).toMatchObject({
      segments: 2,
      units: 164,
      remaining: 153 - 12,
    });
    // 33 emoji fill 66 of 67 units; the 34th (2 units) opens the second segment.
    expect(smsSegments("😀".repeat(36))).toMatchObject({
      segments: 2,
      characters: 36,
      units: 72,
      remaining: 67 - 6,
    });
  });

  it("one character outside the GSM alphabet (a backtick, Cyrillic, an emoji) makes the whole text UCS-2", () => {
    expect(smsSegments("Thanks for your order! `").encoding).toBe("UCS-2");
    expect(smsSegments("Спасибо").encoding).toBe("UCS-2");
    expect(smsSegments("Crème brûlée, £5").encoding).toBe("UCS-2"); // û is not in it
    expect(smsSegments("Café Zürich: Straße, £5 {ok} [x]").encoding).toBe("GSM-7");
  });

  it("the README's message of the last round: 115 Cyrillic characters are two segments", () => {
    const text =
      "Спасибо, что выбрали Кофейня «Зерно»! Оцените нас: https://yandex.ru/maps/org/zerno/1/reviews";
    expect(smsSegments(text)).toMatchObject({ encoding: "UCS-2", segments: 2 });
  });

  it("segments grow with the text and each holds at most its units (seeded)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 600 }), (text) => {
        const result = smsSegments(text);
        const longer = smsSegments(`${text}a`);
        expect(longer.segments).toBeGreaterThanOrEqual(result.segments);
        expect(result.remaining).toBeGreaterThanOrEqual(0);
        if (result.segments > 0)
          expect(result.units).toBeLessThanOrEqual(result.segments * result.perSegment);
      }),
      { seed: 20261130, numRuns: 300 },
    );
  }, 30_000);
});
