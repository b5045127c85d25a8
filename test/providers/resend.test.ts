import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DeliveryUnknownError, ProviderError, ValidationError } from "../../src/core/errors.js";
import { classifyResendName, createResendClient } from "../../src/providers/index.js";
import { createFakeResend } from "../../src/testing/index.js";
import { FAST, RESEND_KEY } from "../helpers/provider-harness.js";

const fake = createFakeResend({ apiKey: RESEND_KEY, retryAfterSeconds: 0 });
const server = setupServer(...fake.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => fake.reset());

const client = (extra: object = {}) =>
  createResendClient({ apiKey: RESEND_KEY, from: "hi@kofe.example.org", ...FAST, ...extra });
const email = { to: "anna@mail.example.org", subject: "Оцените визит", html: "<p>Спасибо</p>" };

describe("Resend specifics", () => {
  it("sends snake_case fields: text, reply_to, cc, bcc, tags, headers", async () => {
    await client({ userAgent: "my-app/1.0" }).sendEmail({
      ...email,
      to: ["anna@mail.example.org", "Boris <boris@mail.example.org>"],
      text: "Спасибо",
      replyTo: "support@kofe.example.org",
      cc: "cc@kofe.example.org",
      bcc: ["audit@kofe.example.org"],
      tags: [{ name: "kind", value: "review_request" }],
      headers: { "X-Entity-Ref-ID": "order-42" },
      idempotencyKey: "review-request/42",
    });
    const [request] = fake.requests;
    expect(request?.headers["idempotency-key"]).toBe("review-request/42");
    expect(request?.headers["user-agent"]).toBe("my-app/1.0");
    expect(request?.json).toEqual({
      from: "hi@kofe.example.org",
      to: ["anna@mail.example.org", "Boris <boris@mail.example.org>"],
      subject: "Оцените визит",
      html: "<p>Спасибо</p>",
      text: "Спасибо",
      reply_to: "support@kofe.example.org",
      cc: ["cc@kofe.example.org"],
      bcc: ["audit@kofe.example.org"],
      tags: [{ name: "kind", value: "review_request" }],
      headers: { "X-Entity-Ref-ID": "order-42" },
    });
  });

  it("returns the same id for a repeated idempotency key and refuses a changed body", async () => {
    const first = await client().sendEmail({ ...email, idempotencyKey: "review-request/7" });
    const again = await client().sendEmail({ ...email, idempotencyKey: "review-request/7" });
    expect(again.messageId).toBe(first.messageId);
    const changed = await client()
      .sendEmail({ ...email, subject: "Другая тема", idempotencyKey: "review-request/7" })
      .catch((e: unknown) => e);
    expect(changed).toMatchObject({
      code: "invalid_idempotent_request",
      httpStatus: 409,
      category: "permanent",
    });
  });

  it("retries concurrent_idempotent_requests with the same key", async () => {
    fake.enqueue("concurrent_idempotent");
    await client().sendEmail({ ...email, idempotencyKey: "k1" });
    expect(fake.requests.map((r) => r.headers["idempotency-key"])).toEqual(["k1", "k1"]);
  });

  it("retries 429 rate_limit_exceeded honouring retry-after, then gives up retryable", async () => {
    fake.setDefault("rate_limited");
    const error = await client()
      .sendEmail(email)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: "rate_limit_exceeded",
      httpStatus: 429,
      retryable: true,
      retryAfterMs: 0,
    });
    expect(fake.requests).toHaveLength(3);
  });

  it("reads retry-after from a JSON rate_limit_exceeded answer", async () => {
    fake.enqueue(() =>
      HttpResponse.json(
        { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests." },
        { status: 429, headers: { "retry-after": "7", "ratelimit-reset": "3" } },
      ),
    );
    // 7 s is beyond maxDelayMs (50 ms here), so the client hands the wait to the caller.
    const error = await client()
      .sendEmail(email)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "rate_limit_exceeded", retryAfterMs: 7000 });
    expect(fake.requests).toHaveLength(1);
  });

  it("treats quota 429s as defer, not retried now", async () => {
    fake.enqueue("daily_quota");
    const error = await client()
      .sendEmail(email)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "daily_quota_exceeded",
      category: "defer",
      retryable: true,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("maps an unverified domain (403 validation_error) to config", async () => {
    fake.enqueue("unverified_domain");
    const error = await client()
      .sendEmail(email)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "validation_error", category: "config", httpStatus: 403 });
    expect(classifyResendName("validation_error", 422)).toBe("permanent");
    expect(classifyResendName("something_new", 503)).toBe("retryable");
  });

  it("gets 422 for @example.com recipients, as Resend does", async () => {
    const error = await client()
      .sendEmail({ ...email, to: "user@example.com" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "validation_error", httpStatus: 422 });
  });

  it("requires a User-Agent, like Resend", async () => {
    const response = await fetch("https://api.resend.com/emails", {
      method: "POST",
      headers: { authorization: `Bearer ${RESEND_KEY}`, "user-agent": "" },
      body: "{}",
    });
    expect(response.status).toBe(403);
  });

  it("validates the message before sending", async () => {
    const bad = [
      { ...email, html: undefined },
      { ...email, subject: " " },
      { ...email, to: [] },
      { ...email, tags: [{ name: "тип", value: "x" }] },
      { ...email, idempotencyKey: "x".repeat(257) },
    ];
    for (const message of bad) {
      await expect(client().sendEmail(message)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(fake.requests).toHaveLength(0);
    expect(() => createResendClient({ apiKey: RESEND_KEY, from: "nobody" })).toThrow("`from`");
  });

  it("refuses a wrong message field as a ValidationError naming it, not a ConfigError", async () => {
    for (const field of ["html", "text", "from"]) {
      const error = await client()
        .sendEmail({ ...email, [field]: 5 } as never)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: "invalid_option" });
      expect((error as Error).message).toContain(`\`${field}\` must be a string`);
    }
    expect(fake.requests).toHaveLength(0);
  });
});

