import { maskPhone } from "../core/phone.js";
import {
  createSmsRuClient,
  type SmsBalance,
  type SmsRuClientOptions,
  type SmsRuSendOptions,
} from "../providers/sms-ru.js";
import type { SendResult } from "../providers/types.js";
import { toRecipient } from "../transport/index.js";
import { type DevModeOptions, dryRunResult, logDryRun, missingOf, shouldDryRun } from "./dev.js";
import { readEnv } from "./env.js";

/**
 * Config of {@link sendSms} and {@link getSmsBalance}: any {@link SmsRuClientOptions}, each
 * defaulting to its environment variable (`SMSRU_API_KEY`, `SMSRU_SENDER`), read at call time.
 */
export interface SmsConfig extends Partial<SmsRuClientOptions>, DevModeOptions {
  /** Per-message SMS.ru options (test mode, `ttl`, `time`, …). */
  readonly send?: SmsRuSendOptions;
}

function resolve(config: SmsConfig) {
  const apiKey = config.apiKey ?? readEnv("SMSRU_API_KEY");
  const sender = config.sender ?? readEnv("SMSRU_SENDER");
  return { apiKey, sender, missing: missingOf({ SMSRU_API_KEY: apiKey }) };
}

/**
 * Sends an SMS through SMS.ru, configured from `SMSRU_API_KEY` and `SMSRU_SENDER` (read at call
 * time) or from `config`. Without a key (dev mode) it logs the message with the phone masked and
 * resolves `{ dryRun: true }` instead of sending.
 *
 * @example
 * await sendSms("79991234567", "Ваш код: 1234")
 */
export async function sendSms(
  phone: string,
  text: string,
  config: SmsConfig = {},
): Promise<SendResult> {
  const { apiKey, sender, missing } = resolve(config);
  if (shouldDryRun("sms.ru", config.dryRun, missing)) {
    const to = toRecipient("sms.ru", phone, config.defaultCountry ?? "RU");
    logDryRun(config.logger, "sms.ru", "SMS", missing, { to: maskPhone(to.e164), text });
    return dryRunResult("sms.ru", "sms", to.e164);
  }
  const client = createSmsRuClient({ ...config, apiKey: apiKey as string, sender });
  return client.sendSms(phone, text, config.send);
}

/**
 * The SMS.ru balance in roubles, as a decimal string (`{ balance: "4122.56" }`). Configured like
 * {@link sendSms}; without a key it resolves `{ balance: null, dryRun: true }`.
 *
 * @example
 * const { balance } = await getSmsBalance()
 */
export async function getSmsBalance(config: SmsConfig = {}): Promise<SmsBalance> {
  const { apiKey, sender, missing } = resolve(config);
  if (shouldDryRun("sms.ru", config.dryRun, missing)) {
    logDryRun(config.logger, "sms.ru", "balance request", missing, {});
    return { provider: "sms.ru", balance: null, dryRun: true };
  }
  return createSmsRuClient({ ...config, apiKey: apiKey as string, sender }).getBalance();
}
