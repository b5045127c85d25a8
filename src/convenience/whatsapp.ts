import { ConfigError } from "../core/errors.js";
import { maskPhone } from "../core/phone.js";
import { createExolveClient, type ExolveClientOptions } from "../providers/exolve.js";
import {
  createMetaWhatsappClient,
  type MetaTemplateComponent,
  type MetaWhatsappClientOptions,
} from "../providers/meta-whatsapp.js";
import type { SendResult } from "../providers/types.js";
import { toRecipient } from "../transport/index.js";
import { type DevModeOptions, dryRunResult, logDryRun, missingOf, shouldDryRun } from "./dev.js";
import { readEnv } from "./env.js";

/** The WhatsApp providers {@link sendWhatsapp} can use. */
export type WhatsappProvider = "meta" | "exolve";

/**
 * Config of the WhatsApp convenience functions. Each provider's options default to their
 * environment variables, read at call time: `META_WHATSAPP_ACCESS_TOKEN`,
 * `META_WHATSAPP_PHONE_NUMBER_ID`, `EXOLVE_WHATSAPP_API_KEY`, `EXOLVE_WHATSAPP_SENDER_ID`
 * (and, for Exolve's undocumented WhatsApp method, `EXOLVE_WHATSAPP_PATH`).
 */
export interface WhatsappConfig extends DevModeOptions {
  /** Meta Cloud API options. */
  readonly meta?: Partial<MetaWhatsappClientOptions>;
  /** Exolve options. */
  readonly exolve?: Partial<ExolveClientOptions>;
}

/** Template details for {@link sendWhatsappTemplate}. */
export interface WhatsappTemplateOptions {
  /** Language code of an approved translation (`"ru"`). */
  readonly languageCode: string;
  /** Placeholder values. */
  readonly components?: readonly MetaTemplateComponent[];
}

function metaSettings(config: WhatsappConfig) {
  const accessToken = config.meta?.accessToken ?? readEnv("META_WHATSAPP_ACCESS_TOKEN");
  const phoneNumberId = config.meta?.phoneNumberId ?? readEnv("META_WHATSAPP_PHONE_NUMBER_ID");
  const missing = missingOf({
    META_WHATSAPP_ACCESS_TOKEN: accessToken,
    META_WHATSAPP_PHONE_NUMBER_ID: phoneNumberId,
  });
  return { accessToken, phoneNumberId, missing };
}

function exolveSettings(config: WhatsappConfig) {
  const apiKey = config.exolve?.apiKey ?? readEnv("EXOLVE_WHATSAPP_API_KEY");
  const senderId = config.exolve?.senderId ?? readEnv("EXOLVE_WHATSAPP_SENDER_ID");
  const whatsappPath = config.exolve?.whatsappPath ?? readEnv("EXOLVE_WHATSAPP_PATH");
  const missing = missingOf({
    EXOLVE_WHATSAPP_API_KEY: apiKey,
    EXOLVE_WHATSAPP_SENDER_ID: senderId,
  });
  return { apiKey, senderId, whatsappPath, missing };
}

/** Which WhatsApp providers have their keys set; see {@link isWhatsappConfigured}. */
export interface WhatsappConfigured {
  /** `META_WHATSAPP_ACCESS_TOKEN` and `META_WHATSAPP_PHONE_NUMBER_ID` are set. */
  readonly meta: boolean;
  /** `EXOLVE_WHATSAPP_API_KEY` and `EXOLVE_WHATSAPP_SENDER_ID` are set. */
  readonly exolve: boolean;
}

/**
 * Which WhatsApp providers are configured (environment or `config`).
 *
 * @example
 * const { meta, exolve } = isWhatsappConfigured()
 */
export function isWhatsappConfigured(config: WhatsappConfig = {}): WhatsappConfigured {
  return {
    meta: metaSettings(config).missing.length === 0,
    exolve: exolveSettings(config).missing.length === 0,
  };
}

