import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { type Source, sources } from "../../src/index.js";
import { fixture } from "../helpers/fixtures.js";
import { quickKassa } from "../helpers/quick-kassa.js";
import { expectConsistent } from "./conformance.js";

/**
 * What every source must do — the built-in ones and any a user writes with `defineSource` — to be
 * safe in the requester and the adapters: never throw on a body, report results that agree with
 * their events, send nothing without a valid phone, check its options once, naming them.
 */
function describeSourceConformance(source: Source, typical: { body: unknown; sends: boolean }) {
  describe(`Source conformance: ${source.name}`, () => {
    it("has a route-safe name", () => {
      expect(source.name).toMatch(/^[a-z0-9][a-z0-9._-]{0,62}$/);
    });

    it("reads its typical body consistently", () => {
      const result = source.parse(typical.body);
      expectConsistent(source.name, result);
      expect(result.shouldSend).toBe(typical.sends);
      for (const event of result.events) expect(event.source).toBe(source.name);
    });

    it("accepts no options, and rejects options that are not an object naming the path", () => {
      expect(() => source.checkOptions(undefined, `parse.${source.name}`)).not.toThrow();
      expect(() => source.checkOptions(5, `parse.${source.name}`)).toThrow(ConfigError);
      expect(() => source.checkOptions(5, `parse.${source.name}`)).toThrow(`parse.${source.name}`);
    });

    it.each(hostile)("never throws and never sends on %s", (_label, make) => {
      const result = source.parse(make());
      expectConsistent(source.name, result);
      expect(result.shouldSend).toBe(false);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
}

/** Bodies any source may get from a hostile or broken client. */
const hostile: [string, () => unknown][] = [
  ["null", () => null],
  ["undefined", () => undefined],
  ["a number", () => 42],
  ["a symbol", () => Symbol("x")],
  ["an empty string", () => ""],
  ["truncated JSON", () => '{"check":{"closed":true'],
  ["an empty object", () => ({})],
  ["a 2 MB string of junk", () => "x".repeat(2 * 1024 * 1024)],
  ["100,000-deep nested arrays", () => `${"[".repeat(100_000)}1${"]".repeat(100_000)}`],
  [
    "__proto__ keys",
    () => '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
  ],
  ["invalid UTF-8 bytes", () => new Uint8Array([0xff, 0xfe, 0x7b, 0x22, 0xc3])],
];

describeSourceConformance(sources.iiko, {
  body: fixture("iiko", "iiko-01-delivery-closed.json"),
  sends: true,
});
describeSourceConformance(sources.rkeeper, {
  body: fixture("rkeeper", "rk-01-order-completed.json"),
  sends: true,
});
describeSourceConformance(sources.yclients, {
  body: fixture("yclients", "record-update-attended.json"),
  sends: true,
});
describeSourceConformance(sources.amocrm, {
  body: fixture("amocrm", "lead-status-won-docs.txt"),
  sends: true,
});
// A source written by a user in one file (test/helpers/quick-kassa.ts) passes the same suite.
describeSourceConformance(quickKassa, {
  body: { check: { number: "A-17", closed: true, guestPhone: "8 916 123-45-67" } },
  sends: true,
});
