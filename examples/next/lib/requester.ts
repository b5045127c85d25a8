// One review requester per server process, configured from the environment. Without provider
// keys it runs in dev mode: nothing is sent, each message is logged with the phone masked.
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

function create(): ReviewRequester {
  const channels: ChannelSpec[] = [];
  const metaToken = env("META_WHATSAPP_ACCESS_TOKEN");
  const metaPhoneId = env("META_WHATSAPP_PHONE_NUMBER_ID");
  if (metaToken && metaPhoneId) {
    const template = env("META_WHATSAPP_TEMPLATE");
    channels.push({
      type: "whatsapp",
      client: createMetaWhatsappClient({ accessToken: metaToken, phoneNumberId: metaPhoneId }),
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
      client: createSmsRuClient({ apiKey: smsKey, sender: env("SMSRU_SENDER") }),
    });
  }

  const devMode = channels.length === 0;
  if (devMode) {
    console.log("otzovik dev mode: no provider keys set, messages are logged, not sent");
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
