/**
 * The runtime matrix's status webhook step: each provider's receiver, reached through its client's
 * `statusWebhooks`, reads a webhook signed the provider's way with `otzovik/testing`'s signers
 * (HMAC-SHA256 and SHA-256 through `node:crypto` where the runtime has it, Web Crypto on workerd),
 * and refuses the same webhook with one byte changed. Web APIs only.
 */
import {
  createMetaWhatsappClient,
  createResendClient,
  createSmsRuClient,
} from "../../src/index.js";
import type { StatusReading, StatusRequest } from "../../src/status/types.js";
import { metaStatusPayload, signMetaStatus } from "../../src/testing/status/meta.js";
import { resendEventPayload, signResendEvent } from "../../src/testing/status/resend.js";
import { smsRuCallbackBody } from "../../src/testing/status/sms-ru.js";

const APP_SECRET = "runtime-matrix-meta-app-secret";
const RESEND_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SMS_RU_KEY = "runtime-matrix-smsru-key";

function request(headers: Record<string, string>, body: string, change = false): StatusRequest {
  const bytes = new TextEncoder().encode(body);
  if (change) bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 1;
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: "POST",
    headers: (n) => lower.get(n.toLowerCase()) ?? null,
    query: new URLSearchParams(),
    body: bytes,
  };
}

function summary(reading: StatusReading): string {
  if (reading.ok === true)
    return reading.updates
      .map(
        (u) =>
          `${u.event}:${u.meaning}${u.fallback ? "+fallback" : ""}${u.optOut ? "+optOut" : ""}`,
      )
      .join(",");
  return reading.ok === false ? `refused ${reading.reason} ${reading.answer.status}` : "handshake";
}

/** Reads one signed webhook per provider; returns what each read and the problems found. */
export async function checkStatusWebhooks(): Promise<{
  readings: Record<string, { status: number; body: string }>;
  problems: string[];
}> {
  const problems: string[] = [];
  const readings: Record<string, { status: number; body: string }> = {};
  const expect = async (label: string, pending: Promise<StatusReading>, want: string) => {
    const reading = await pending;
    const got = summary(reading);
    readings[label] = { status: reading.answer.status, body: got };
    if (got !== want) problems.push(`status webhook ${label}: ${got}, want ${want}`);
  };

  const meta = createMetaWhatsappClient({
    accessToken: "token",
    phoneNumberId: "1",
    appSecret: APP_SECRET,
  });
  const metaBody = JSON.stringify(
    metaStatusPayload({
      messageId: "wamid.MATRIX",
      status: "failed",
      errorCode: 131047,
      recipient: "79161234567",
    }),
  );
  const metaHeaders = { "x-hub-signature-256": await signMetaStatus(metaBody, APP_SECRET) };
  await expect(
    "meta",
    meta.statusWebhooks.read(request(metaHeaders, metaBody)),
    "failed:undelivered+fallback",
  );
  await expect(
    "meta (changed)",
    meta.statusWebhooks.read(request(metaHeaders, metaBody, true)),
    "refused bad_signature 401",
  );

  const sms = createSmsRuClient({ apiKey: SMS_RU_KEY, statusCallback: true });
  const smsBody = await smsRuCallbackBody([{ smsId: "000000-000001", status: 104 }], SMS_RU_KEY);
  await expect("sms.ru", sms.statusWebhooks.read(request({}, smsBody)), "104:undelivered+fallback");
  await expect(
    "sms.ru (changed)",
    sms.statusWebhooks.read(request({}, smsBody.replace("104", "103"))),
    "refused bad_signature 401",
  );

  const mail = createResendClient({
    apiKey: "re_1",
    from: "a@example.com",
    webhookSecret: RESEND_SECRET,
  });
  const signed = await signResendEvent(
    resendEventPayload({ type: "email.complained", emailId: "e-1" }),
    RESEND_SECRET,
  );
  await expect(
    "resend",
    mail.statusWebhooks.read(request(signed.headers, signed.body)),
    "email.complained:info+optOut",
  );
  await expect(
    "resend (changed)",
    mail.statusWebhooks.read(request(signed.headers, signed.body, true)),
    "refused bad_signature 401",
  );
  return { readings, problems };
}
