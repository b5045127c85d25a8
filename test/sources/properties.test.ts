import fc from "fast-check";
import { describe, it } from "vitest";
import { parsers, type SourceName } from "../../src/index.js";
import { fixture, fixtureNames } from "../helpers/fixtures.js";
import { expectConsistent } from "./conformance.js";

const sources = Object.keys(parsers) as SourceName[];

type Path = (string | number)[];

/** Every path to a value inside a JSON document. */
function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value))
      paths(child, [...prefix, Array.isArray(value) ? Number(key) : key], out);
  }
  return out;
}

type Mutation = { kind: "set"; value: unknown } | { kind: "delete" } | { kind: "stringify" };

function mutate(doc: unknown, path: Path, mutation: Mutation): unknown {
  if (path.length === 0) return mutation.kind === "set" ? mutation.value : doc;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (mutation.kind === "set") node[last] = mutation.value;
  else if (mutation.kind === "delete") delete node[last];
  else node[last] = JSON.stringify(node[last]) ?? "";
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({
    kind: fc.constant("set" as const),
    value: fc.constantFrom(
      null,
      "",
      "Closed",
      "Delivered",
      "Выполнен",
      11,
      13,
      1,
      142,
      "142",
      true,
      "+79161234567",
      "8 916 123-45-67",
      "2001",
      {},
      [],
    ),
  }),
  fc.constant({ kind: "delete" as const }),
  fc.constant({ kind: "stringify" as const }),
);

/** Real JSON bodies of a source, from the fixtures. */
function jsonFixtures(source: SourceName): unknown[] {
  return fixtureNames(source)
    .filter((name) => name.endsWith(".json") && !name.startsWith("api-v4"))
    .map((name) => JSON.parse(fixture(source, name)));
}

describe.each(sources)("%s parser properties", (source) => {
  const parse = parsers[source];

  it("never throws on arbitrary JSON values, as text or parsed", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expectConsistent(source, parse(value));
        expectConsistent(source, parse(JSON.stringify(value)));
      }),
      { seed: 1, numRuns: 500 },
    );
  });

  it("never throws on arbitrary strings", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.json()), (text) => {
        expectConsistent(source, parse(text));
      }),
      { seed: 2, numRuns: 500 },
    );
  });
});

describe.each(sources.filter((s) => s !== "amocrm"))(
  "%s parser on mutated real payloads",
  (source) => {
    const parse = parsers[source];

    it("never throws, and never sends without a valid phone", { timeout: 120_000 }, () => {
      const docs = jsonFixtures(source);
      const withPaths = docs.map((doc) => ({ doc, paths: paths(doc) }));
      const arbitrary = fc.integer({ min: 0, max: withPaths.length - 1 }).chain((i) => {
        const { doc, paths: all } = withPaths[i]!;
        return fc.tuple(
          fc.constant(doc),
          fc.array(fc.tuple(fc.constantFrom(...all), mutation), { minLength: 1, maxLength: 4 }),
        );
      });
      fc.assert(
        fc.property(arbitrary, ([doc, mutations]) => {
          let current = doc;
          for (const [path, m] of mutations) {
            try {
              current = mutate(current, path, m);
            } catch {
              // The path vanished under an earlier mutation: skip this one.
            }
          }
          expectConsistent(source, parse(current));
          expectConsistent(source, parse(JSON.stringify(current) ?? "null"));
        }),
        { seed: 3, numRuns: 1500 },
      );
    });
  },
);

describe("amoCRM form properties", () => {
  const bodies = fixtureNames("amocrm")
    .filter((name) => name.endsWith(".txt"))
    .map((name) => [...new URLSearchParams(fixture("amocrm", name))]);

  it("never throws on mutated real form bodies (dropped, renamed, re-valued, truncated params)", {
    timeout: 120_000,
  }, () => {
    const edit = fc.oneof(
      fc.record({ op: fc.constant("drop" as const), at: fc.nat() }),
      fc.record({
        op: fc.constant("value" as const),
        at: fc.nat(),
        value: fc.oneof(fc.string(), fc.constantFrom("142", "143", "", "79161234567", "PHONE")),
      }),
      fc.record({
        op: fc.constant("key" as const),
        at: fc.nat(),
        key: fc.oneof(
          fc.string(),
          fc.constantFrom(
            "leads[status][0][status_id]",
            "leads[status][][id]",
            "contacts[update][0][custom_fields][0][code]",
            "__proto__[x]",
            "leads[status][0][main_contact][phone]",
          ),
        ),
      }),
      fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...bodies),
        fc.array(edit, { maxLength: 6 }),
        (entries, edits) => {
          let params = entries.map(([k, v]) => [k, v] as [string, string]);
          for (const e of edits) {
            const i = params.length === 0 ? 0 : e.at % params.length;
            if (e.op === "drop") params.splice(i, 1);
            else if (e.op === "value" && params[i]) params[i] = [params[i][0], e.value];
            else if (e.op === "key" && params[i]) params[i] = [e.key, params[i][1]];
            else if (e.op === "truncate") params = params.slice(0, i);
          }
          const text = new URLSearchParams(params).toString();
          expectConsistent("amocrm", parsers.amocrm(text));
          expectConsistent("amocrm", parsers.amocrm(text.slice(0, Math.floor(text.length / 2))));
        },
      ),
      { seed: 4, numRuns: 1500 },
    );
  });
});
