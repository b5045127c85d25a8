import { describe, expect, it } from "vitest";
import {
  decodeJsonBody,
  decodeJsonOrFormBody,
  decodeRequestBody,
  MAX_BODY_CHARS,
} from "../../src/core/body.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const FORM = "application/x-www-form-urlencoded";

describe("decodeRequestBody (what the HTTP adapters decode)", () => {
  it("JSON text becomes a value, whatever the content type says", () => {
    expect(decodeRequestBody(bytes(' [{"a":1}] '), "application/json")).toEqual({
      ok: true,
      value: [{ a: 1 }],
    });
    expect(decodeRequestBody(bytes('{"a":1}'), FORM)).toEqual({ ok: true, value: { a: 1 } });
    expect(decodeRequestBody(bytes("42"), null)).toEqual({ ok: true, value: 42 });
  });

  it("a leading byte-order mark is dropped", () => {
    expect(decodeRequestBody(bytes('\uFEFF{"a":1}'), "application/json")).toEqual({
      ok: true,
      value: { a: 1 },
    });
  });

  it("form text is passed on as text for the parser, also under a JSON content type", () => {
    expect(decodeRequestBody(bytes(" a=1&b=2 "), FORM)).toEqual({ ok: true, value: "a=1&b=2" });
    expect(decodeRequestBody(bytes("a=1"), "application/json")).toEqual({
      ok: true,
      value: "a=1",
    });
  });

  it("says why a body cannot be decoded, without quoting it", () => {
    expect(decodeRequestBody(new Uint8Array(0), "application/json")).toEqual({
      ok: false,
      detail: "the body is empty",
    });
    expect(decodeRequestBody(new Uint8Array([0xff, 0x7b]), null)).toEqual({
      ok: false,
      detail: "the body is not valid UTF-8",
    });
    expect(decodeRequestBody(bytes('[{"phone": "+79161234567",'), FORM)).toEqual({
      ok: false,
      detail: "the body is not valid JSON",
    });
    expect(decodeRequestBody(bytes("phone 79161234567"), "text/plain")).toEqual({
      ok: false,
      detail: "the body is neither JSON nor form data",
    });
  });
});

describe("parsers' decoders", () => {
  it("give the same messages as the HTTP adapters", () => {
    const broken = '{"leads": ';
    const adapter = decodeRequestBody(bytes(broken), null);
    expect(decodeJsonBody(broken)).toEqual(adapter);
    expect(decodeJsonOrFormBody(broken)).toEqual(adapter);
    expect(decodeJsonOrFormBody("hello")).toEqual(decodeRequestBody(bytes("hello"), FORM));
  });

  it("accept JSON text and bytes with a byte-order mark, like the adapters", () => {
    expect(decodeJsonBody('\uFEFF{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(decodeJsonOrFormBody(bytes('\uFEFF{"a":1}'))).toEqual({ ok: true, value: { a: 1 } });
  });

  it("accept only objects and arrays, and bodies up to MAX_BODY_CHARS", () => {
    expect(decodeJsonBody("null")).toEqual({
      ok: false,
      detail: "expected a JSON object or array, got null",
    });
    expect(decodeJsonBody(`[${" ".repeat(MAX_BODY_CHARS)}]`)).toEqual({
      ok: false,
      detail: `the body is larger than ${MAX_BODY_CHARS} characters`,
    });
  });
});
