import { describe, expect, it } from "vitest";
import {
  isSourceName,
  parseAmocrm,
  parseIiko,
  parseRkeeper,
  parsers,
  parseYclients,
} from "../../src/index.js";

describe("parser registry", () => {
  it("parsers maps every source name to its parser", () => {
    expect(parsers).toEqual({
      iiko: parseIiko,
      rkeeper: parseRkeeper,
      yclients: parseYclients,
      amocrm: parseAmocrm,
    });
    expect(isSourceName("iiko")).toBe(true);
    expect(isSourceName("__proto__")).toBe(false);
    expect(isSourceName("toString")).toBe(false);
  });
});
