import { describe, expect, it } from "vitest";
import { parsers, type SourceName } from "../../src/index.js";
import { fixture } from "../helpers/fixtures.js";
import { expectConsistent } from "./conformance.js";

function deepArray(depth: number): string {
  return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
}
function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}
function circular(): unknown {
  const o: Record<string, unknown> = { eventType: "DeliveryOrderUpdate" };
  o.eventInfo = o;
  o.order = o;
  o.leads = { status: [o] };
  o.result = o;
  o.resource = o;
  return o;
}

const typicalBody: Record<SourceName, string> = {
  iiko: fixture("iiko", "iiko-01-delivery-closed.json"),
  rkeeper: fixture("rkeeper", "rk-01-order-completed.json"),
  yclients: fixture("yclients", "record-update-attended.json"),
  amocrm: fixture("amocrm", "lead-status-won-docs.txt"),
};

/** Bodies no parser may throw on, all of which must be `invalid_payload`. */
const invalidBodies: [string, () => unknown][] = [
  ["null", () => null],
  ["undefined", () => undefined],
  ["a number", () => 42],
  ["NaN", () => Number.NaN],
  ["a boolean", () => true],
  ["a bigint", () => 10n],
  ["a symbol", () => Symbol("x")],
  ["a function", () => () => 1],
  ["an empty string", () => ""],
  ["whitespace", () => "   \n"],
  ["JSON null", () => "null"],
  ["a JSON number", () => "79161234567"],
  ["a JSON string", () => '"+79161234567"'],
  ["a lone brace", () => "{"],
  ["truncated JSON", () => '{"leads":{"status":[{"id":1,"status_id":142'],
  ["an empty object", () => ({})],
  ["a Date", () => new Date()],
  ["a Map", () => new Map([["eventType", "DeliveryOrderUpdate"]])],
  ["a 2 MB string of junk", () => "x".repeat(2 * 1024 * 1024)],
  ["a 2 MB JSON string", () => JSON.stringify("7".repeat(2 * 1024 * 1024))],
  ["5,000-deep nested arrays", () => deepArray(5000)],
  ["5,000-deep nested objects", () => deepObject(5000)],
  ["100,000-deep nested arrays", () => deepArray(100_000)],
  ["5,000-deep nested objects, parsed", () => JSON.parse(deepObject(5000))],
  [
    "__proto__ keys in JSON",
    () => '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
  ],
  ["invalid UTF-8 bytes", () => new Uint8Array([0xff, 0xfe, 0x7b, 0x22, 0xc3])],
];

describe.each(Object.keys(parsers) as SourceName[])("%s parser robustness", (source) => {
  const parse = parsers[source];

  it.each(invalidBodies)("%s → invalid_payload, no throw", (_name, make) => {
    const result = parse(make());
    expect(result).toMatchObject({ shouldSend: false, phone: null, reason: "invalid_payload" });
    expect(result.detail).toEqual(expect.any(String));
    expect(result.detail!.length).toBeLessThan(200);
    expectConsistent(source, result);
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("a sparse array from a caller gives one event per slot (amoCRM: one invalid body)", () => {
    const sparse: unknown[] = [];
    sparse[2] = 1;
    const result = parse(sparse);
    const slots = source === "amocrm" ? 1 : 3;
    expect(result.events.map((e) => e.reason)).toEqual(Array(slots).fill("invalid_payload"));
    expectConsistent(source, result);
  });

  it("a circular already-parsed value does not throw", () => {
    const result = parse(circular());
    expectConsistent(source, result);
  });

  it("a real body as JSON text, parsed value and bytes gives the same result", () => {
    const text = typicalBody[source];
    const asText = parse(text);
    expect(asText.shouldSend).toBe(true);
    expectConsistent(source, asText);
    expect(parse(new TextEncoder().encode(text))).toEqual(asText);
    if (source !== "amocrm") expect(parse(JSON.parse(text))).toEqual(asText);
  });

  it("a 2 MB body of repeated real events is read, not rejected", () => {
    const body =
      source === "amocrm"
        ? Array.from(
            { length: 2000 },
            (_, i) => `leads[status][${i}][id]=${i + 1}&leads[status][${i}][status_id]=143`,
          ).join("&")
        : JSON.stringify(Array.from({ length: 600 }, () => JSON.parse(typicalBody[source])));
    const result = parse(body);
    expect(result.events.length).toBeGreaterThanOrEqual(600);
    expectConsistent(source, result);
  });

  it("rejects options that are not an object with a ConfigError", () => {
    expect(() => parse("{}", "RU" as never)).toThrow(
      `[otzovik] [${source}] Parser options must be an object, got string.`,
    );
  });
});

describe("amoCRM form bodies with hostile keys", () => {
  it("__proto__ in bracket keys does not pollute and is not an event", () => {
    const result = parsers.amocrm(
      "__proto__[polluted]=yes&leads[__proto__][polluted]=yes&leads[status][__proto__][status_id]=142",
    );
    expect(Object.prototype).not.toHaveProperty("polluted");
    expectConsistent("amocrm", result);
    expect(result.shouldSend).toBe(false);
  });

  describe("details never quote a phone from the body", () => {
    it.each([
      [
        "iiko creation status",
        () =>
          parsers.iiko([
            { eventType: "DeliveryOrderUpdate", eventInfo: { creationStatus: "+79161234567" } },
          ]),
      ],
      [
        "iiko status",
        () =>
          parsers.iiko([
            { eventType: "DeliveryOrderUpdate", eventInfo: { order: { status: "89161234567" } } },
          ]),
      ],
      ["iiko event type", () => parsers.iiko([{ eventType: "tel 79161234567", eventInfo: {} }])],
      [
        "R-Keeper status name",
        () => parsers.rkeeper({ orderId: "1", orderStatusName: "79161234567" }),
      ],
      [
        "White Server status",
        () => parsers.rkeeper({ response: { status: { value: "79161234567" } } }),
      ],
      [
        "YCLIENTS resource",
        () => parsers.yclients({ resource: "79161234567", status: "update", data: {} }),
      ],
      ["amoCRM action", () => parsers.amocrm("leads[79161234567][0][id]=1")],
    ])("%s", (_name, parse) => {
      const result = parse();
      expect(result.detail).not.toMatch(/\d{6}/);
      expect(result.detail).toContain("(unexpected value)");
    });

    it("ordinary statuses and event names are still quoted", () => {
      expect(parsers.rkeeper({ orderId: "1", orderStatusName: "Передан на кухню" }).detail).toBe(
        "status Передан на кухню is not final",
      );
      expect(parsers.iiko([{ eventType: "StopListUpdate", eventInfo: {} }]).detail).toBe(
        "iiko event StopListUpdate never triggers a review",
      );
    });
  });
});
