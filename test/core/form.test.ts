import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeJsonOrFormBody } from "../../src/core/body.js";
import { decodeForm, splitKey } from "../../src/core/form.js";

describe("decodeForm", () => {
  it("nests bracket keys into null-prototype objects", () => {
    const form = decodeForm(
      "leads[status][0][id]=1&leads[status][0][status_id]=142&account[subdomain]=test",
    );
    expect(JSON.parse(JSON.stringify(form))).toEqual({
      leads: { status: { "0": { id: "1", status_id: "142" } } },
      account: { subdomain: "test" },
    });
    expect(Object.getPrototypeOf(form)).toBeNull();
    expect(Object.getPrototypeOf(form.leads)).toBeNull();
  });

  it("keeps __proto__, constructor and prototype as plain data: no prototype pollution", () => {
    const form = decodeForm(
      "__proto__[polluted]=yes&a[__proto__][polluted]=yes&constructor[prototype][polluted]=yes&a[b]=1",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    expect(Object.keys(form)).toEqual(["__proto__", "a", "constructor"]);
    expect((form.a as Record<string, unknown>).b).toBe("1");
  });

  it("appends on empty brackets and keeps the first value on conflicts", () => {
    expect(JSON.parse(JSON.stringify(decodeForm("a[]=x&a[]=y&b=1&b[c]=2")))).toEqual({
      a: { "0": "x", "1": "y" },
      b: "1",
    });
  });

  it("bounds depth and parameter count", () => {
    expect(splitKey(`a${"[x]".repeat(100)}`, 16)).toHaveLength(17);
    const many = Array.from({ length: 20_000 }, (_, i) => `k${i}=v`).join("&");
    expect(Object.keys(decodeForm(many))).toHaveLength(10_000);
    const appends = Array.from({ length: 10_000 }, () => "a[]=v").join("&");
    expect(Object.keys(decodeForm(appends).a as object)).toHaveLength(10_000);
  });

  it("keeps malformed percent-escapes instead of throwing", () => {
    expect(decodeForm("a=%E0%A4%A&b=%").b).toBe("%");
  });
});

describe("decodeJsonOrFormBody", () => {
  it("sniffs JSON and form text and re-nests flat objects", () => {
    expect(decodeJsonOrFormBody('  {"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    const flat = decodeJsonOrFormBody({ "a[b]": "1" });
    expect(flat.ok && JSON.parse(JSON.stringify(flat.value))).toEqual({ a: { b: "1" } });
    expect(decodeJsonOrFormBody(42)).toEqual({
      ok: false,
      detail: "expected a JSON object or array, got a number",
    });
    expect(decodeJsonOrFormBody("no equals sign")).toEqual({
      ok: false,
      detail: "the body is neither JSON nor form data",
    });
  });

  it("never throws and never pollutes prototypes (property)", { timeout: 60_000 }, () => {
    const segment = fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "0",
      "",
      "a",
      "leads",
      "[",
      "]",
      "%5B",
    );
    const key = fc
      .array(segment, { minLength: 1, maxLength: 6 })
      .map(([head, ...rest]) => `${head}${rest.map((s) => `[${s}]`).join("")}`);
    const body = fc
      .array(fc.tuple(key, fc.string()), { maxLength: 20 })
      .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&"));
    fc.assert(
      fc.property(body, (text) => {
        decodeJsonOrFormBody(text);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { seed: 1, numRuns: 1000 },
    );
  });
});
