import { createHash, createHmac } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { keyedHasher } from "../../src/core/secret.js";

describe("keyedHasher", () => {
  it.each([
    ["an ASCII secret", "store-hash-secret-0123456789"],
    ["a non-ASCII secret", "секрет-для-хэшей-телефонов-🔑"],
  ])(
    "is HMAC-SHA-256 of the value under %s, first 128 bits in hex (stable across versions: store keys depend on it)",
    async (_label, secret) => {
      const hash = keyedHasher(secret);
      for (const value of ["+79161234567", "client@example.com", ""]) {
        const expected = createHmac("sha256", secret).update(value).digest("hex").slice(0, 32);
        await expect(hash(value)).resolves.toBe(expected);
      }
    },
  );

  it("reads a secret given as a function once, on the first hash", async () => {
    let reads = 0;
    const hash = keyedHasher(() => {
      reads++;
      return "lazy-secret-0123456789";
    });
    expect(reads).toBe(0);
    const first = await hash("+79161234567");
    await hash("+79161234568");
    expect(reads).toBe(1);
    expect(first).toBe(
      createHmac("sha256", "lazy-secret-0123456789")
        .update("+79161234567")
        .digest("hex")
        .slice(0, 32),
    );
  });
});

describe("byte primitives for webhook signatures", () => {
  const key = Uint8Array.from([0x31, 0xca, 0x90, 0x00, 0xff]);
  const data = Uint8Array.from([0x7b, 0x00, 0xd0, 0x9a, 0xff, 0x7d]);
  const expectedHmac = createHmac("sha256", key).update(data).digest("hex");
  const expectedSha = createHash("sha256").update(data).digest("hex");

  it("computes HMAC-SHA-256 and SHA-256 of raw bytes with node:crypto", async () => {
    const { hmacSha256, sha256Bytes, toHex } = await import("../../src/core/secret.js");
    expect(toHex(await hmacSha256(key, data))).toBe(expectedHmac);
    expect(toHex(await sha256Bytes(data))).toBe(expectedSha);
  });

  it("computes the same with Web Crypto when node:crypto is not there (Workers)", async () => {
    vi.resetModules();
    const spy = vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
    try {
      const { hmacSha256, sha256Bytes, toHex } = await import("../../src/core/secret.js");
      const subtle = vi.spyOn(crypto.subtle, "sign");
      expect(toHex(await hmacSha256(key, data))).toBe(expectedHmac);
      expect(subtle).toHaveBeenCalledTimes(1);
      expect(toHex(await sha256Bytes(data))).toBe(expectedSha);
      subtle.mockRestore();
    } finally {
      spy.mockRestore();
      vi.resetModules();
    }
  });

  it("compares bytes for equality, lengths first", async () => {
    const { bytesEqual } = await import("../../src/core/secret.js");
    expect(bytesEqual(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2, 3]))).toBe(true);
    expect(bytesEqual(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2, 4]))).toBe(false);
    expect(bytesEqual(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2]))).toBe(false);
    expect(bytesEqual(new Uint8Array(), new Uint8Array())).toBe(true);
  });

  it("reads hex and base64 strictly, null for anything else", async () => {
    const { fromBase64, fromHex, toBase64 } = await import("../../src/core/secret.js");
    expect(fromHex("00fFa0")).toEqual(Uint8Array.from([0, 255, 160]));
    for (const bad of ["0", "0g", "zz", " 00"]) expect(fromHex(bad)).toBeNull();
    expect(fromBase64("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toEqual(
      new Uint8Array(Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64")),
    );
    for (const bad of ["", "abc", "ab c", "a===", "ab-_", "Zg=a"])
      expect(fromBase64(bad)).toBeNull();
    expect(toBase64(Uint8Array.from([0xfb, 0xff]))).toBe("+/8=");
  });
});
