import * as z from "zod/mini";
import { type ErrorCategory, ProviderError } from "../core/errors.js";
import { flag, optionsObject, parseOptions } from "../core/options.js";
import { createSmsRuStatusWebhooks } from "../status/sms-ru.js";
import type { StatusWebhooks } from "../status/types.js";
import {
  createTransport,
  type HttpResponse,
  idString,
  invalidArgument,
  isRecord,
  optionalStringArgument,
  optionalText,
  type PhoneClientOptions,
  parseJsonLossless,
  phoneClientOptionFields,
  phoneForLog,
  type Recipient,
  redactedDetails,
  requireText,
  resolvePhoneClientOptions,
  secretOption,
  toRecipient,
  unexpectedResponse,
} from "../transport/index.js";
import { smsRuMessageState } from "./sms-ru-states.js";
import type { SendResult, SmsSender } from "./types.js";

const PROVIDER = "sms.ru";
/** SMS.ru's public API root. */
export const SMS_RU_BASE_URL = "https://sms.ru/";
/** Longest text accepted before asking SMS.ru (which itself allows at most 8 SMS parts). */
const MAX_TEXT = 10_000;
/** Answer fields holding money, kept as decimal strings. */
const MONEY_KEYS = new Set(["balance", "cost", "total_cost"]);

/** Options of {@link createSmsRuClient}. */
export interface SmsRuClientOptions extends PhoneClientOptions {
  /** `api_id` from the SMS.ru dashboard (env `SMSRU_API_KEY`). Sent in the POST body only. */
  readonly apiKey: string;
  /** Approved sender name (env `SMSRU_SENDER`). Default: the account's default sender. */
  readonly sender?: string;
  /** Test mode for every call: SMS.ru validates and answers but sends and charges nothing. */
  readonly test?: boolean;
  /** Transliterate Cyrillic to Latin (`translit=1`). */
  readonly translit?: boolean;
  /** Deliver only in the recipient's daytime; night messages wait until 10:00 local time. */
  readonly daytime?: boolean;
  /**
   * `true` when SMS.ru posts its delivery callbacks to you (dashboard → API → callback, the URL
   * of your status route): `statusWebhooks` then reads them (their `hash` is keyed with `apiKey`),
   * and the requester keeps each message it sent through this client for 7 days to match them. Off
   * by default: without the callback set in SMS.ru, those records would only take room, and a
   * callback arriving anyway is refused (401, logged once, naming this option).
   */
  readonly statusCallback?: boolean;
}

/** Per-message options of {@link SmsRuClient.sendSms}. */
export interface SmsRuSendOptions {
  /** Test mode for this message (overrides the client's `test`). */
  readonly test?: boolean;
  /** Sender name for this message (overrides the client's `sender`). */
  readonly sender?: string;
  /** The end user's IP, only when the SMS is triggered by that user's own action (anti-fraud). */
  readonly ip?: string;
  /** Send later: a `Date` or a UNIX time in seconds, at most about 2 months ahead. */
  readonly time?: Date | number;
  /** Drop the message if not delivered within this many minutes (1–1440). */
  readonly ttl?: number;
  /** Deliver only in the recipient's daytime (overrides the client's `daytime`). */
  readonly daytime?: boolean;
  /** Transliterate Cyrillic (overrides the client's `translit`). */
  readonly translit?: boolean;
}

/** Delivery state of one SMS, from {@link SmsRuClient.getStatus}. */
export interface SmsRuMessageStatus {
  /** The SMS id as given. */
  readonly smsId: string;
  /**
   * `pending` (100–102), `delivered` (103, 110), `failed` (104–108, 150), `not_found` (-1), or
   * `unknown` (missing from the answer or a code otzovik does not know).
   */
  readonly state: "pending" | "delivered" | "failed" | "not_found" | "unknown";
  /** SMS.ru's status code. */
  readonly statusCode: number | null;
  /** SMS.ru's description, in Russian. */
  readonly statusText: string | null;
  /** Price as a decimal string (`"0.50"`), when reported. */
  readonly cost: string | null;
}

/** The price of a message, from {@link SmsRuClient.getCost}. */
export interface SmsRuCost {
  /** Recipient, E.164. */
  readonly to: string;
  /** Price as a decimal string in roubles (`"2.45"`). */
  readonly cost: string;
  /** Number of SMS parts the text takes. */
  readonly parts: number;
  /** SMS.ru's parsed answer. */
  readonly raw: unknown;
}

/** Account balance, from {@link SmsRuClient.getBalance} and `getSmsBalance()`. */
export interface SmsBalance {
  /** Always `"sms.ru"`. */
  readonly provider: "sms.ru";
  /** Balance in roubles as a decimal string (`"4122.56"`); `null` in a dry run. */
  readonly balance: string | null;
  /** `true` when SMS.ru is not configured and nothing was asked (dev mode). */
  readonly dryRun: boolean;
  /** SMS.ru's parsed answer. */
  readonly raw?: unknown;
}