function dryRun(
  config: WhatsappConfig,
  provider: WhatsappProvider,
  phone: string,
  missing: readonly string[],
  meta: Record<string, unknown>,
): SendResult {
  const country = (provider === "meta" ? config.meta : config.exolve)?.defaultCountry ?? "RU";
  const to = toRecipient(provider, phone, country);
  logDryRun(config.logger, provider, "WhatsApp message", missing, {
    to: maskPhone(to.e164),
    ...meta,
  });
  return dryRunResult(provider, "whatsapp", to.e164);
}

/**
 * Sends a free-form WhatsApp text. Without `provider` it uses Meta when Meta is configured, else
 * Exolve when Exolve is; with neither (dev mode) it logs the message (phone masked) and resolves
 * `{ dryRun: true }`.
 *
 * Meta delivers free-form text only within 24 hours of the customer's last message; to start a
 * conversation (a review request) use {@link sendWhatsappTemplate}.
 *
 * @example
 * await sendWhatsapp("79991234567", "Оставьте отзыв!")
 * await sendWhatsapp("79991234567", "Message", "exolve")
 */
export async function sendWhatsapp(
  phone: string,
  text: string,
  provider?: WhatsappProvider,
  config: WhatsappConfig = {},
): Promise<SendResult> {
  if (provider !== undefined && provider !== "meta" && provider !== "exolve") {
    throw new ConfigError(
      `Unknown WhatsApp provider '${String(provider)}': use "meta" or "exolve".`,
      {
        code: "config_invalid",
      },
    );
  }
  const meta = metaSettings(config);
  const exolve = exolveSettings(config);
  const chosen: WhatsappProvider =
    provider ?? (meta.missing.length === 0 || exolve.missing.length > 0 ? "meta" : "exolve");
  const settings = chosen === "meta" ? meta : exolve;
  if (shouldDryRun(chosen, config.dryRun, settings.missing)) {
    return dryRun(config, chosen, phone, settings.missing, { text });
  }
  if (chosen === "meta") {
    return createMetaWhatsappClient({
      logger: config.logger,
      ...config.meta,
      accessToken: meta.accessToken as string,
      phoneNumberId: meta.phoneNumberId as string,
    }).sendWhatsapp(phone, text);
  }
  return createExolveClient({
    logger: config.logger,
    ...config.exolve,
    apiKey: exolve.apiKey as string,
    senderId: exolve.senderId as string,
    whatsappPath: exolve.whatsappPath,
  }).sendWhatsapp(phone, text);
}

/**
 * Sends an approved WhatsApp template through Meta (the way to start a conversation, e.g. a
 * review request). Without Meta configuration it runs dry (dev mode), unless only Exolve is
 * configured: templates have no documented Exolve method, so that is a {@link ConfigError}
 * rather than a silent dry run.
 *
 * @example
 * await sendWhatsappTemplate("79991234567", "review_request", {
 *   languageCode: "ru",
 *   components: [{ type: "body", parameters: [{ type: "text", text: "Кофейня" }] }],
 * })
 */
export async function sendWhatsappTemplate(
  phone: string,
  name: string,
  options: WhatsappTemplateOptions,
  config: WhatsappConfig = {},
): Promise<SendResult> {
  const meta = metaSettings(config);
  if (
    meta.missing.length > 0 &&
    config.dryRun !== true &&
    exolveSettings(config).missing.length === 0
  ) {
    throw new ConfigError(
      `WhatsApp templates are sent through Meta: set ${meta.missing.join(" and ")}. ` +
        "Exolve publishes no template method.",
      { provider: "meta", code: "config_missing" },
    );
  }
  if (shouldDryRun("meta", config.dryRun, meta.missing)) {
    return dryRun(config, "meta", phone, meta.missing, {
      template: name,
      languageCode: options?.languageCode,
    });
  }
  return createMetaWhatsappClient({
    logger: config.logger,
    ...config.meta,
    accessToken: meta.accessToken as string,
    phoneNumberId: meta.phoneNumberId as string,
  }).sendTemplate(phone, name, options);
}
