import { describe, expect, expectTypeOf, it } from "vitest";
import * as z from "zod/mini";
import {
  type AmocrmPhoneLookup,
  ConfigError,
  createAmocrmClient,
  createReviewRequester,
  defineSource,
  findSource,
  type IikoParseOptions,
  isSourceName,
  type ParsedEvent,
  type ParseResult,
  type ParserOptions,
  type ParserOptionsOf,
  parseAmocrm,
  parseIiko,
  parseRkeeper,
  parsers,
  parseYclients,
  type Source,
  type SourceName,
  sources,
} from "../../src/index.js";
import { decide, parseJsonEvents, skip } from "../../src/sources/event.js";
import { countrySchema, optionsResolver } from "../../src/sources/options.js";
import { own, text } from "../../src/sources/read.js";
import { sourceNames } from "../../src/sources/registry.js";
import { fixture } from "../helpers/fixtures.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

describe("the source registry", () => {
  it("holds the four sources, each under its own name, frozen", () => {
    expect(Object.keys(sources)).toEqual(["iiko", "rkeeper", "yclients", "amocrm"]);
    expect(sourceNames).toEqual(["iiko", "rkeeper", "yclients", "amocrm"]);
    for (const name of sourceNames) expect(sources[name].name).toBe(name);
    expect(Object.isFrozen(sources)).toBe(true);
    expect(Object.isFrozen(sourceNames)).toBe(true);
    expectTypeOf<SourceName>().toEqualTypeOf<"iiko" | "rkeeper" | "yclients" | "amocrm">();
  });

  it("each source's parser is the exported parse function, and `parsers` is derived from it", () => {
    expect(sources.iiko.parse).toBe(parseIiko);
    expect(sources.rkeeper.parse).toBe(parseRkeeper);
    expect(sources.yclients.parse).toBe(parseYclients);
    expect(sources.amocrm.parse).toBe(parseAmocrm);
    expect(parsers).toEqual({
      iiko: parseIiko,
      rkeeper: parseRkeeper,
      yclients: parseYclients,
      amocrm: parseAmocrm,
    });
    expect(Object.isFrozen(parsers)).toBe(true);
  });

  it("findSource finds only the registry's own entries", () => {
    expect(findSource(sources, "iiko")).toBe(sources.iiko);
    expect(findSource(sources, "amocrm")).toBe(sources.amocrm);
    for (const name of ["toString", "__proto__", "constructor", "hasOwnProperty", "IIKO", ""]) {
      expect(findSource(sources, name)).toBeUndefined();
      expect(isSourceName(name)).toBe(false);
    }
    for (const name of [undefined, null, 5, {}, ["iiko"]]) {
      expect(findSource(sources, name)).toBeUndefined();
      expect(isSourceName(name)).toBe(false);
    }
    expect(isSourceName("rkeeper")).toBe(true);
  });

  it("ParserOptions is derived from the registry: one optional key per source, its parser's options", () => {
    expectTypeOf<ParserOptions["iiko"]>().toEqualTypeOf<IikoParseOptions | undefined>();
    expectTypeOf<keyof ParserOptions>().toEqualTypeOf<SourceName>();
  });
});

