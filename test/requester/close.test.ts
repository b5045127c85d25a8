import { afterEach, describe, expect, it, vi } from "vitest";
import { createReviewRequester } from "../../src/requester/requester.js";
import { fixture } from "../helpers/fixtures.js";
import { gatedSmsClient, recordingSmsClient } from "../helpers/sms-clients.js";

const base = {
  keys: "close-key-0123456789",
  business: "B",
  reviewUrl: "https://r.example",
  quietHours: false as const,
};

/** Starts `close()`, checks it waits until the gated send is let through, and that it went out. */
async function expectCloseToWaitFor(
  r: ReturnType<typeof createReviewRequester>,
  gate: ReturnType<typeof gatedSmsClient>,
) {
  let closed = false;
  const closing = r.close().then((result) => {
    closed = true;
    return result;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(closed).toBe(false);
  gate.open();
  expect(await closing).toEqual({ pending: [] });
  expect(gate.sent).toEqual(["+79161234567"]);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("requester.close()", () => {
  it("waits for sends already accepted before stopping", async () => {
    const gate = gatedSmsClient();
    const r = createReviewRequester({ ...base, channels: [{ type: "sms", client: gate.client }] });
    const accepted = await r.accept("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), {
      key: base.keys,
    });
    expect(accepted.events[0]?.status).toBe("accepted");
    await expectCloseToWaitFor(r, gate);
  });

  it("waits for a scheduled send that is already running", async () => {
    vi.useFakeTimers({
      now: Date.parse("2026-03-14T12:00:00+03:00"),
      toFake: ["Date", "setTimeout", "clearTimeout"],
    });
    const gate = gatedSmsClient();
    const failed: string[] = [];
    const r = createReviewRequester({
      ...base,
      delayMs: 60_000,
      channels: [{ type: "sms", client: gate.client }],
      onFailed: (o) => void failed.push(o.error.code),
    });
    const body = fixture("iiko", "iiko-01-delivery-closed.json");
    const outcome = (await r.handle("iiko", body, { key: base.keys })).outcomes[0];
    expect(outcome).toMatchObject({ status: "scheduled" });
    await vi.advanceTimersByTimeAsync(60_000);
    vi.useRealTimers();
    await expectCloseToWaitFor(r, gate);
    expect(failed).toEqual([]);
  });

  it("gives up waiting after timeoutMs and says so", async () => {
    const { client } = gatedSmsClient();
    const warnings: string[] = [];
    const r = createReviewRequester({
      ...base,
      channels: [{ type: "sms", client }],
      logger: { warn: (m) => warnings.push(m) },
    });
    await r.accept("iiko", fixture("iiko", "iiko-01-delivery-closed.json"), { key: base.keys });
    expect(await r.close({ timeoutMs: 10 })).toEqual({ pending: [] });
    expect(warnings).toContain(
      "closing while 1 accepted webhook(s) were still sending (waited 10 ms)",
    );
  });
});

describe("a tenant with broken settings", () => {
  it("fails with a ConfigError naming the setting, and claims nothing (a fixed tenant then sends)", async () => {
    let message = "Hi {phone}";
    const { client, sent } = recordingSmsClient();
    const r = createReviewRequester({
      resolveTenant: () => ({ id: "t", business: "B", reviewUrl: "https://r.example", message }),
      channels: [{ type: "sms", client }],
      quietHours: false,
      logger: { error: () => {} },
    });
    const body = fixture("iiko", "iiko-01-delivery-closed.json");
    const first = (await r.handle("iiko", body, { key: "k" })).outcomes[0];
    expect(first).toMatchObject({ status: "failed", error: { code: "config_invalid" } });
    expect(first?.status === "failed" && first.error.message).toContain("`tenant.message`");
    message = "{business}: {reviewUrl}";
    expect((await r.handle("iiko", body, { key: "k" })).outcomes[0]).toMatchObject({
      status: "sent",
    });
    expect(sent).toEqual(["+79161234567"]);
  });
});
