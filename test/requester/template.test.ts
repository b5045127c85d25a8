import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { smsSegments } from "../../src/core/sms-segments.js";
import {
  compileTemplate,
  DEFAULT_MESSAGE,
  type TemplateVars,
} from "../../src/requester/template.js";

const vars: TemplateVars = {
  name: "Анна",
  business: "Кофейня «Зерно»",
  reviewUrl: "https://yandex.ru/maps/org/1/reviews",
  orderId: "59707",
  source: "iiko",
};

describe("compileTemplate", () => {
  it("renders every variable", () => {
    const render = compileTemplate("{name}, заказ {orderId} ({source}) в {business}: {reviewUrl}");
    expect(render(vars)).toBe(
      "Анна, заказ 59707 (iiko) в Кофейня «Зерно»: https://yandex.ru/maps/org/1/reviews",
    );
  });

  it("renders a missing value as nothing and keeps escaped braces", () => {
    expect(compileTemplate("Привет{name}! {{ok}}")({ ...vars, name: null })).toBe("Привет! {ok}");
  });

  it("the default message needs no name", () => {
    expect(compileTemplate(DEFAULT_MESSAGE)(vars)).toBe(
      "Кофейня «Зерно»: спасибо! Оставьте отзыв: https://yandex.ru/maps/org/1/reviews",
    );
  });

  it("the default message is one Cyrillic SMS segment with a 15-character name and a 22-character link", () => {
    const business = "Кофейня «Зерно»";
    const reviewUrl = "https://clck.ru/3FaBcD";
    expect([business.length, reviewUrl.length]).toEqual([15, 22]);
    const text = compileTemplate(DEFAULT_MESSAGE)({ ...vars, business, reviewUrl });
    expect(text).toBe("Кофейня «Зерно»: спасибо! Оставьте отзыв: https://clck.ru/3FaBcD");
    expect(smsSegments(text)).toEqual({
      encoding: "UCS-2",
      segments: 1,
      characters: 64,
      units: 64,
      perSegment: 70,
      remaining: 6,
    });
  });

  it("the default message with a full Yandex Maps or 2GIS review link is two segments", () => {
    const render = compileTemplate(DEFAULT_MESSAGE);
    for (const [reviewUrl, units] of [
      ["https://yandex.ru/maps/org/zerno/1234567890/reviews", 93],
      ["https://yandex.ru/maps/org/kofeynya_zerno/1234567890/reviews/", 103],
      ["https://2gis.ru/moscow/firm/70000001012345678/tab/reviews", 99],
    ] as const) {
      const { segments, encoding } = smsSegments(render({ ...vars, reviewUrl }));
      expect({
        reviewUrl,
        segments,
        encoding,
        units: render({ ...vars, reviewUrl }).length,
      }).toEqual({ reviewUrl, segments: 2, encoding: "UCS-2", units });
    }
  });

  it("the default message has no case-inflected slot: the name is a heading", () => {
    expect(DEFAULT_MESSAGE.startsWith("{business}: ")).toBe(true);
    expect(DEFAULT_MESSAGE).not.toMatch(/заказ|визит/i);
  });

  it("accepts a function", () => {
    expect(compileTemplate((v) => `${v.name ?? "Гость"}, спасибо!`)({ ...vars, name: null })).toBe(
      "Гость, спасибо!",
    );
  });

  it("rejects unknown placeholders and stray braces, naming the option", () => {
    expect(() => compileTemplate("Hi {phone}", "tenants.message")).toThrow(ConfigError);
    expect(() => compileTemplate("Hi {phone}", "tenants.message")).toThrow(
      "Option `tenants.message` uses an unknown placeholder {phone}; known: {name}, {business}, {reviewUrl}, {orderId}, {source}.",
    );
    expect(() => compileTemplate("Hi {name")).toThrow('unmatched "{" at position 3');
    expect(() => compileTemplate("  ")).toThrow("must be a non-empty string or a function");
  });
});
