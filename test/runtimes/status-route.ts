/**
 * The runtime matrix's status route step: `createFetchStatusHandler` on each runtime, over a
 * requester whose WhatsApp (Meta) and SMS (SMS.ru) clients talk to fake `fetch` functions. A
 * WhatsApp is sent; Meta's GET check is answered; a forged status gets 401; the signed 131047
 * status gets 200 and its one SMS fallback runs in `ctx.waitUntil`; a copy sends nothing more.
 * Web APIs only.
 */
import { createFetchStatusHandler } from "../../src/adapters/fetch.js";
import {
  createMetaWhatsappClient,
  createReviewRequester,
  createSmsRuClient,
} from "../../src/index.js";
import { metaStatusPayload, signMetaStatus } from "../../src/testing/status/meta.js";

const APP_SECRET = "runtime-matrix-route-app-secret";
const VERIFY_TOKEN = "runtime-matrix-verify";
const SMS_RU_KEY = "runtime-matrix-route-smsru-key";
const ORIGIN = "https://otzovik.test";

/** Runs the status route step; returns each answer and the problems found. */
export async function checkStatusRoute(): Promise<{
  readings: Record<string, { status: number; body: string }>;
  problems: string[];
}> {
  const problems: string[] = [];
  const readings: Record<string, { status: number; body: string }> = {};
  const sms: string[] = [];
  const whatsapp = createMetaWhatsappClient({
    accessToken: "token",
    phoneNumberId: "1",
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    retry: false,
    fetch: (async () =>
      Response.json({
        messaging_product: "whatsapp",
        contacts: [{ input: "79161234567", wa_id: "79161234567" }],
        messages: [{ id: "wamid.ROUTE-1" }],
      })) as typeof fetch,
  });
  const smsRu = createSmsRuClient({
    apiKey: SMS_RU_KEY,
    retry: false,
    fetch: (async (_input: RequestInfo | URL, init?: RequestInit) => {
      const to = new URLSearchParams(String(init?.body)).get("to") ?? "";
      sms.push(to);
      return new Response(
        `{"status":"OK","status_code":100,"sms":{${JSON.stringify(to)}:{"status":"OK","status_code":100,"sms_id":"000000-2000000${sms.length}"}},"balance":1}`,
        { headers: { "content-type": "application/json" } },
      );
    }) as typeof fetch,
  });
  const requester = createReviewRequester({
    keys: "runtime-matrix-route-key",
    business: "Кофейня «Зерно»",
    reviewUrl: "https://example.com/review/zerno",
    channels: [
      { type: "whatsapp", client: whatsapp },
      { type: "sms", client: smsRu },
    ],
    quietHours: false,
    logger: {},
  });
  try {
    const sent = await requester.request({ phone: "+79161234567", orderId: "ROUTE-1" });
    const first = sent.outcomes[0];
    if (first?.status !== "sent" || first.channel !== "whatsapp")
      problems.push(`status route: the WhatsApp send: ${JSON.stringify(first)}`);

    const waited: Promise<unknown>[] = [];
    const handler = createFetchStatusHandler(requester);
    const context = { waitUntil: (promise: Promise<unknown>) => waited.push(promise) };
    const call = async (label: string, request: Request, want: number, wantBody?: string) => {
      const response = await handler(request, context);
      const body = await response.text();
      readings[label] = { status: response.status, body };
      if (response.status !== want || (wantBody !== undefined && body !== wantBody))
        problems.push(`status route ${label}: HTTP ${response.status} ${body}, want ${want}`);
    };

    await call(
      "meta GET check",
      new Request(
        `${ORIGIN}/api/status/meta?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=4242`,
      ),
      200,
      "4242",
    );
    const body = JSON.stringify(
      metaStatusPayload({
        messageId: "wamid.ROUTE-1",
        status: "failed",
        errorCode: 131047,
        recipient: "79161234567",
      }),
    );
    const post = async (secret: string) =>
      new Request(`${ORIGIN}/api/status/whatsapp`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-hub-signature-256": await signMetaStatus(body, secret),
        },
        body,
      });
    await call("meta forged", await post("not-the-secret"), 401);
    await call("meta 131047", await post(APP_SECRET), 200);
    await call("meta 131047 (copy)", await post(APP_SECRET), 200);
    await Promise.all(waited);
    if (sms.length !== 1 || sms[0] !== "79161234567")
      problems.push(`status route: SMS fallbacks ${JSON.stringify(sms)}, want one to 79161234567`);
    await call("unknown provider", new Request(`${ORIGIN}/api/status/exolve`), 404);
  } finally {
    await requester.close();
  }
  return { readings, problems };
}
