import { describe, expect, it } from "vitest";
import { sealer } from "../../src/core/seal.js";

const TEXT = JSON.stringify({ phone: "+79161234567", email: "guest@example.ru", name: "Анна" });

describe("sealer (AES-256-GCM keyed from hashSecret)", () => {
  it("opens what it sealed; the sealed text shows none of it and differs each time", async () => {
    const seal = sealer("hash-secret-0123456789");
    const a = await seal.seal(TEXT);
    const b = await seal.seal(TEXT);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    for (const part of ["9161234567", "guest", "example", "Анна"]) expect(a).not.toContain(part);
    expect(await seal.open(a)).toBe(TEXT);
    expect(await seal.open(b)).toBe(TEXT);
  });

  it("opens nothing sealed under another secret, altered, truncated or not base64url", async () => {
    const sealed = await sealer("hash-secret-0123456789").seal(TEXT);
    expect(await sealer("another-secret-0123456789").open(sealed)).toBeNull();
    const seal = sealer(() => "hash-secret-0123456789");
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === "A" ? "B" : "A"}${sealed.slice(21)}`;
    expect(await seal.open(flipped)).toBeNull();
    expect(await seal.open(sealed.slice(0, 30))).toBeNull();
    expect(await seal.open("")).toBeNull();
    expect(await seal.open("not base64url!")).toBeNull();
    expect(await seal.open(sealed)).toBe(TEXT);
  });
});
