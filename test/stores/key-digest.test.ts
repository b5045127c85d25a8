import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DIGEST_WORDS, keyDigest } from "../../src/stores/key-digest.js";

/** The reference: node:crypto's SHA-256 of the key's UTF-16LE bytes, first 16 bytes as hex. */
function reference(key: string): string {
  return createHash("sha256").update(Buffer.from(key, "utf16le")).digest("hex").slice(0, 32);
}

function digestHex(key: string): string {
  const out = new Uint32Array(DIGEST_WORDS);
  keyDigest(key, out);
  return Array.from(out, (word) => word.toString(16).padStart(8, "0")).join("");
}

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnits = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 200,
});

describe("keyDigest (the memory store's 128-bit key digest)", () => {
  it("is the first 16 bytes of SHA-256 over the key's UTF-16LE bytes", () => {
    expect(digestHex("")).toBe("e3b0c44298fc1c149afbf4c8996fb924");
    expect(digestHex("otzovik:dedupe:default:iiko:order-1")).toBe(
      reference("otzovik:dedupe:default:iiko:order-1"),
    );
  });

  it("matches node:crypto at every padding boundary and for long keys", () => {
    // 27 code units are 54 bytes (one block), 28 are 56 (the length spills into a second block).
    for (let length = 0; length <= 80; length++) {
      expect(digestHex("k".repeat(length))).toBe(reference("k".repeat(length)));
    }
    for (const key of ["ключ-отзыв", "🔑📦", "nul\u0000byte", "k".repeat(10_000)]) {
      expect(digestHex(key)).toBe(reference(key));
    }
  });

  it("matches node:crypto for any string of code units (property)", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(codeUnits, (key) => {
        expect(digestHex(key)).toBe(reference(key));
      }),
      { seed: 21, numRuns: 500 },
    );
  });

  it("keeps lone surrogates apart (UTF-8 would turn both into U+FFFD)", () => {
    expect(digestHex("a\uD800")).not.toBe(digestHex("a\uDBFF"));
    expect(digestHex("a\uD800")).not.toBe(digestHex("a\uFFFD"));
  });
});
