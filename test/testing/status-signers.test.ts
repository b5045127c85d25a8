/**
 * otzovik/testing's status webhook signers, checked against values computed independently: HMACs
 * and hashes by node:crypto here, and the published Standard Webhooks test vector.
 */
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  metaStatusPayload,
  resendEventPayload,
  signMetaStatus,
  signResendEvent,
  smsRuCallbackBody,
} from "../../src/testing/index.js";

describe("signMetaStatus", () => {
  it("is sha256= and the hex HMAC-SHA256 of the exact body under the app secret", async () => {
    const body = '{"object":"whatsapp_business_account","entry":[]}';
    const expected = `sha256=${createHmac("sha256", "app-secret-1").update(body).digest("hex")}`;
    await expect(signMetaStatus(body, "app-secret-1")).resolves.toBe(expected);
    await expect(signMetaStatus(new TextEncoder().encode(body), "app-secret-1")).resolves.toBe(
      expected,
    );
  });

  it("signs bytes as they are, non-ASCII included", async () => {
    const bytes = Uint8Array.from([0xd0, 0x9a, 0x00, 0xff]);
    await expect(signMetaStatus(bytes, "секрет")).resolves.toBe(
      `sha256=${createHmac("sha256", Buffer.from("секрет")).update(bytes).digest("hex")}`,
    );
  });

  it("refuses an empty app secret", async () => {
    await expect(signMetaStatus("{}", "")).rejects.toThrow(TypeError);
  });
});

describe("metaStatusPayload", () => {
  it("builds the documented shape of an asynchronous 131047 failure", () => {
    const payload = metaStatusPayload({
      messageId: "wamid.TEST_OUT_0002",
      status: "failed",
      errorCode: 131047,
      recipient: "+1 555 000-2222",
      phoneNumberId: "200000000000002",
      businessAccountId: "100000000000001",
      timestamp: 1_790_503_200,
    });
    expect(payload).toEqual({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "100000000000001",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: {
                  display_phone_number: "15550001111",
                  phone_number_id: "200000000000002",
                },
                statuses: [
                  {
                    id: "wamid.TEST_OUT_0002",
                    status: "failed",
                    timestamp: "1790503200",
                    recipient_id: "15550002222",
                    errors: [
                      {
                        code: 131047,
                        title: "Re-engagement message",
                        message: "Re-engagement message",
                        error_data: {
                          details:
                            "More than 24 hours have passed since the recipient last replied to the sender number.",
                        },
                        href: "/documentation/business-messaging/whatsapp/support/error-codes",
                      },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
    });
  });

  it("gives a sent status its conversation and pricing, and no errors", () => {
    const payload = metaStatusPayload({
      messageId: "wamid.A",
      status: "sent",
      recipient: "79161234567",
      timestamp: 100,
    });
    const status = (
      payload.entry[0] as { changes: { value: { statuses: Record<string, unknown>[] } }[] }
    ).changes[0]?.value.statuses[0];
    expect(status).toMatchObject({
      status: "sent",
      conversation: { expiration_timestamp: "86500", origin: { type: "utility" } },
      pricing: { billable: true, category: "utility" },
    });
    expect(status).not.toHaveProperty("errors");
  });
});

describe("signResendEvent", () => {
  it("reproduces the Standard Webhooks test vector", async () => {
    // standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works".
    const signed = await signResendEvent(
      '{"test": 2432232314}',
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      {
        id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp: new Date(1_614_265_330 * 1000),
      },
    );
    expect(signed).toEqual({
      body: '{"test": 2432232314}',
      headers: {
        "svix-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "svix-timestamp": "1614265330",
        "svix-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "content-type": "application/json",
      },
    });
  });

  it("stringifies an event, and makes a fresh msg_ id and the current time by default", async () => {
    const before = Math.floor(Date.now() / 1000);
    const event = resendEventPayload({ type: "email.delivered", emailId: "e-1" });
    const signed = await signResendEvent(event, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(signed.body).toBe(JSON.stringify(event));
    expect(signed.headers["svix-id"]).toMatch(/^msg_[0-9A-Za-z]{24}$/);
    const ts = Number(signed.headers["svix-timestamp"]);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(before + 5);
    const key = Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64");
    const mac = createHmac("sha256", key)
      .update(`${signed.headers["svix-id"]}.${ts}.${signed.body}`)
      .digest("base64");
    expect(signed.headers["svix-signature"]).toBe(`v1,${mac}`);
  });

  it("refuses a secret that is not whsec_ base64", async () => {
    await expect(signResendEvent("{}", "not a secret")).rejects.toThrow(TypeError);
  });
});

describe("resendEventPayload", () => {
  it("builds a bounce like Resend's, permanent unless told otherwise", () => {
    const at = new Date("2026-03-01T12:00:00.000Z");
    expect(
      resendEventPayload({
        type: "email.bounced",
        emailId: "e-9",
        to: "anna@mail.ru",
        createdAt: at,
      }),
    ).toEqual({
      type: "email.bounced",
      created_at: "2026-03-01T12:00:00.000Z",
      data: {
        created_at: "2026-03-01T12:00:00.000Z",
        email_id: "e-9",
        from: "Acme <onboarding@resend.dev>",
        to: ["anna@mail.ru"],
        subject: "Оцените визит",
        bounce: {
          message:
            "The recipient's email provider sent a hard bounce message, but didn't specify the reason for the hard bounce.",
          subType: "General",
          type: "Permanent",
        },
      },
    });
  });
});

describe("smsRuCallbackBody", () => {
  it("is data[N] entries of lines and hash = hex sha256(api_id + entries)", async () => {
    const body = await smsRuCallbackBody(
      [
        { smsId: "000000-000001", status: 103, at: 1_790_503_200 },
        "callcheck_status\n201737-542\n401\n1790503300",
      ],
      "api-id-1",
    );
    const entries = [
      "sms_status\n000000-000001\n103\n1790503200",
      "callcheck_status\n201737-542\n401\n1790503300",
    ];
    const form = new URLSearchParams(body);
    expect([...form.keys()]).toEqual(["data[0]", "data[1]", "hash"]);
    expect(form.getAll("data[0]")).toEqual([entries[0]]);
    expect(form.getAll("data[1]")).toEqual([entries[1]]);
    expect(form.get("hash")).toBe(
      createHash("sha256")
        .update(`api-id-1${entries.join("")}`)
        .digest("hex"),
    );
  });
});
