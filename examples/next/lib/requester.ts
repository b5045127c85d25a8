// One review requester per server process, configured from the environment. Without provider
// keys it runs in dev mode: nothing is sent, each message is logged with the phone masked.
// Status webhooks (app/api/status/[provider]/route.ts) are verified with the clients' secrets:
// META_APP_SECRET (and META_VERIFY_TOKEN for Meta's GET check), SMSRU_STATUS_CALLBACK=true (the
// callback is set in SMS.ru; checked with the API key). DEV_WHATSAPP=true in dev mode: WhatsApp
// first through a simulated Meta (printed, not sent), so a fake Meta status can be tried.
import {
  type AmocrmPhoneLookup,
  type ChannelSpec,
  createAmocrmClient,
  createMetaWhatsappClient,
  createReviewRequester,
  createSmsRuClient,
  maskPhone,
  type ReviewRequester,
} from "otzovik";

const env = (name: string): string | undefined => process.env[name]?.trim() || undefined;
const flag = (name: string): boolean => ["true", "1"].includes(env(name)?.toLowerCase() ?? "");

function create(): ReviewRequester {
  const channels: ChannelSpec[] = [];
  const metaToken = env("META_WHATSAPP_ACCESS_TOKEN");
  const metaPhoneId = env("META_WHATSAPP_PHONE_NUMBER_ID");
  if (metaToken && metaPhoneId) {
    const template = env("META_WHATSAPP_TEMPLATE");
    channels.push({
      type: "whatsapp",
      client: createMetaWhatsappClient({
        accessToken: metaToken,
        phoneNumberId: metaPhoneId,
        appSecret: env("META_APP_SECRET"),
        verifyToken: env("META_VERIFY_TOKEN"),
      }),
      ...(template
        ? {
            template: { name: template, language: "ru", parameters: ["{business}", "{reviewUrl}"] },
          }
        : {}),
    });
  }
  const smsKey = env("SMSRU_API_KEY");
  if (smsKey) {
    channels.push({
      type: "sms",
      client: createSmsRuClient({
        apiKey: smsKey,
        sender: env("SMSRU_SENDER"),
        statusCallback: flag("SMSRU_STATUS_CALLBACK"),
      }),
    });
  }

  const devMode = channels.length === 0;
  if (devMode) {
    console.log("otzovik dev mode: no provider keys set, messages are logged, not sent");
    if (flag("DEV_WHATSAPP")) channels.push(simulatedWhatsapp());
    channels.push({
      type: "sms",
      client: {
        provider: "sms.ru",
        async sendSms(phone, text) {
          console.log(`dev   SMS to ${maskPhone(phone)} (not sent, dev mode): ${text}`);
          return {
            provider: "sms.ru",
            channel: "sms",
            messageId: `dev-${crypto.randomUUID()}`,
            to: phone,
            dryRun: true,
          };
        },
      },
    });
  }

  let amocrm: AmocrmPhoneLookup | undefined;
  const amoSubdomain = env("AMOCRM_SUBDOMAIN");
  const amoToken = env("AMOCRM_ACCESS_TOKEN");
  if (amoSubdomain && amoToken) {
    amocrm = createAmocrmClient({ subdomain: amoSubdomain, accessToken: amoToken });
  } else if (devMode) {
    amocrm = {
      async getLeadPhone(leadId) {
        console.log(`demo  amoCRM lookup is a DEMO (AMOCRM_* not set): lead ${leadId}`);
        return "+79001234567";
      },
    };
  }

  const keys = env("WEBHOOK_KEY") ?? (devMode ? "dev-key" : undefined);
  const business = env("BUSINESS_NAME") ?? (devMode ? "Кофейня «Зерно»" : undefined);
  const reviewUrl = env("REVIEW_URL") ?? (devMode ? "https://example.com/review" : undefined);
  if (!keys || !business || !reviewUrl)
    throw new Error("Provider keys are set: set WEBHOOK_KEY, BUSINESS_NAME and REVIEW_URL too.");

  return createReviewRequester({
    keys,
    business,
    reviewUrl,
    channels,
    amocrm,
    // Dev mode sends at once, whatever the time and however often the demo phone is used.
    ...(devMode ? { quietHours: false as const, frequencyCapMs: false as const } : {}),
    logger: { info: console.log, warn: console.warn, error: console.error },
  });
}

// Kept on globalThis so `next dev` reloads reuse one requester (and its dedupe memory).
const global = globalThis as typeof globalThis & { otzovikRequester?: ReviewRequester };
global.otzovikRequester ??= create();
export const requester: ReviewRequester = global.otzovikRequester;

/**
 * DEV_WHATSAPP: the real Meta client, whose API calls a local function answers as Meta would
 * (printed, never sent), with the dev app secret and verify token, so its status webhooks can be
 * tried: `POST /api/status/meta` signed with `dev-app-secret`.
 */
function simulatedWhatsapp(): ChannelSpec {
  let sent = 0;
  return {
    type: "whatsapp",
    client: createMetaWhatsappClient({
      accessToken: "dev-access-token",
      phoneNumberId: "100000000000000",
      appSecret: env("META_APP_SECRET") ?? "dev-app-secret",
      verifyToken: env("META_VERIFY_TOKEN") ?? "dev-verify-token",
      retry: false,
      fetch: async (_url, init) => {
        const message = JSON.parse(String(init?.body)) as { to: string; text?: { body: string } };
        const id = `wamid.DEV-${++sent}`;
        console.log(
          `dev   WhatsApp to ${maskPhone(`+${message.to}`)} (not sent, simulated Meta) ${id}: ${message.text?.body ?? "(template)"}`,
        );
        return Response.json({
          messaging_product: "whatsapp",
          contacts: [{ input: message.to, wa_id: message.to }],
          messages: [{ id }],
        });
      },
    }),
  };
}
