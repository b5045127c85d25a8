import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonLossless } from "../../src/transport/json.js";

// Issue 9, item 10: the lossless parser is a pre-pass that quotes only unsafe integers and the
// numbers under money keys, then JSON.parse. Seeded properties pin it to JSON.parse.

const MONEY = new Set(["balance", "cost", "total_cost"]);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A JSON text, and the same text with every number that must stay exact quoted. */
interface Doc {
  readonly text: string;
  readonly quoted: string;
}

const space = fc.constantFrom("", " ", "\n", "\t", "\r\n  ");
const same = (text: string): Doc => ({ text, quoted: text });

/** Strings that look like the candidates the pre-pass looks for. */
const trickyString = fc.constantFrom(
  '"cost":1.10',
  'x "cost": 12',
  "12345678901234567890",
  "-98765432109876543210 and 1e400",
  'back\\slash\\"',
  "\\u0063ost",
  "Сообщение доставлено",
  "\u0000\u001f\u2028",
  "",
);

const safeLeaf: fc.Arbitrary<Doc> = fc.oneof(
  fc.oneof(fc.string(), trickyString).map((s) => same(JSON.stringify(s))),
  fc.integer().map((n) => same(String(n))),
  fc.double({ min: -1e15, max: 1e15, noNaN: true }).map((n) => same(JSON.stringify(n))),
  fc
    .constantFrom("true", "false", "null", "0", "-0", "1e21", "-2.5E-7", "0.1234567890123456789")
    .map(same),
  // Long digit runs in a fraction or before an exponent are floats, not integers.
  fc
    .constantFrom("12345678901234567890e2", "1.12345678901234567890", "9.007199254740993E15")
    .map(same),
);

/** Integers around and beyond 2^53: quoted exactly when unsafe. */
const bigInteger: fc.Arbitrary<Doc> = fc
  .oneof(
    fc.bigInt({ min: MAX_SAFE - 5n, max: MAX_SAFE + 5n }),
    fc.bigInt({ min: MAX_SAFE, max: 10n ** 30n }),
  )
  .chain((n) => fc.constantFrom(n, -n))
  .map((n) => {
    const text = n.toString();
    return { text, quoted: n > MAX_SAFE || n < -MAX_SAFE ? `"${text}"` : text };
  });

/** A money amount as SMS.ru writes it: `0.50`, `4122.56`, `-3`, `1e2`. */
const amount = fc
  .tuple(
    fc.boolean(),
    fc.nat({ max: 99999 }),
    fc.option(fc.stringMatching(/^\d{1,3}$/)),
    fc.boolean(),
  )
  .map(([negative, whole, fraction, exponent]) => {
    const text = `${negative ? "-" : ""}${whole}${fraction === null ? "" : `.${fraction}`}${exponent ? "e2" : ""}`;
    return text;
  });

/** A key: money keys (plain, or spelled with escapes when `spelled`), lookalikes, anything. */
const keyOf = (spelled: boolean) =>
  fc.oneof(
    fc
      .constantFrom("balance", "cost", "total_cost")
      .map((k) => ({ literal: `"${k}"`, money: true })),
    fc
      .constantFrom(...(spelled ? ['"c\\u006fst"', '"\\u0062alance"'] : ['"cost"']))
      .map((literal) => ({ literal, money: true })),
    fc
      .oneof(fc.string(), fc.constantFrom('x "cost', "costs", "Cost", "a\\", '"balance"'))
      .map((k) => ({ literal: JSON.stringify(k), money: false })),
  );

const docOf = (spelled: boolean): fc.Arbitrary<Doc> =>
  fc.letrec<{ value: Doc }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      safeLeaf,
      bigInteger,
      fc.array(fc.tuple(space, tie("value"), space), { maxLength: 5 }).map((items) => ({
        text: `[${items.map(([a, v, b]) => a + v.text + b).join(",")}]`,
        quoted: `[${items.map(([a, v, b]) => a + v.quoted + b).join(",")}]`,
      })),
      fc
        .array(
          fc.tuple(
            keyOf(spelled),
            space,
            space,
            fc.oneof(
              tie("value"),
              amount.map((text) => ({ text, quoted: text, amount: true })),
            ),
          ),
          { maxLength: 5 },
        )
        .map((entries) => {
          const part = (quote: boolean) =>
            entries
              .map(([k, a, b, v]) => {
                const isAmount = "amount" in v;
                const value = quote
                  ? k.money && (isAmount || isNumberText(v.text))
                    ? `"${v.text}"`
                    : v.quoted
                  : v.text;
                return `${a}${k.literal}${b}:${a}${value}`;
              })
              .join(",");
          return { text: `{${part(false)}}`, quoted: `{${part(true)}}` };
        }),
    ),
  })).value;

