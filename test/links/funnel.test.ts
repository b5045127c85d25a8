/**
 * Issue 14's funnel with delivery reports: a status webhook's `delivered` counts once in
 * `stats().delivered` (a copy of the webhook does not count again), and a fallback after
 * `undelivered` sends the same short link on the next channel, whose click reports that channel.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SendResult, WhatsappSender } from "../../src/providers/types.js";
import type { ReviewRequester } from "../../src/requester/types.js";
import type {
  StatusReading,
  StatusRequest,
  StatusUpdate,
  StatusWebhooks,
} from "../../src/status/types.js";
import { IPHONE, linksRequester, NOON, PHONE, textSms, tokenOf } from "./world.js";

/** A WhatsApp client of the user's own whose status webhooks are `{ statuses }` JSON. */
function myWhatsapp() {
  const sent: { to: string; text: string }[] = [];
  const statusWebhooks: StatusWebhooks = {
    provider: "my-wa",
    configured: true,
    async read(request: StatusRequest): Promise<StatusReading> {
      const body = JSON.parse(new TextDecoder().decode(request.body)) as {
        statuses: Partial<StatusUpdate>[];
      };
      return {
        ok: true,
        deliveryId: null,
        answer: { status: 200, contentType: "text/plain", body: "ok" },
        updates: body.statuses.map((s) => ({
          provider: "my-wa",
          messageId: s.messageId ?? "",
          event: s.event ?? "delivered",
          meaning: s.meaning ?? "delivered",
          fallback: s.fallback ?? false,
          optOut: false,
          code: s.code ?? null,
          detail: null,
          at: null,
          recipient: null,
        })),
      };
    },
  };
  const client: WhatsappSender & { statusWebhooks: StatusWebhooks } = {
    provider: "my-wa",
    statusWebhooks,
    async sendWhatsapp(to, text): Promise<SendResult> {
      sent.push({ to, text });
      return {
        provider: "my-wa",
        channel: "whatsapp",
        messageId: `wamid.${sent.length}`,
        to,
        dryRun: false,
      };
    },
  };
  return { client, sent };
}

function status(statuses: Partial<StatusUpdate>[]): StatusRequest {
  return {
    method: "POST",
    headers: () => null,
    query: new URLSearchParams(),
    body: new TextEncoder().encode(JSON.stringify({ statuses })),
  };
}

const open: ReviewRequester[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close({ timeoutMs: 1_000 })));
});

function world() {
  const wa = myWhatsapp();
  const sms = textSms();
  const made = linksRequester({
    extra: {
      channels: [
        { type: "whatsapp", client: wa.client },
        { type: "sms", client: sms.client },
      ],
      logger: { info: () => {}, warn: () => {}, debug: () => {} },
    },
  });
  open.push(made.requester);
  return { ...made, wa, sms };
}

describe("funnel with delivery reports", () => {
  it("counts a delivered status once in stats().delivered, whatever the copies", async () => {
    const { requester, wa } = world();
    await requester.request({ phone: PHONE, orderId: "A-1" });
    await requester.request({ phone: "+79161234568", orderId: "A-2" });
    expect(wa.sent).toHaveLength(2);
    const delivered = status([{ messageId: "wamid.1" }]);
    for (let i = 0; i < 3; i++) await (await requester.handleStatus("my-wa", delivered)).done;
    await expect(requester.stats({ since: NOON })).resolves.toEqual({
      tenantId: "default",
      since: "2026-03-14T00:00:00.000Z",
      days: 1,
      sent: 2,
      delivered: 1,
      clicked: 0,
      clicks: 0,
    });
  });

  it("sends the same link on the fallback channel; its click names that channel", async () => {
    const { requester, wa, sms, reports } = world();
    await requester.request({ phone: PHONE, orderId: "A-1" });
    const token = tokenOf(wa.sent[0]?.text as string);
    const handled = await requester.handleStatus(
      "my-wa",
      status([
        {
          messageId: "wamid.1",
          event: "failed",
          meaning: "undelivered",
          fallback: true,
          code: "131047",
        },
      ]),
    );
    await handled.done;
    expect(sms.sent.map((s) => tokenOf(s.text))).toEqual([token]);
    const link = await requester.followLink(token, { method: "GET", userAgent: IPHONE });
    if (!link.found) throw new Error("not found");
    await link.done;
    expect(reports.clicked.map((c) => c.channel)).toEqual(["sms"]);
    await expect(requester.stats({ since: NOON })).resolves.toMatchObject({
      sent: 2,
      delivered: 0,
      clicked: 1,
    });
  });
});