/** Client for SMS.ru, made by {@link createSmsRuClient}. */
export interface SmsRuClient extends SmsSender {
  /** Always `"sms.ru"`. */
  readonly provider: "sms.ru";
  /**
   * Reads SMS.ru's status callbacks (delivery reports), whose `hash` is keyed with this client's
   * `apiKey`; `configured` only with `statusCallback: true`.
   */
  readonly statusWebhooks: StatusWebhooks;
  /**
   * Sends one SMS (`POST sms/send`). Resolves when SMS.ru accepted it for this recipient; a
   * per-recipient `ERROR` under a top-level `OK` rejects with a {@link ProviderError}.
   */
  sendSms(phone: string, text: string, options?: SmsRuSendOptions): Promise<SendResult>;
  /** Delivery states of up to 100 sent messages (`POST sms/status`), in the order asked. */
  getStatus(smsIds: string | readonly string[]): Promise<SmsRuMessageStatus[]>;
  /** What a message would cost, without sending it (`POST sms/cost`). */
  getCost(
    phone: string,
    text: string,
    options?: Pick<SmsRuSendOptions, "sender" | "translit">,
  ): Promise<SmsRuCost>;
  /** The account balance (`POST my/balance`). */
  getBalance(): Promise<SmsBalance>;
}

/** Category and hint for each SMS.ru request or recipient code. */
const CODES: Record<number, readonly [ErrorCategory, string]> = {
  [-1]: ["permanent", "Message not found."],
  200: ["auth", "Invalid api_id: check apiKey (SMSRU_API_KEY)."],
  201: ["config", "Not enough funds: top up the SMS.ru balance."],
  202: ["permanent", "Invalid recipient number, or no route to it."],
  203: ["permanent", "No message text."],
  204: ["config", "Sender name not approved for this operator: check sender (SMSRU_SENDER)."],
  205: ["permanent", "Message too long (more than 8 SMS parts)."],
  206: ["defer", "Daily sending limit reached: try again tomorrow."],
  207: ["permanent", "No delivery route to this number."],
  208: ["permanent", "Invalid send time."],
  209: ["opted_out", "The number is in your stop-list: do not message it again."],
  210: ["permanent", "GET used where POST is required."],
  211: ["permanent", "Method not found."],
  212: ["permanent", "Text is not UTF-8."],
  213: ["permanent", "Too many recipients."],
  214: ["config", "The number is abroad and the account sends to Russian numbers only."],
  215: ["opted_out", "The number is in the SMS.ru stop-list (spam complaint): do not retry."],
  216: ["permanent", "Forbidden word in the text."],
  217: ["permanent", "Credit advertising without the required disclaimer."],
  220: ["retryable", "Service temporarily unavailable."],
  221: ["config", "A letter sender name matching your site or brand is required."],
  230: ["defer", "Daily limit of messages to this number reached: try again in 24 hours."],
  231: ["permanent", "Identical message to this number within a minute: a duplicate, not sent."],
  232: ["permanent", "Identical message to this number today: a duplicate, not sent."],
  233: ["defer", "Anti-fraud limit for repeated codes to this number."],
  300: ["auth", "Invalid token (expired or IP changed)."],
  301: ["auth", "Invalid api_id or login/password: check apiKey (SMSRU_API_KEY)."],
  302: ["auth", "Account not confirmed."],
  500: ["retryable", "SMS.ru server error."],
  501: ["config", "Anti-fraud limit: IP country mismatch."],
  502: ["config", "Anti-fraud limit for this country."],
  503: ["config", "Anti-fraud limit for this country."],
  504: ["config", "Anti-fraud limit for this IP."],
  505: ["config", "Anti-fraud limit for this IP."],
  506: ["defer", "Too many messages from hosting-provider IP ranges."],
  507: ["permanent", "Invalid or private end-user ip."],
  508: ["retryable", "Too many calls in 5 minutes."],
  550: ["config", "Country blocked for security reasons."],
};

/**
 * Category of an SMS.ru `status_code`: 209 (your stop-list) and 215 (SMS.ru's stop-list after a
 * spam complaint) are `opted_out`; 220, 500 and 508 `retryable`; daily and anti-fraud limits
 * (206, 230, 233, 506) `defer`; key errors `auth`; balance, sender and account problems `config`;
 * everything else, including duplicates (231, 232) and unknown codes, `permanent`.
 */
export function classifySmsRuCode(code: number): ErrorCategory {
  return CODES[code]?.[0] ?? "permanent";
}

