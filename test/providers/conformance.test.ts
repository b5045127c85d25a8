import { inspect } from "node:util";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ConfigError,
  DeliveryUnknownError,
  NetworkError,
  OtzovikError,
  ProviderError,
  ValidationError,
} from "../../src/core/errors.js";
import { ALL_SECRETS, allHandlers, drivers, recordingLogger } from "../helpers/provider-harness.js";

const server = setupServer(...allHandlers());
beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  // The "reset" and "refused" scenarios throw system errors on purpose and msw prints them.
  const print = console.error.bind(console);
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    const first = args[0] as { code?: unknown } | string | undefined;
    const expected =
      (typeof first === "object" &&
        (first.code === "ECONNRESET" || first.code === "ECONNREFUSED")) ||
      (typeof first === "string" &&
        first.includes("unhandled exception during the handler lookup"));
    if (!expected) print(...args);
  });
});
afterAll(() => server.close());
beforeEach(() => {
  for (const d of drivers) d.fake.reset();
});
afterEach(() => {
  vi.useRealTimers();
  server.resetHandlers();
});

async function failure(promise: Promise<unknown>): Promise<OtzovikError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OtzovikError);
  return error as OtzovikError;
}

describe.each(drivers)("$name", (d) => {
  const to = d.recipient.input;

  it("sends exactly the documented request and resolves with a string id", async () => {
    const result = await d.send(to);
    expect(result).toMatchObject({
      provider: d.provider,
      channel: d.channel,
      to: d.recipient.result,
      dryRun: false,
    });
    expect(typeof result.messageId).toBe("string");
    expect(result.messageId.length).toBeGreaterThan(0);
    expect(d.fake.requests).toHaveLength(1);
    const [request] = d.fake.requests;
    if (!request) throw new Error("no request");
    d.assertRequest(request);
    expect(d.wireRecipient(request)).toBe(d.recipient.wire);
    expect(d.wireRecipient(request).startsWith("+")).toBe(false);
  });

  it("rejects an invalid recipient before any request", async () => {
    const error = await failure(d.send(d.recipient.invalid));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.retryable).toBe(false);
    expect(d.fake.requests).toHaveLength(0);
  });

  it("reports an auth failure by the provider's code, without retrying", async () => {
    d.fake.enqueue(d.scenarios.auth[0]);
    const error = await failure(d.send(to));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      provider: d.provider,
      code: d.scenarios.auth[1],
      category: "auth",
      retryable: false,
    });
    expect(typeof (error as ProviderError).httpStatus).toBe("number");
    expect(d.fake.requests).toHaveLength(1);
  });

  it("reports a permanent refusal without retrying", async () => {
    d.fake.enqueue(d.scenarios.rejected[0]);
    const error = await failure(d.send(to));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe(d.scenarios.rejected[1]);
    expect(error.retryable).toBe(false);
    expect(d.fake.requests).toHaveLength(1);
  });

  it("retries a rate limit and then succeeds", async () => {
    d.fake.enqueue(d.scenarios.rateLimited[0]);
    const result = await d.send(to);
    expect(result.dryRun).toBe(false);
    expect(d.fake.requests).toHaveLength(2);
  });

  it("retries a temporary provider error and then succeeds", async () => {
    d.fake.enqueue(d.scenarios.unavailable[0]);
    await d.send(to);
    expect(d.fake.requests).toHaveLength(2);
  });

  it("gives up after the retry budget with a retryable ProviderError", async () => {
    d.fake.setDefault(d.scenarios.unavailable[0]);
    const error = await failure(d.send(to));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: d.scenarios.unavailable[1], retryable: true });
    expect((error as ProviderError).category).toBe("retryable");
    expect(d.fake.requests).toHaveLength(3);
  });

  it("honours Retry-After before retrying", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    d.fake.enqueue(
      () =>
        new HttpResponse("<html>slow down</html>", {
          status: 429,
          headers: { "retry-after": "2" },
        }),
    );
    const pending = d.send(to, { retry: { retries: 2, maxDelayMs: 5000 }, timeout: 60_000 });
    await vi.advanceTimersByTimeAsync(1990);
    expect(d.fake.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(20);
    const result = await pending;
    expect(result.dryRun).toBe(false);
    expect(d.fake.requests).toHaveLength(2);
  });

  it("does not wait for a Retry-After beyond maxDelayMs: throws it as retryAfterMs", async () => {
    d.fake.enqueue(
      () => new HttpResponse("busy", { status: 429, headers: { "retry-after": "120" } }),
    );
    const error = await failure(d.send(to));
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 120_000, httpStatus: 429 });
    expect(d.fake.requests).toHaveLength(1);
  });

  it("reads a non-JSON proxy page safely", async () => {
    d.fake.enqueue("non_json");
    if (d.idempotent) {
      await d.send(to);
      expect(d.fake.requests).toHaveLength(2);
    } else {
      const error = await failure(d.send(to));
      expect(error).toBeInstanceOf(DeliveryUnknownError);
      expect(error).toMatchObject({ reason: "gateway_error", httpStatus: 502, retryable: false });
      expect(d.fake.requests).toHaveLength(1);
    }
  });

  it("retries a proxy 429 (the request was turned away)", async () => {
    d.fake.enqueue("proxy_429");
    await d.send(to);
    expect(d.fake.requests).toHaveLength(2);
  });

  it("never repeats a send that timed out unless it is idempotent", async () => {
    d.fake.enqueue("timeout");
    if (d.idempotent) {
      await d.send(to);
      expect(d.fake.requests).toHaveLength(2);
      const keys = d.fake.requests.map((r) => r.headers["idempotency-key"]);
      expect(keys[0]).toBe(keys[1]);
    } else {
      const error = await failure(d.send(to));
      expect(error).toBeInstanceOf(DeliveryUnknownError);
      expect(error).toMatchObject({
        code: "delivery_unknown",
        reason: "timeout",
        retryable: false,
      });
      expect(d.fake.requests).toHaveLength(1);
    }
  });

  it("never repeats a send whose connection was reset unless it is idempotent", async () => {
    d.fake.enqueue("reset");
    if (d.idempotent) {
      await d.send(to);
      expect(d.fake.requests).toHaveLength(2);
    } else {
      const error = await failure(d.send(to));
      expect(error).toBeInstanceOf(DeliveryUnknownError);
      expect(error).toMatchObject({ reason: "connection_lost" });
      expect(d.fake.requests).toHaveLength(1);
    }
  });

  it("retries a refused connection (nothing was sent) and then succeeds", async () => {
    d.fake.enqueue("refused");
    await d.send(to);
    expect(d.fake.requests).toHaveLength(2);
  });

  it("reports a connection that stays refused as a retryable NetworkError", async () => {
    d.fake.setDefault("refused");
    const error = await failure(d.send(to));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "connection_failed", retryable: true });
    expect(d.fake.requests).toHaveLength(3);
  });

  it("treats a success answer without a message id as an unknown outcome", async () => {
    d.fake.enqueue("no_id");
    const error = await failure(d.send(to));
    expect(error).toBeInstanceOf(DeliveryUnknownError);
    expect(error).toMatchObject({ reason: "no_message_id", httpStatus: 200 });
    expect(d.fake.requests).toHaveLength(1);
  });

  it("retries nothing with retry: false", async () => {
    d.fake.enqueue(d.scenarios.unavailable[0]);
    await failure(d.send(to, { retry: false }));
    expect(d.fake.requests).toHaveLength(1);
  });

  it("uses the given fetch implementation and baseUrl", async () => {
    const seen: string[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      seen.push(String(input));
      return globalThis.fetch(input, init);
    };
    await d.send(to, { fetch });
    expect(seen).toHaveLength(1);
    const proxied: string[] = [];
    server.use(
      http.all("https://proxy.example.org/base/*", ({ request }) => {
        proxied.push(request.url);
        return HttpResponse.json({ teapot: true }, { status: 418 });
      }),
    );
    const error = await failure(d.send(to, { baseUrl: "https://proxy.example.org/base" }));
    expect(error).toMatchObject({ code: "http_418", httpStatus: 418, retryable: false });
    expect(proxied).toHaveLength(1);
    expect(proxied[0]?.startsWith("https://proxy.example.org/base/")).toBe(true);
  });

  it.each(d.required)("throws a ConfigError naming a missing '%s'", (option) => {
    expect(() => d.create({ [option]: undefined })).toThrow(ConfigError);
    expect(() => d.create({ [option]: undefined })).toThrow(`\`${option}\``);
  });

  it.each(d.required)("refuses a blank '%s', naming it (blank is missing)", (option) => {
    expect(() => d.create({ [option]: "   " })).toThrow(ConfigError);
    expect(() => d.create({ [option]: "   " })).toThrow(`\`${option}\``);
  });

  it.each(d.required)("never quotes the value of '%s' in its ConfigError", (option) => {
    const marker = "s3cret-VALUE-9f8e";
    for (const value of [`${marker} with spaces`, `${marker}!`, [marker], { marker }]) {
      const error = (() => {
        try {
          d.create({ [option]: value });
        } catch (e) {
          return e;
        }
        return null;
      })();
      if (error === null) continue; // some values are valid for some options (a sender name)
      expect(error).toBeInstanceOf(ConfigError);
      expect(inspect(error, { depth: 10 })).not.toContain(marker);
    }
  });

  it("takes null as an absent optional option", () => {
    for (const option of ["baseUrl", "timeout", "retry", "fetch", "logger", "maskPhonesInLogs"])
      expect(() => d.create({ [option]: null })).not.toThrow();
  });

  it.each([
    ["timeout", -1],
    ["baseUrl", "ftp://example.org"],
    ["retry", "often"],
    ["retry", 11],
    ["fetch", "yes"],
    ["logger", "console"],
    ["maskPhonesInLogs", "no"],
  ])("validates the common option '%s' at creation", (option, value) => {
    expect(() => d.create({ [option]: value })).toThrow(ConfigError);
    expect(() => d.create({ [option]: value })).toThrow(`\`${option}\``);
  });

  it("calls a class-based logger (pino, winston) on its object, and survives one that throws", async () => {
    class ClassLogger {
      readonly lines: string[] = [];
      debug(message: string) {
        this.lines.push(message);
      }
      info(message: string) {
        this.lines.push(message);
      }
      warn(message: string) {
        this.lines.push(message);
      }
      error(message: string) {
        this.lines.push(message);
      }
    }
    const classLogger = new ClassLogger();
    const result = await d.send(to, { logger: classLogger });
    expect(result.dryRun).toBe(false);
    expect(classLogger.lines.some((line) => line.includes("accepted"))).toBe(true);
    const throwing = () => {
      throw new Error("log sink down");
    };
    const logger = { debug: throwing, info: throwing, warn: throwing, error: throwing };
    d.fake.enqueue(d.scenarios.unavailable[0]);
    const again = await d.send(to, { logger });
    expect(again.dryRun).toBe(false);
    // One refused attempt, one retry that was accepted; the logger's failures changed nothing.
    expect(d.fake.requests).toHaveLength(3);
  });

  it("keeps secrets out of URLs, errors and logs, and masks phones in logs", async () => {
    const { logger, lines } = recordingLogger();
    const errors: unknown[] = [];
    const scenarios = [
      ...Object.values(d.scenarios).map(([name]) => name),
      "non_json",
      "timeout",
      "reset",
      "no_id",
      "success",
    ];
    // A hostile proxy that echoes the request, secrets included, in its error page.
    d.fake.enqueue(
      (request) =>
        new HttpResponse(`bad request: ${request.body} ${JSON.stringify(request.headers)}`, {
          status: 400,
        }),
    );
    errors.push(await d.send(to, { logger, retry: false }).catch((e: unknown) => e));
    for (const scenario of scenarios) {
      d.fake.enqueue(scenario);
      errors.push(await d.send(to, { logger, retry: 1 }).catch((e: unknown) => e));
    }
    d.fake.setDefault("refused");
    errors.push(await d.send(to, { logger }).catch((e: unknown) => e));
    errors.push(await d.send("+7 916 abc", { logger }).catch((e: unknown) => e));
    expect(errors.filter((e) => e instanceof OtzovikError).length).toBeGreaterThanOrEqual(5);

    const dumps = errors.map((e) =>
      [
        String(e),
        JSON.stringify(e),
        JSON.stringify((e as ProviderError).details ?? null),
        inspect(e, { depth: 10, showHidden: true }),
      ].join("\n"),
    );
    for (const text of [...dumps, ...lines, ...d.fake.requests.map((r) => r.url.href)]) {
      for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
    }
    for (const line of lines) {
      expect(line).not.toContain("79161234567");
    }
    if (d.channel !== "email") {
      expect(lines.some((line) => line.includes("+7916***4567"))).toBe(true);
    }
  });
});