describe("Source.checkOptions names the full option path", () => {
  const cases: [SourceName, unknown, string][] = [
    [
      "iiko",
      { finalStatuses: { delivery: "Closed" } },
      "[otzovik] Invalid option `parse.iiko.finalStatuses.delivery`: expected array.",
    ],
    [
      "rkeeper",
      { finalStatuses: { ids: ["11"] } },
      "[otzovik] Invalid option `parse.rkeeper.finalStatuses.ids.0`: expected number.",
    ],
    [
      "rkeeper",
      { finalStatuses: { names: "Выполнен" } },
      "[otzovik] Invalid option `parse.rkeeper.finalStatuses.names`: expected array.",
    ],
    [
      "yclients",
      { finalStatuses: [1.5] },
      "[otzovik] Invalid option `parse.yclients.finalStatuses.0`: expected int.",
    ],
    [
      "amocrm",
      { defaultCountry: "QQ" },
      '[otzovik] Invalid option `parse.amocrm.defaultCountry`: must be a supported ISO 3166-1 alpha-2 country code such as "RU".',
    ],
    ["amocrm", 142, "[otzovik] Invalid option `parse.amocrm`: expected object."],
    ["iiko", [], "[otzovik] Invalid option `parse.iiko`: expected object."],
  ];

  it.each(cases)("%s %j", (name, options, message) => {
    const check = () => sources[name].checkOptions(options, `parse.${name}`);
    expect(check).toThrow(ConfigError);
    expect(check).toThrow(message);
    try {
      check();
    } catch (error) {
      expect((error as ConfigError).message).toBe(message);
      expect(error).toMatchObject({ code: "config_invalid", category: "config" });
    }
  });

  it("the path is the caller's (a tenant setting, say)", () => {
    expect(() =>
      sources.iiko.checkOptions({ finalStatuses: { table: [1] } }, "tenant.parse.iiko"),
    ).toThrow("Invalid option `tenant.parse.iiko.finalStatuses.table.0`: expected string.");
  });

  it("accepts no options and valid options", () => {
    for (const name of sourceNames) {
      expect(() => sources[name].checkOptions(undefined, `parse.${name}`)).not.toThrow();
      expect(() => sources[name].checkOptions(null, `parse.${name}`)).not.toThrow();
      expect(() =>
        sources[name].checkOptions({ defaultCountry: "KZ" }, `parse.${name}`),
      ).not.toThrow();
    }
    expect(() =>
      sources.iiko.checkOptions({ finalStatuses: { delivery: ["Closed"] } }, "parse.iiko"),
    ).not.toThrow();
  });

  it("the parsers themselves keep their own message for the same options", () => {
    expect(() => parseIiko("[]", { finalStatuses: { delivery: "Closed" as never } })).toThrow(
      "[otzovik] [iiko] Invalid parser option `finalStatuses.delivery`: expected array.",
    );
  });

  it("createReviewRequester checks `parse` through the registry", () => {
    const { client } = recordingSmsClient();
    const base = {
      keys: "registry-test-key-0123456789",
      business: "B",
      reviewUrl: "https://r.example",
      channels: [{ type: "sms" as const, client }],
    };
    expect(() => createReviewRequester({ ...base, parse: { iiko: [] as never } })).toThrow(
      /^\[otzovik\] Invalid option `parse\.iiko`: expected object\.$/,
    );
    expect(() =>
      createReviewRequester({
        ...base,
        parse: { rkeeper: { finalStatuses: { ids: ["11" as never] } } },
      }),
    ).toThrow(
      /^\[otzovik\] Invalid option `parse\.rkeeper\.finalStatuses\.ids\.0`: expected number\.$/,
    );
    expect(() => createReviewRequester({ ...base, parse: { toString: {} } as never })).toThrow(
      /^\[otzovik\] Invalid option `parse\.toString`: unknown source; use iiko, rkeeper, yclients, amocrm\.$/,
    );
  });
});

