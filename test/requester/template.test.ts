import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
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
      "Спасибо, что выбрали Кофейня «Зерно»! Будем рады вашему отзыву: https://yandex.ru/maps/org/1/reviews",
    );
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