/** Whether a document is a bare number (a money key quotes it however long it is). */
function isNumberText(text: string): boolean {
  return /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text);
}

describe("parseJsonLossless, seeded properties", () => {
  it("equals JSON.parse on JSON without unsafe integers or money keys", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, "\t"), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        fc.pre(!/\d{16}/.test(text) && ![...MONEY].some((k) => text.includes(`"${k}"`)));
        expect(parseJsonLossless(text, MONEY)).toStrictEqual(JSON.parse(text));
      }),
      { seed: 20_260_901, numRuns: 300 },
    );
  }, 20_000);

  it("keeps unsafe integers and every money amount as their exact text, and nothing else", () => {
    fc.assert(
      fc.property(docOf(false), ({ text, quoted }) => {
        // Without `\u` the keys are found by their spelling, not by reading every string.
        fc.pre(!text.includes("\\u"));
        expect(parseJsonLossless(text, MONEY)).toStrictEqual(JSON.parse(quoted));
      }),
      { seed: 20_260_902, numRuns: 400 },
    );
  }, 20_000);

  it("does the same when keys may be spelled with escapes", () => {
    fc.assert(
      fc.property(docOf(true), ({ text, quoted }) => {
        expect(parseJsonLossless(text, MONEY)).toStrictEqual(JSON.parse(quoted));
      }),
      { seed: 20_260_906, numRuns: 300 },
    );
  }, 20_000);

  it("without keys, keeps only unsafe integers as text", () => {
    const exactBigInts = (_key: string, value: unknown) =>
      typeof value === "number" &&
      Number.isInteger(value) &&
      !Number.isSafeInteger(value) &&
      !/e/i.test(String(value))
        ? String(value)
        : value;
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonLossless(text)).toEqual(JSON.parse(text, exactBigInts));
      }),
      { seed: 20_260_903, numRuns: 300 },
    );
  }, 20_000);
});

describe("parseJsonLossless, edge cases", () => {
  it("quotes what is lossy, and only that", () => {
    const text =
      '{"id":9007199254740993,"safe":9007199254740991,"neg":-12345678901234567890,' +
      '"float":12345678901234567890.5,"exp":12345678901234567890e1,"cost":0.50,' +
      '"c\\u006fst":1.10,"x \\"cost":5,"s":"12345678901234567890","list":[18446744073709551615]}';
    expect(parseJsonLossless(text, MONEY)).toStrictEqual({
      id: "9007199254740993",
      safe: 9007199254740991,
      neg: "-12345678901234567890",
      float: Number("12345678901234567890.5"),
      exp: Number("12345678901234567890e1"),
      cost: "1.10",
      'x "cost': 5,
      s: "12345678901234567890",
      list: ["18446744073709551615"],
    });
  });

  it("tells a money key from its lookalike inside another key, without escapes elsewhere", () => {
    const text =
      '{"x \\"cost":5,"cost":1.50,"s":"a \\"cost\\": 7, 12345678901234567890",' +
      '"t":"\\\\","n":[12345678901234567890,"\\"",-98765432109876543210]}';
    expect(parseJsonLossless(text, MONEY)).toStrictEqual({
      'x "cost': 5,
      cost: "1.50",
      s: 'a "cost": 7, 12345678901234567890',
      t: "\\",
      n: ["12345678901234567890", '"', "-98765432109876543210"],
    });
  });

  it("tells unsafe integers by their digits at the 2^53 boundary, signs included", () => {
    expect(
      parseJsonLossless(
        "[9007199254740991,9007199254740992,-9007199254740991,-9007199254740992,1000000000000000,10000000000000000,99999999999999999]",
      ),
    ).toStrictEqual([
      9007199254740991,
      "9007199254740992",
      -9007199254740991,
      "-9007199254740992",
      1000000000000000,
      "10000000000000000",
      "99999999999999999",
    ]);
  });

  it("returns undefined for what JSON.parse refuses, candidates or not", () => {
    for (const text of [
      "",
      "<html>502</html>",
      '{"cost":1.5',
      '{"a":"unterminated 12345678901234567890',
      "[12345678901234567890,]",
      '{"cost":01}',
      "[00012345678901234567]",
      '{"id":-0000000000000000001}',
    ]) {
      expect(parseJsonLossless(text, MONEY)).toBeUndefined();
    }
  });
});
