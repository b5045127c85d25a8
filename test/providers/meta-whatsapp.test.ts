import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ConfigError,
  DeliveryUnknownError,
  ProviderError,
  ValidationError,
} from "../../src/core/errors.js";
import {
  classifyMetaCode,
  createMetaWhatsappClient,
  META_DEFAULT_GRAPH_VERSION,
} from "../../src/providers/index.js";
import { createFakeMetaWhatsapp } from "../../src/testing/index.js";
import { FAST, META_TOKEN } from "../helpers/provider-harness.js";

const fake = createFakeMetaWhatsapp({ accessToken: META_TOKEN, retryAfterSeconds: 0 });
const server = setupServer(...fake.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => fake.reset());
afterEach(() => vi.useRealTimers());

const base = { accessToken: META_TOKEN, phoneNumberId: "106540352242922" };
const client = (extra: object = {}) => createMetaWhatsappClient({ ...base, ...FAST, ...extra });

describe("Meta WhatsApp specifics", () => {
  it("does not retry 131047 (outside the 24-hour window) and points to templates", async () => {
    fake.enqueue("outside_window");
    const error = await client()
      .sendWhatsapp("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: "131047",
      category: "not_on_channel",
      retryable: false,
      httpStatus: 400,
    });
    expect((error as Error).message).toMatch(/template/i);
    expect(fake.requests).toHaveLength(1);
  });

  it("accepts an async 131047 as a success (the failure arrives by webhook)", async () => {
    fake.enqueue("outside_window_async");
    const result = await client().sendWhatsapp("+79161234567", "hi");
    expect(result.messageId).toMatch(/^wamid\./);
  });

  it.each(["rate_limited", "rate_limited_429"])(
    "retries throughput limit 130429 sent as %s",
    async (scenario) => {
      fake.enqueue(scenario as "rate_limited");
      await client().sendWhatsapp("+79161234567", "hi");
      expect(fake.requests).toHaveLength(2);
    },
  );

  it.each([
    ["pair_rate_limit", 400],
    ["pair_rate_limit_429", 429],
  ] as const)(
    "classifies pair rate limit 131056 by code whether HTTP %s",
    async (scenario, status) => {
      fake.enqueue(scenario);
      // 131056 asks for ≥ 6 s; with maxDelayMs 50 the client hands the wait to the caller.
      const error = await client()
        .sendWhatsapp("+79161234567", "hi")
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "131056",
        category: "retryable",
        retryable: true,
        retryAfterMs: 6000,
        httpStatus: status,
      });
      expect(fake.requests).toHaveLength(1);
    },
  );

  it("waits 6 s after a pair rate limit when maxDelayMs allows it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    fake.enqueue("pair_rate_limit");
    const pending = client({ retry: { maxDelayMs: 10_000 }, timeout: 60_000 }).sendWhatsapp(
      "+79161234567",
      "hi",
    );
    await vi.advanceTimersByTimeAsync(5990);
    expect(fake.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(20);
    await pending;
    expect(fake.requests).toHaveLength(2);
  });

  it.each([
    ["template_params", "132000", "config"],
    ["template_missing", "132001", "config"],
    ["not_allowed", "131030", "config"],
    ["opted_out", "131050", "opted_out"],
    ["undeliverable", "131026", "not_on_channel"],
    ["auth", "190", "auth"],
  ] as const)("%s → code %s, %s, not retried", async (scenario, code, category) => {
    fake.enqueue(scenario);
    const error = await client()
      .sendTemplate("+79161234567", "review_request", { languageCode: "ru" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code, category, retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it("falls back to the HTTP status for unknown codes", () => {
    expect(classifyMetaCode(999999, 500)).toBe("retryable");
    expect(classifyMetaCode(999999, 400)).toBe("permanent");
    expect(classifyMetaCode(250, 403)).toBe("config");
    expect(classifyMetaCode(null, 401)).toBe("auth");
    expect(classifyMetaCode(131047, 429)).toBe("not_on_channel");
  });

  it("classifies the recipient's refusal as opted_out and unreachable numbers as not_on_channel", () => {
    expect(classifyMetaCode(131050, 400)).toBe("opted_out");
    expect(classifyMetaCode(131026, 400)).toBe("not_on_channel");
    expect(classifyMetaCode(131047, 400)).toBe("not_on_channel");
  });

  it("uses a configurable Graph version (default v23.0)", async () => {
    expect(META_DEFAULT_GRAPH_VERSION).toBe("v23.0");
    expect(client().graphVersion).toBe("v23.0");
    await client({ graphVersion: "v25.0" }).sendWhatsapp("+79161234567", "hi");
    expect(fake.requests[0]?.path).toBe("/v25.0/106540352242922/messages");
    expect(() => client({ graphVersion: "23" })).toThrow(ConfigError);
    expect(() => client({ graphVersion: "23" })).toThrow("`graphVersion`");
    expect(() => client({ phoneNumberId: 106540352242922 })).toThrow("`phoneNumberId`");
  });

  it("passes previewUrl, callback data and button index as strings", async () => {
    await client().sendWhatsapp("+79161234567", "see https://x.example", {
      previewUrl: true,
      bizOpaqueCallbackData: "order-42",
    });
    expect(fake.requests[0]?.json).toMatchObject({
      text: { preview_url: true, body: "see https://x.example" },
      biz_opaque_callback_data: "order-42",
    });
    await client().sendTemplate("+79161234567", "review_request", {
      languageCode: "ru",
      components: [
        { type: "button", sub_type: "url", index: 0, parameters: [{ type: "text", text: "r/1" }] },
      ],
    });
    expect(fake.requests[1]?.json).toMatchObject({
      template: { components: [{ type: "button", sub_type: "url", index: "0" }] },
    });
  });

  it("rejects text over 4096 characters and bad template names before sending", async () => {
    await expect(client().sendWhatsapp("+79161234567", "x".repeat(4097))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      client().sendTemplate("+79161234567", "Review Request", { languageCode: "ru" }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      client().sendTemplate("+79161234567", "review_request", { languageCode: "" }),
    ).rejects.toThrow("`languageCode`");
    expect(fake.requests).toHaveLength(0);
  });

  it("refuses a wrong previewUrl as a ValidationError naming it, not a ConfigError", async () => {
    const error = await client()
      .sendWhatsapp("+79161234567", "hi", { previewUrl: "yes" as never })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: "invalid_option" });
    expect((error as Error).message).toContain("`previewUrl` must be true or false");
    expect(fake.requests).toHaveLength(0);
  });

  it("names phoneNumberId and graphVersion in their messages", () => {
    expect(() => client({ phoneNumberId: 106540352242922 })).toThrow(
      "Option `phoneNumberId` must be a string (large ids lose digits as numbers).",
    );
    expect(() => client({ phoneNumberId: "+1 065" })).toThrow(
      "Option `phoneNumberId` must contain digits only (WhatsApp → API Setup).",
    );
    expect(() => client({ graphVersion: "23" })).toThrow(
      'Option `graphVersion` must look like "v23.0".',
    );
    expect(client({ graphVersion: null }).graphVersion).toBe("v23.0");
  });
});

describe("Meta: a 5xx on a send (issue 9, item 8)", () => {
  /** A Graph error answer with `code` and HTTP `status`. */
  const graphError = (status: number, code: number) => () =>
    HttpResponse.json(
      { error: { message: `(#${code}) Something`, type: "OAuthException", code, fbtrace_id: "A" } },
      { status },
    );

  it.each([
    ["an unknown code", 999_999],
    ["1 (API Unknown: possibly a server error)", 1],
  ])("HTTP 500 with %s is an unknown outcome, never retried", async (_what, code) => {
    fake.setDefault(graphError(500, code));
    const error = await client()
      .sendWhatsapp("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({
      code: "delivery_unknown",
      category: "unknown_outcome",
      reason: "gateway_error",
      httpStatus: 500,
      retryable: false,
    });
    expect((error as Error).message).toContain(`HTTP 500, ${code}`);
    expect((error as Error).cause).toMatchObject({ code: String(code), httpStatus: 500 });
    expect(fake.requests).toHaveLength(1);
  });

  it("HTTP 500 with 131000 (documented: message failed to send) is retried", async () => {
    fake.enqueue(graphError(500, 131_000));
    const result = await client().sendWhatsapp("+79161234567", "hi");
    expect(result.messageId).toMatch(/^wamid\./);
    expect(fake.requests).toHaveLength(2);
  });

  it("a documented refusal keeps its category on a 5xx", async () => {
    fake.enqueue(graphError(500, 131_026));
    const error = await client()
      .sendWhatsapp("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "131026", category: "not_on_channel" });
    expect(fake.requests).toHaveLength(1);
  });

  it("an unreadable 5xx is an unknown outcome; a 503 with Retry-After is retried", async () => {
    fake.enqueue(() => new HttpResponse("<html>503</html>", { status: 503 }));
    const error = await client()
      .sendWhatsapp("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "gateway_error", httpStatus: 503 });
    expect(fake.requests).toHaveLength(1);
    fake.reset();
    fake.enqueue(
      () => new HttpResponse("<html>busy</html>", { status: 503, headers: { "retry-after": "0" } }),
    );
    await client().sendWhatsapp("+79161234567", "hi");
    expect(fake.requests).toHaveLength(2);
  });
});
