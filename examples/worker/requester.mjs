// The requester both processes build, from the same options: the same Redis store (dedupe, caps,
// opt-outs, the ledger), the same BullMQ queue, the same channels and message. Only `worker`
// differs: the web process enqueues delayed sends, the worker process runs them.
//
// Configuration (all from the environment, the same for both processes):
//   REDIS_URL             default redis://127.0.0.1:6379
//   HASH_SECRET           keys the phone hashes in Redis: 16+ random characters, the same
//                         everywhere (dev default: a fixed demo value)
//   WEBHOOK_KEY           the key POS/CRMs put in `?key=` (dev default: dev-key)
//   BUSINESS_NAME, REVIEW_URL   {business} and {reviewUrl} in the message (required outside dev)
//   DELAY_MINUTES         ask this long after the order (default 1, so you see the queue at work)
//   SMSRU_API_KEY, SMSRU_SENDER  send through SMS.ru; without them (and without
//                         NODE_ENV=production) it is dev mode: messages are printed, not sent
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createReviewRequester, createSmsRuClient, maskPhone } from "otzovik";
import { bullmqScheduler } from "otzovik/bullmq";
import { redisStore } from "otzovik/redis";

const env = (name) => process.env[name]?.trim() || undefined;

/** One readable line per log event; otzovik masks phones and never logs keys. */
export function line(level, message, meta = {}) {
  const details = Object.entries(meta)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  const write = level === "error" ? console.error : console.log;
  write(`${level.padEnd(5)} ${message}${details ? `  ${details}` : ""}`);
}
export const logger = {
  info: (message, meta) => line("info", message, meta),
  warn: (message, meta) => line("warn", message, meta),
  error: (message, meta) => line("error", message, meta),
};

const production = process.env.NODE_ENV === "production";
export const devMode = !env("SMSRU_API_KEY") && !production;
export const DEV_KEY = "dev-key";

const settings = {
  redisUrl: env("REDIS_URL") ?? "redis://127.0.0.1:6379",
  hashSecret: env("HASH_SECRET") ?? (devMode ? "dev-only-hash-secret-not-for-production" : null),
  webhookKey: env("WEBHOOK_KEY") ?? (devMode ? DEV_KEY : null),
  business: env("BUSINESS_NAME") ?? (devMode ? "Кофейня «Зерно»" : null),
  reviewUrl: env("REVIEW_URL") ?? (devMode ? "https://example.com/review" : null),
};
const missing = [
  ...Object.entries({
    HASH_SECRET: settings.hashSecret,
    WEBHOOK_KEY: settings.webhookKey,
    BUSINESS_NAME: settings.business,
    REVIEW_URL: settings.reviewUrl,
  }).flatMap(([name, value]) => (value ? [] : [name])),
  ...(env("SMSRU_API_KEY") ? [] : ["SMSRU_API_KEY"]),
];
if (!devMode && missing.length > 0) {
  console.error(`Not starting: set ${missing.join(", ")}.`);
  process.exit(1);
}

/** Dev mode: print each message (phone masked) instead of sending it. */
const printingSms = {
  provider: "sms.ru",
  async sendSms(phone, text) {
    console.log(`dev   SMS to ${maskPhone(phone)} (not sent, dev mode): ${text}`);
    return {
      provider: "sms.ru",
      channel: "sms",
      messageId: `dev-${randomUUID()}`,
      to: phone,
      dryRun: true,
    };
  },
};

/**
 * The requester of one process. `worker: false` (web): delayed sends are only enqueued.
 * `worker: true`: this process also runs the queue's jobs. Close with `close()` below.
 */
export function createRequester({ worker }) {
  const client = new Redis(settings.redisUrl);
  client.on("error", (error) => line("error", "redis", { error: error.message }));
  const requester = createReviewRequester({
    keys: settings.webhookKey,
    business: settings.business,
    reviewUrl: settings.reviewUrl,
    channels: [
      {
        type: "sms",
        client: devMode
          ? printingSms
          : createSmsRuClient({
              apiKey: env("SMSRU_API_KEY"),
              sender: env("SMSRU_SENDER"),
              logger,
            }),
      },
    ],
    delayMs: Number(env("DELAY_MINUTES") ?? 1) * 60_000,
    store: redisStore({ client }),
    hashSecret: settings.hashSecret,
    // BullMQ opens (and closes) its own connections from the URL.
    scheduler: bullmqScheduler({ connection: { url: settings.redisUrl }, worker, logger }),
    // Dev mode sends at any hour and lets the demo curl (one phone) go out again and again.
    ...(devMode ? { quietHours: false, frequencyCapMs: false } : {}),
    logger,
  });
  return {
    requester,
    /**
     * Finishes the sends already accepted or running (up to `timeoutMs`), closes the queue and
     * the worker, then Redis. Scheduled sends stay in Redis: the next worker runs them.
     */
    async close(timeoutMs) {
      await requester.close({ timeoutMs });
      client.disconnect();
    },
  };
}