function toCode(value: unknown): number | null {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return null;
}

function smsRuError(
  response: HttpResponse,
  entry: Record<string, unknown>,
  body: unknown,
  recipient: Recipient | null,
): ProviderError {
  const code = toCode(entry.status_code);
  const hint = code === null ? "Unknown error." : (CODES[code]?.[1] ?? "Unknown SMS.ru code.");
  const text = typeof entry.status_text === "string" ? ` (${entry.status_text})` : "";
  const who = recipient ? ` for ${recipient.e164}` : "";
  return new ProviderError(response.redact(`Refused${who}: ${code ?? "?"} ${hint}${text}`), {
    provider: PROVIDER,
    code: code === null ? "unknown" : String(code),
    category: code === null ? "permanent" : classifySmsRuCode(code),
    httpStatus: response.status,
    retryAfterMs: code === 231 ? 60_000 : null,
    details: redactedDetails(response, body),
  });
}

/** Reads an SMS.ru answer: HTTP 200 with a JSON object whose top level is `OK`, else throws. */
function readOk(response: HttpResponse): Record<string, unknown> {
  if (response.status !== 200) throw unexpectedResponse(PROVIDER, response);
  const body = parseJsonLossless(response.text, MONEY_KEYS);
  if (!isRecord(body) || typeof body.status !== "string") {
    throw unexpectedResponse(PROVIDER, response);
  }
  if (body.status !== "OK") throw smsRuError(response, body, body, null);
  return body;
}

/** The per-recipient (or per-id) entry of an answer's `sms` map. */
function entryOf(body: Record<string, unknown>, key: string): Record<string, unknown> | null {
  const map = body.sms;
  if (!isRecord(map)) return null;
  const entry = map[key];
  return isRecord(entry) ? entry : null;
}

