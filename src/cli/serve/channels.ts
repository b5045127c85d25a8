import { dryRunResult } from "../../convenience/dev.js";
import type { Logger } from "../../core/logger.js";
import { maskPhone } from "../../core/phone.js";
import { createExolveClient } from "../../providers/exolve.js";
import { createMetaWhatsappClient } from "../../providers/meta-whatsapp.js";
import { createResendClient } from "../../providers/resend.js";
import { createSmsRuClient } from "../../providers/sms-ru.js";
import type { ChannelSpec } from "../../requester/types.js";
import { type Env, envFlag, envValue } from "./env.js";

/** The app secret and verify token of the simulated Meta in dev mode (DEV_WHATSAPP). */
export const DEV_APP_SECRET = "dev-app-secret";
/** See {@link DEV_APP_SECRET}. */
export const DEV_VERIFY_TOKEN = "dev-verify-token";

/** The channels whose provider keys are set, in fallback order: WhatsApp (Meta, Exolve), SMS, email. */
export function providerChannels(env: Env, logger: Logger): ChannelSpec[] {
  const channels: ChannelSpec[] = [];
  const value = (name: string) => envValue(env, name);
  const accessToken = value("META_WHATSAPP_ACCESS_TOKEN");
  const phoneNumberId = value("META_WHATSAPP_PHONE_NUMBER_ID");
  if (accessToken && phoneNumberId) {
    const template = value("META_WHATSAPP_TEMPLATE");
    channels.push({
      type: "whatsapp",
      client: createMetaWhatsappClient({
        accessToken,
        phoneNumberId,
        // Status webhooks: without the app secret they are refused (401), never taken unsigned.
        appSecret: value("META_APP_SECRET"),
        verifyToken: value("META_VERIFY_TOKEN"),
        logger,
      }),
      // Outside the 24-hour window Meta only delivers approved templates.
      ...(template
        ? {
            template: {
              name: template,
              language: value("META_WHATSAPP_TEMPLATE_LANGUAGE") ?? "ru",
              parameters: ["{business}", "{reviewUrl}"],
            },
          }
        : {}),
    });
  }
  const exolveKey = value("EXOLVE_WHATSAPP_API_KEY");
  const exolveSender = value("EXOLVE_WHATSAPP_SENDER_ID");
  if (exolveKey && exolveSender)
    channels.push({
      type: "whatsapp",
      client: createExolveClient({ apiKey: exolveKey, senderId: exolveSender, logger }),
    });
  const smsRuKey = value("SMSRU_API_KEY");
  if (smsRuKey)
    channels.push({
      type: "sms",
      client: createSmsRuClient({
        apiKey: smsRuKey,
        sender: value("SMSRU_SENDER"),
        statusCallback: envFlag(env, "SMSRU_STATUS_CALLBACK"),
        logger,
      }),
    });
  const resendKey = value("RESEND_API_KEY");
  const from = value("RESEND_FROM");
  if (resendKey && from)
    channels.push({
      type: "email",
      client: createResendClient({
        apiKey: resendKey,
        from,
        webhookSecret: value("RESEND_WEBHOOK_SECRET"),
        logger,
      }),
    });
  return channels;
}

/** Prints a dev-mode line (a message that was not sent). */
export type Print = (line: string) => void;

/**
 * Dev mode's channels: with `whatsapp` (DEV_WHATSAPP), WhatsApp first through the real Meta client
 * whose API calls a local function answers as Meta would; then an SMS channel that prints each
 * message, the phone masked, instead of sending it.
 */
export function devChannels(
  env: Env,
  whatsapp: boolean,
  logger: Logger,
  print: Print,
): ChannelSpec[] {
  const channels: ChannelSpec[] = [];
  if (whatsapp) {
    let sent = 0;
    channels.push({
      type: "whatsapp",
      client: createMetaWhatsappClient({
        accessToken: "dev-access-token",
        phoneNumberId: "100000000000000",
        appSecret: envValue(env, "META_APP_SECRET") ?? DEV_APP_SECRET,
        verifyToken: envValue(env, "META_VERIFY_TOKEN") ?? DEV_VERIFY_TOKEN,
        retry: false,
        logger,
        fetch: async (_url, init) => {
          const message = JSON.parse(String(init?.body)) as {
            to: string;
            text?: { body?: string };
          };
          const id = `wamid.DEV-${++sent}`;
          print(
            `dev   WhatsApp to ${maskPhone(`+${message.to}`)} (not sent, simulated Meta) ${id}: ${message.text?.body ?? "(template)"}`,
          );
          return Response.json({
            messaging_product: "whatsapp",
            contacts: [{ input: message.to, wa_id: message.to }],
            messages: [{ id }],
          });
        },
      }),
    });
  }
  channels.push({
    type: "sms",
    client: {
      provider: "sms.ru",
      async sendSms(phone, text) {
        print(`dev   SMS to ${maskPhone(phone)} (not sent, dev mode): ${text}`);
        return dryRunResult("sms.ru", "sms", phone);
      },
    },
  });
  return channels;
}
