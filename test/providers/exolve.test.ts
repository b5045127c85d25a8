import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DeliveryUnknownError, ProviderError } from "../../src/core/errors.js";
import { createExolveClient, EXOLVE_DEFAULT_WHATSAPP_PATH } from "../../src/providers/index.js";
import { createFakeExolve } from "../../src/testing/index.js";
import { EXOLVE_KEY, FAST } from "../helpers/provider-harness.js";

const fake = createFakeExolve({ apiKey: EXOLVE_KEY, retryAfterSeconds: 0 });
const custom = createFakeExolve({
  apiKey: EXOLVE_KEY,
  baseUrl: "https://exolve.test/api",
  whatsappPath: "omni/v2/Send",
});
const server = setupServer(...fake.handlers, ...custom.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  fake.reset();
  custom.reset();
});

const client = (extra: object = {}) =>
  createExolveClient({ apiKey: EXOLVE_KEY, senderId: "79991112233", ...FAST, ...extra });

describe("Exolve specifics", () => {
  it("keeps an unquoted 18-digit message_id exact, as a string", async () => {
    const first = await client().sendSms("+79161234567", "hi");
    const second = await client().sendSms("+79161234567", "hi");
    expect(Number.isSafeInteger(Number("575976245313935471"))).toBe(false);
    expect(first.messageId).toBe("575976245313935471");
    expect(second.messageId).toBe("575976245313935472");
    expect((first.raw as { message_id: unknown }).message_id).toBe("575976245313935471");
  });

  it("reads a quoted message_id too", async () => {
    fake.enqueue("success_quoted");
    expect((await client().sendSms("+79161234567", "hi")).messageId).toBe("575976245313935471");
  });

  it("reads both undocumented error shapes", async () => {
    fake.enqueue("bad_destination", "error_nested");
    const grpc = await client()
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(grpc).toBeInstanceOf(ProviderError);
    expect(grpc).toMatchObject({ code: "3", category: "permanent", httpStatus: 400 });
    expect((grpc as Error).message).toContain("does not match regex pattern");
    const nested = await client()
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(nested).toMatchObject({ code: "http_400", category: "permanent" });
    expect((nested as Error).message).toContain("Number does not exist");
  });

  it("reports a 500 as an unknown outcome, never retried (no idempotency key)", async () => {
    fake.enqueue("server_error");
    const error = await client()
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({ reason: "gateway_error", httpStatus: 500 });
    expect(fake.requests).toHaveLength(1);
  });

  it("keeps an alpha sender name as given", async () => {
    await client({ senderId: "Kofeynya" }).sendSms("+79161234567", "hi");
    expect(fake.requests[0]?.json).toMatchObject({ number: "Kofeynya" });
  });

  it("sends a sender number as 11 digits with the country code, like a recipient", async () => {
    await client({ senderId: "8 (999) 111-22-33" }).sendSms("+79161234567", "hi");
    expect(fake.requests[0]?.json).toMatchObject({ number: "79991112233" });
  });

  it("sends WhatsApp over the configured path and body builder", async () => {
    expect(EXOLVE_DEFAULT_WHATSAPP_PATH).toBe("messaging/v1/SendWhatsApp");
    const result = await client({
      baseUrl: "https://exolve.test/api",
      whatsappPath: "/omni/v2/Send",
      buildWhatsappBody: (m: { sender: string; destination: string; text: string }) => ({
        from: m.sender,
        destination: m.destination,
        channel: "whatsapp",
        content: { text: m.text },
      }),
    }).sendWhatsapp("+79161234567", "hi");
    expect(result).toMatchObject({ provider: "exolve", channel: "whatsapp" });
    expect(custom.requests[0]?.path).toBe("/api/omni/v2/Send");
    expect(custom.requests[0]?.json).toEqual({
      from: "79991112233",
      destination: "79161234567",
      channel: "whatsapp",
      content: { text: "hi" },
    });
  });

  it("validates the WhatsApp options at creation", () => {
    expect(() => client({ whatsappPath: "../x" })).toThrow(
      "[otzovik] [exolve] Option `whatsappPath` must be a plain path such as messaging/v1/SendWhatsApp.",
    );
    expect(() => client({ whatsappPath: 5 })).toThrow("Option `whatsappPath` must be a string.");
    expect(() => client({ buildWhatsappBody: "yes" })).toThrow(
      "[otzovik] [exolve] Option `buildWhatsappBody` must be a function.",
    );
    expect(() => client({ senderId: "  " })).toThrow("Option `senderId` is required.");
  });
});

describe("Exolve: a 5xx on a send (issue 9, item 8)", () => {
  const grpc =
    (status: number, code: number, headers: Record<string, string> = {}) =>
    () =>
      HttpResponse.json({ code, message: "x", details: [] }, { status, headers });

  it("503 UNAVAILABLE without Retry-After is an unknown outcome, never retried", async () => {
    fake.setDefault(grpc(503, 14));
    const error = await client()
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({ reason: "gateway_error", httpStatus: 503, retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it("503 with Retry-After (refused for now) is retried", async () => {
    fake.enqueue(grpc(503, 14, { "retry-after": "0" }));
    await client().sendSms("+79161234567", "hi");
    expect(fake.requests).toHaveLength(2);
  });

  it("a gRPC refusal on a 5xx keeps its category", async () => {
    fake.enqueue(grpc(500, 3));
    const error = await client()
      .sendSms("+79161234567", "hi")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "3", category: "permanent" });
    expect(fake.requests).toHaveLength(1);
  });
});
