import type { SmsSender } from "../../src/providers/types.js";
import { createReviewRequester } from "../../src/requester/requester.js";
import type {
  ClickedOutcome,
  RequesterOptions,
  ReviewRequester,
  SentOutcome,
} from "../../src/requester/types.js";
import { memoryStore } from "../../src/stores/memory.js";
import type { Store } from "../../src/stores/types.js";
import { recordingSmsClient } from "../helpers/sms-clients.js";

export const KEY = "links-webhook-key-0123456789";
export const HASH_SECRET = "links-hash-secret-0123456789";
export const BASE_URL = "https://cafe.ru/r";
export const YANDEX = "https://yandex.ru/maps/org/kofeynya_zerno/1234567890/reviews/";
export const TWOGIS = "https://2gis.ru/moscow/firm/70000001012345678/tab/reviews";
export const GOOGLE = "https://g.page/r/CZ3pQd9n7J8fEBM/review";
export const PHONE = "+79161234567";
export const NOON = Date.parse("2026-03-14T12:00:00+03:00");
/** A browser on a phone. */
export const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
/** Telegram's link-preview fetcher. */
export const TELEGRAM_BOT = "TelegramBot (like TwitterBot)";
/** The short link in a message. */
export const LINK_IN_TEXT = /https:\/\/cafe\.ru\/r\/([A-Za-z0-9_-]{8})$/;

/** An SMS client that records what it sends. */
export function textSms() {
  const { client, messages } = recordingSmsClient();
  return { client, sent: messages };
}

/** A fake clock shared by a requester and its memory store. */
export function clock(start = NOON) {
  let time = start;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}

/** What a links requester reported. */
export interface Reports {
  readonly sent: SentOutcome[];
  readonly clicked: ClickedOutcome[];
  readonly lines: string[];
}

/** A requester with `links` over `store`, an SMS channel, and its reports. */
export function linksRequester(
  options: {
    store?: Store;
    now?: () => number;
    sms?: SmsSender;
    extra?: Partial<RequesterOptions>;
    withLinks?: boolean;
  } = {},
): { requester: ReviewRequester; reports: Reports; sms: ReturnType<typeof textSms> } {
  const sms = textSms();
  const reports: Reports = { sent: [], clicked: [], lines: [] };
  const now = options.now ?? (() => NOON);
  const log = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    reports.lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  const requester = createReviewRequester({
    keys: KEY,
    business: "Кофейня «Зерно»",
    reviewUrl: YANDEX,
    channels: [{ type: "sms", client: options.sms ?? sms.client }],
    store: options.store ?? memoryStore({ now }),
    hashSecret: HASH_SECRET,
    quietHours: false,
    now,
    ...(options.withLinks === false ? {} : { links: { baseUrl: BASE_URL } }),
    logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    onSent: (o) => {
      reports.sent.push(o);
    },
    onClicked: (o) => {
      reports.clicked.push(o);
    },
    ...options.extra,
  });
  return { requester, reports, sms };
}

/** The token of a message's short link. */
export function tokenOf(text: string): string {
  const match = LINK_IN_TEXT.exec(text);
  if (!match) throw new Error(`no short link in ${JSON.stringify(text)}`);
  return match[1] as string;
}