describe("Resend: sends whose outcome is unknown (issue 9, items 7 and 8)", () => {
  const keys = () => fake.requests.map((r) => r.headers["idempotency-key"]);

  it("a timeout on every attempt: same key each time, then an unknown outcome", async () => {
    fake.setDefault("timeout");
    const error = await client()
      .sendEmail({ ...email, idempotencyKey: "review-request/42" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({
      code: "delivery_unknown",
      category: "unknown_outcome",
      reason: "timeout",
      retryable: false,
    });
    expect((error as Error).message).toContain("same idempotency key");
    expect((error as Error).message).toContain("do not send it on another channel");
    expect(keys()).toEqual(["review-request/42", "review-request/42", "review-request/42"]);
  });

  it("a connection reset on every attempt: connection_lost, same generated key", async () => {
    fake.setDefault("reset");
    const error = await client()
      .sendEmail(email)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ category: "unknown_outcome", reason: "connection_lost" });
    expect(fake.requests).toHaveLength(3);
    expect(new Set(keys()).size).toBe(1);
  });

  it("a timeout followed by answers that say nothing about it stays unknown", async () => {
    fake.enqueue("timeout", "refused", "rate_limited");
    const error = await client()
      .sendEmail(email)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ category: "unknown_outcome", reason: "timeout" });
  });

  it("a timeout followed by a refusal of the same request is that refusal", async () => {
    fake.enqueue("timeout", "validation_error");
    const error = await client()
      .sendEmail(email)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "validation_error", category: "permanent" });
  });

  it("500 application_error is retried with the same key, then an unknown outcome", async () => {
    fake.setDefault("server_error");
    const error = await client()
      .sendEmail({ ...email, idempotencyKey: "k9" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({ reason: "gateway_error", httpStatus: 500 });
    expect(keys()).toEqual(["k9", "k9", "k9"]);
  });

  it("500 then success: the email went out once", async () => {
    fake.enqueue("server_error");
    await client().sendEmail(email);
    expect(fake.requests).toHaveLength(2);
  });

  it("503 service_unavailable (documented: not taken) stays retryable", async () => {
    fake.setDefault("unavailable");
    const error = await client()
      .sendEmail(email)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "service_unavailable", category: "retryable" });
    expect(fake.requests).toHaveLength(3);
  });
});
