import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import {
  ConfigError,
  DeliveryUnknownError,
  NetworkError,
  OtzovikError,
  ProviderError,
} from "../../src/core/errors.js";
import { parseOptions } from "../../src/core/options.js";
import { createSmsRuClient } from "../../src/providers/index.js";
import { findErrorCode, isConnectError } from "../../src/transport/http.js";
import { parseJsonLossless } from "../../src/transport/json.js";
import { retryOption, retryPolicy } from "../../src/transport/options.js";
import { redact } from "../../src/transport/redact.js";
import { backoffDelay, parseRetryAfter } from "../../src/transport/retry.js";
import { FAST, SMSRU_KEY } from "../helpers/provider-harness.js";

describe("parseJsonLossless", () => {
  it("keeps integers beyond 2^53 and money fields as exact strings", () => {
    expect(parseJsonLossless('{"message_id":575976245313935471,"n":42}')).toEqual({
      message_id: "575976245313935471",
      n: 42,
    });
    expect(
      parseJsonLossless('{"balance":0.50,"cost":4122.56}', new Set(["balance", "cost"])),
    ).toEqual({ balance: "0.50", cost: "4122.56" });
  });

  it("is not fooled by keys, numbers and escapes inside strings", () => {
    const text =
      '{"a":"\\"balance\\":1.10","balance":[1.5],"b":{"balance":2.25},"c":-12345678901234567890}';
    expect(parseJsonLossless(text, new Set(["balance"]))).toEqual({
      a: '"balance":1.10',
      balance: [1.5],
      b: { balance: "2.25" },
      c: "-12345678901234567890",
    });
  });

  it("returns undefined for non-JSON", () => {
    expect(parseJsonLossless("<html>502</html>")).toBeUndefined();
    expect(parseJsonLossless("")).toBeUndefined();
    expect(parseJsonLossless('{"a":"unterminated')).toBeUndefined();
  });

  it("agrees with JSON.parse on any JSON value, except unsafe integers kept as text", {
    timeout: 60_000,
  }, () => {
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
      { seed: 20_260_904, numRuns: 200 },
    );
  });
});

describe("retry policy", () => {
  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("0")).toBe(0);
    expect(parseRetryAfter("1.5")).toBe(1500);
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon")).toBeNull();
    // Not HTTP dates, though Date.parse reads them as days in 2001 ("retry now").
    for (const junk of ["-1", "+5", "1 2", "3.", " 7 9 "]) expect(parseRetryAfter(junk)).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  it("backs off exponentially, capped, with jitter between half and all of the delay", {
    timeout: 30_000,
  }, () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000, jitter: false };
    expect([0, 1, 2, 3, 4, 40].map((n) => backoffDelay(n, policy))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    fc.assert(
      fc.property(fc.nat(50), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, r) => {
        const full = backoffDelay(n, policy);
        const jittered = backoffDelay(n, { ...policy, jitter: true }, () => r);
        expect(jittered).toBeGreaterThanOrEqual(full / 2);
        expect(jittered).toBeLessThanOrEqual(full);
      }),
      { seed: 20_260_905, numRuns: 200 },
    );
  });

  /** The `retry` option as a client reads it: validated, then turned into a policy. */
  const resolveRetry = (provider: string, value: unknown) =>
    retryPolicy(
      parseOptions(z.object({ retry: retryOption }), { retry: value }, { provider }).retry,
    );

  it("validates retry options with messages naming the option", () => {
    expect(resolveRetry("x", false).retries).toBe(0);
    expect(resolveRetry("x", 4).retries).toBe(4);
    expect(() => resolveRetry("x", -1)).toThrow("`retry`");
    expect(() => resolveRetry("x", 11)).toThrow("`retry`");
    expect(() => resolveRetry("x", { retries: 11 })).toThrow("`retry.retries`");
    expect(() => resolveRetry("x", { baseDelayMs: 500, maxDelayMs: 10 })).toThrow(
      "`retry.maxDelayMs`",
    );
    expect(() => resolveRetry("x", { jitter: "yes" })).toThrow(ConfigError);
  });
});

describe("network failure classification", () => {
  const undiciRefused = new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), {
      code: "ECONNREFUSED",
    }),
  });
  const undiciMultiAddress = new TypeError("fetch failed", {
    cause: Object.assign(
      new AggregateError([Object.assign(new Error("x"), { code: "ENETUNREACH" })]),
      {},
    ),
  });
  const undiciReset = new TypeError("fetch failed", {
    cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
  });

  it("finds codes in undici's cause chain", () => {
    expect(findErrorCode(undiciRefused)).toBe("ECONNREFUSED");
    expect(findErrorCode(undiciMultiAddress)).toBe("ENETUNREACH");
    expect(isConnectError(undiciRefused)).toBe(true);
    expect(isConnectError(undiciMultiAddress)).toBe(true);
    expect(isConnectError(undiciReset)).toBe(false);
    expect(isConnectError(new TypeError("Failed to fetch"))).toBe(false);
  });

  function clientWith(fetch: typeof globalThis.fetch) {
    return createSmsRuClient({ apiKey: SMSRU_KEY, ...FAST, fetch });
  }

  it("retries a real-shaped connection refusal, then reports a NetworkError", async () => {
    let calls = 0;
    const error = await clientWith(async () => {
      calls += 1;
      throw undiciRefused;
    })
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(calls).toBe(3);
    expect((error as Error).cause).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("never retries a send after a socket error or an unexplained fetch failure", async () => {
    for (const failure of [undiciReset, new TypeError("Failed to fetch")]) {
      let calls = 0;
      const error = await clientWith(async () => {
        calls += 1;
        throw failure;
      })
        .sendSms("+79161234567", "hi")
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryUnknownError);
      expect(calls).toBe(1);
    }
  });

  it("keeps the request options (and so the key) out of the error's cause", async () => {
    const error = (await clientWith(async () => {
      throw undiciReset;
    })
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e)) as OtzovikError;
    const cause = error.cause as Record<string, unknown>;
    expect(cause).toBeInstanceOf(Error);
    expect(cause.options).toBeUndefined();
    expect(cause.request).toBeUndefined();
    expect(cause.message).toBe("fetch failed: other side closed");
    expect(cause.code).toBe("UND_ERR_SOCKET");
  });
});

describe("errors and redaction", () => {
  it("ProviderError carries machine fields and derives retryable from category", () => {
    const error = new ProviderError("Slow down.", {
      provider: "resend",
      code: "rate_limit_exceeded",
      category: "retryable",
      httpStatus: 429,
      retryAfterMs: 1000,
    });
    expect(error).toBeInstanceOf(OtzovikError);
    expect(error.message).toBe("[otzovik] [resend] Slow down.");
    expect(error).toMatchObject({ retryable: true, httpStatus: 429, retryAfterMs: 1000 });
    expect(new ProviderError("x", { code: "1", category: "defer" }).retryable).toBe(true);
    expect(new ProviderError("x", { code: "1", category: "config" }).retryable).toBe(false);
    expect(error.name).toBe("ProviderError");
  });

  it("redacts secrets and masks phones", () => {
    expect(redact("key=abcd1234 phone 79161234567", ["abcd1234"], ["79161234567"])).toBe(
      "key=[redacted] phone 7916***4567",
    );
    expect(redact("a b c", ["b"])).toBe("a b c");
  });
});
