import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
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