function moneyString(value: unknown): string | null {
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

/** What {@link createSmsRuClient} accepts. */
const optionsSchema = optionsObject({
  apiKey: secretOption,
  sender: optionalText,
  test: z.nullish(flag),
  translit: z.nullish(flag),
  daytime: z.nullish(flag),
  statusCallback: z.nullish(flag),
  ...phoneClientOptionFields,
});

/**
 * Creates an SMS.ru client. Every call is a `POST` with a form-encoded body holding `api_id` and
 * `json=1` (the key never appears in a URL). SMS.ru reports errors with HTTP 200 and a
 * `status_code`; otzovik classifies by that code (see {@link classifySmsRuCode}): 220, 500 and
 * 508 are retried, duplicates (231, 232) and bad numbers never are, and stop-list answers (209,
 * 215) are `opted_out`. A timeout on `sms/send`, and any HTTP 5xx answer to it (SMS.ru answers
 * HTTP 200, so a 5xx comes from something in between) other than a 503 with `Retry-After`, are
 * reported as a `DeliveryUnknownError`: SMS.ru has no idempotency key, so a retry could send
 * twice.
 *
 * @throws {ConfigError} when `apiKey` is missing or an option is invalid.
 *
 * @example
 * const sms = createSmsRuClient({ apiKey: process.env.SMSRU_API_KEY!, sender: "Kofeynya" })
 * const { messageId } = await sms.sendSms("+7 916 123-45-67", "Спасибо за визит! Оцените нас: …")
 */
export function createSmsRuClient(options: SmsRuClientOptions): SmsRuClient {
  const valid = parseOptions(optionsSchema, options, { provider: PROVIDER });
  const { apiKey, sender } = valid;
  const test = valid.test ?? false;
  const translit = valid.translit ?? false;
  const daytime = valid.daytime ?? false;
  const resolved = resolvePhoneClientOptions(PROVIDER, valid, SMS_RU_BASE_URL);
  const transport = createTransport(resolved, [apiKey]);
  const { logger } = resolved;

  function form(fields: Record<string, string | null | undefined>): string {
    const params = new URLSearchParams({ api_id: apiKey, json: "1" });
    for (const [key, value] of Object.entries(fields)) {
      if (value !== null && value !== undefined) params.set(key, value);
    }
    return params.toString();
  }

  function post<T>(
    path: string,
    fields: Record<string, string | null | undefined>,
    operation: string,
    phones: readonly string[],
    interpret: (response: HttpResponse) => T,
  ): Promise<T> {
    const sends = operation === "send";
    return transport.request(
      {
        method: "POST",
        path,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form(fields),
        idempotent: !sends,
        sendsMessage: sends,
        operation,
        phones,
      },
      interpret,
    );
  }

  function sendOptions(o: SmsRuSendOptions): Record<string, string | null> {
    if (typeof o !== "object" || o === null)
      invalidArgument(PROVIDER, "options", "must be an object");
    const flag = (value: boolean | undefined, fallback: boolean) =>
      (value ?? fallback) ? "1" : null;
    let time: string | null = null;
    if (o.time !== undefined) {
      const seconds = o.time instanceof Date ? Math.floor(o.time.getTime() / 1000) : o.time;
      if (!Number.isInteger(seconds) || seconds <= 0)
        invalidArgument(PROVIDER, "time", "must be a Date or a UNIX time in seconds");
      time = String(seconds);
    }
    if (o.ttl !== undefined && (!Number.isInteger(o.ttl) || o.ttl < 1 || o.ttl > 1440))
      invalidArgument(PROVIDER, "ttl", "must be a whole number of minutes from 1 to 1440");
    return {
      from: optionalStringArgument(PROVIDER, "sender", o.sender) ?? sender,
      test: flag(o.test, test),
      translit: flag(o.translit, translit),
      daytime: flag(o.daytime, daytime),
      ip: optionalStringArgument(PROVIDER, "ip", o.ip),
      time,
      ttl: o.ttl === undefined ? null : String(o.ttl),
    };
  }

  return {
    provider: PROVIDER,
    statusWebhooks: createSmsRuStatusWebhooks({ apiKey: valid.statusCallback ? apiKey : null }),

    async sendSms(phone, text, opts = {}) {
      const to = toRecipient(PROVIDER, phone, resolved.defaultCountry);
      const msg = requireText(PROVIDER, text, MAX_TEXT);
      const extra = sendOptions(opts);
      const result = await post(
        "sms/send",
        { to: to.digits, msg, ...extra },
        "send",
        [to.e164, to.digits],
        (response) => {
          const body = readOk(response);
          const entry = entryOf(body, to.digits);
          if (entry === null) throw unexpectedResponse(PROVIDER, response);
          if (entry.status !== "OK") throw smsRuError(response, entry, body, to);
          const messageId = idString(entry.sms_id);
          if (messageId === null) throw unexpectedResponse(PROVIDER, response);
          const sent: SendResult = {
            provider: PROVIDER,
            channel: "sms",
            messageId,
            to: to.e164,
            dryRun: false,
            raw: body,
          };
          return sent;
        },
      );
      logger.info(`${PROVIDER}: SMS accepted`, {
        provider: PROVIDER,
        to: phoneForLog(resolved, to.e164),
        messageId: result.messageId,
        test: extra.test === "1",
      });
      return result;
    },

    async getStatus(smsIds) {
      const ids = typeof smsIds === "string" ? [smsIds] : [...smsIds];
      if (ids.length === 0 || ids.length > 100 || ids.some((id) => !/^[\w-]+$/.test(id)))
        invalidArgument(PROVIDER, "smsIds", "must be 1 to 100 SMS ids such as 000000-10000000");
      return post("sms/status", { sms_id: ids.join(",") }, "status", [], (response) => {
        const body = readOk(response);
        return ids.map((smsId): SmsRuMessageStatus => {
          const entry = entryOf(body, smsId);
          const statusCode = entry ? toCode(entry.status_code) : null;
          return {
            smsId,
            state:
              statusCode === null ? "unknown" : (smsRuMessageState(statusCode)?.state ?? "unknown"),
            statusCode,
            statusText: typeof entry?.status_text === "string" ? entry.status_text : null,
            cost: moneyString(entry?.cost),
          };
        });
      });
    },

    async getCost(phone, text, opts = {}) {
      const to = toRecipient(PROVIDER, phone, resolved.defaultCountry);
      const msg = requireText(PROVIDER, text, MAX_TEXT);
      const fields = {
        to: to.digits,
        msg,
        from: optionalStringArgument(PROVIDER, "sender", opts.sender) ?? sender,
        translit: (opts.translit ?? translit) ? "1" : null,
      };
      return post("sms/cost", fields, "cost", [to.e164, to.digits], (response) => {
        const body = readOk(response);
        const entry = entryOf(body, to.digits);
        if (entry === null) throw unexpectedResponse(PROVIDER, response);
        if (entry.status !== "OK") throw smsRuError(response, entry, body, to);
        const parts = typeof entry.sms === "number" ? entry.sms : Number(body.total_sms ?? 0);
        return {
          to: to.e164,
          cost: moneyString(entry.cost) ?? moneyString(body.total_cost) ?? "0",
          parts,
          raw: body,
        };
      });
    },

    async getBalance() {
      return post("my/balance", {}, "balance", [], (response) => {
        const body = readOk(response);
        const balance = moneyString(body.balance);
        if (balance === null) throw unexpectedResponse(PROVIDER, response);
        return { provider: PROVIDER, balance, dryRun: false, raw: body } satisfies SmsBalance;
      });
    },
  };
}