describe("amoCRM's phone lookup belongs to its source", () => {
  const lookup = sources.amocrm.lookup!;

  it("only amoCRM has a lookup", () => {
    expect(sources.iiko.lookup).toBeUndefined();
    expect(sources.rkeeper.lookup).toBeUndefined();
    expect(sources.yclients.lookup).toBeUndefined();
    expect(lookup.option).toBe("amocrm");
    expect(lookup.missingClient).toBe(
      "amoCRM webhooks carry no phone: pass `amocrm: createAmocrmClient({ subdomain, accessToken })` to look it up.",
    );
  });

  it("isClient accepts anything with getLeadPhone, the API client included", () => {
    const client = createAmocrmClient({ subdomain: "test", accessToken: "token-0123456789" });
    expect(lookup.isClient(client)).toBe(true);
    expect(lookup.isClient({ getLeadPhone: async () => null })).toBe(true);
    for (const value of [undefined, null, {}, { getLeadPhone: 1 }, "amocrm", () => null]) {
      expect(lookup.isClient(value)).toBe(false);
    }
  });

  it("phone asks the client for the event's lead, naming the webhook's account", async () => {
    const event = parseAmocrm(fixture("amocrm", "lead-status-won-docs.txt")).events[0]!;
    expect(event.lookup).toMatchObject({ kind: "amocrm_lead", leadId: expect.any(String) });
    const calls: unknown[][] = [];
    const client: AmocrmPhoneLookup = {
      async getLeadPhone(...args) {
        calls.push(args);
        return "+79161234567";
      },
    };
    expect(await lookup.phone(event, client)).toBe("+79161234567");
    expect(calls).toEqual([
      [
        event.lookup!.leadId,
        { subdomain: event.lookup!.subdomain, baseUrl: event.lookup!.baseUrl },
      ],
    ]);
    expect(await lookup.phone({ ...event, lookup: null }, client)).toBeNull();
    expect(calls).toHaveLength(1);
  });
});

// A new POS in one file's worth of code: its parser, its options, its source definition.
interface PosterParseOptions {
  readonly defaultCountry?: "RU" | "KZ";
  /** Final `status` values. Default `["closed"]`. */
  readonly finalStatuses?: readonly string[];
}
const posterOptions = optionsResolver(
  "poster",
  z.object({ defaultCountry: countrySchema, finalStatuses: z.optional(z.array(z.string())) }),
  (o) => ({
    country: (o.defaultCountry ?? "RU") as "RU",
    final: new Set(o.finalStatuses ?? ["closed"]),
  }),
);
function parsePoster(body: unknown, options?: PosterParseOptions): ParseResult {
  const o = posterOptions.resolve(options);
  return parseJsonEvents("poster", body, (raw): ParsedEvent => {
    const status = text(own(raw, "status"));
    return decide(
      "poster",
      { type: "transaction", id: text(own(raw, "transaction_id")), status, raw },
      status !== null && o.final.has(status)
        ? null
        : skip("status_not_final", "the transaction is open"),
      own(raw, "client_phone"),
      o.country,
    );
  });
}
const poster = defineSource({
  name: "poster",
  parse: parsePoster,
  checkOptions: posterOptions.check,
});

describe("a source defined outside the registry", () => {
  it("parses its own bodies", () => {
    const result = poster.parse(
      '{"transaction_id": 77, "status": "closed", "client_phone": "8 916 123-45-67"}',
    );
    expect(result).toMatchObject({ shouldSend: true, phone: "+79161234567", reason: null });
    expect(result.events[0]).toMatchObject({ source: "poster", id: "77", status: "closed" });
    expect(
      poster.parse([{ transaction_id: 78, status: "open", client_phone: "+79161234567" }], {
        finalStatuses: ["paid"],
      }),
    ).toMatchObject({ shouldSend: false, reason: "status_not_final" });
    expect(poster.parse("not json")).toMatchObject({ reason: "invalid_payload" });
  });

  it("checks its options like the built-in ones", () => {
    expect(() => poster.checkOptions({ finalStatuses: "closed" }, "parse.poster")).toThrow(
      "[otzovik] Invalid option `parse.poster.finalStatuses`: expected array.",
    );
  });

  it("joins a registry of its own, typed from the definitions", () => {
    const registry = Object.freeze({ ...sources, poster });
    expect(findSource(registry, "poster")).toBe(poster);
    expect(findSource(registry, "iiko")).toBe(sources.iiko);
    expect(findSource(sources, "poster")).toBeUndefined();
    expectTypeOf(poster.name).toEqualTypeOf<"poster">();
    expectTypeOf(poster).toExtend<Source>();
    expectTypeOf<ParserOptionsOf<typeof registry>["poster"]>().toEqualTypeOf<
      PosterParseOptions | undefined
    >();
  });
});
