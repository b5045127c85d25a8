// The app of the Redis and BullMQ proofs (test/soak/redis-*.soak.test.ts), run as its own Node
// process by test/soak/redis/harness.ts: a requester on the Redis store and the BullMQ scheduler,
// sending SMS through the real SMS.ru client pointed at the test's fake SMS.ru on loopback.
//
// Configuration (environment):
//   ROLE              web (HTTP, enqueues only: worker: false), worker (runs the queue, no HTTP)
//                     or both (HTTP and the queue)
//   REDIS_URL         the test's redis-server
//   SMSRU_URL         the fake SMS.ru's base URL
//   WEBHOOK_KEY       the webhook key; with several DELAYS_MS, tenant i has key `{WEBHOOK_KEY}-{i}`
//   DELAYS_MS         one delay (ms) for every order, or several separated by commas: one tenant
//                     per delay (default 0)
//   RETRY_DELAYS_MS   the requester's retryDelaysMs, separated by commas (default: none)
//   LOCK_MS, STALLED_MS   the worker's lockDurationMs and stalledIntervalMs (default 1000, 500)
//   CONCURRENCY       jobs the worker runs at a time (default 10)
//   PORT              the HTTP port (0: any free one)
//   META_URL          the fake Meta's base URL: WhatsApp first (its status webhooks, signed with
//   META_APP_SECRET   META_APP_SECRET, read at /api/status/meta), then SMS
//
// It prints `listening on http://localhost:<port>` (web, both) or `worker ready` (worker), then one
// `outcome {json}` line per outcome, which the test reads; warnings and errors go to stderr as
// `log {json}` lines. SIGTERM: stop taking webhooks, finish what runs, close, print `closed`, exit 0.
import { createServer } from "node:http";
import { Redis } from "ioredis";
import { statusHandler, webhookHandler } from "../../../src/adapters/express.js";
import {
  type ChannelSpec,
  createMetaWhatsappClient,
  createReviewRequester,
  createSmsRuClient,
  type Outcome,
  type StatusOutcome,
} from "../../../src/index.js";
import type { TenantSettings } from "../../../src/requester/types.js";
import { bullmqScheduler } from "../../../src/schedulers/bullmq.js";
import { redisStore } from "../../../src/stores/redis.js";

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
}
const numbers = (text: string): number[] =>
  text === "" ? [] : text.split(",").map((part) => Number(part));

const role = env("ROLE");
if (!["web", "worker", "both"].includes(role)) throw new Error(`ROLE must be web, worker or both`);
const redisUrl = env("REDIS_URL");
const key = env("WEBHOOK_KEY");
const delays = numbers(env("DELAYS_MS", "0"));
const business = "Proof Cafe";
const reviewUrl = "https://reviews.example/proof";

function log(level: string, message: string, meta?: unknown): void {
  process.stderr.write(`log ${JSON.stringify({ level, message, meta })}\n`);
}
const logger = {
  // Of the info lines, only those about unanswered claims (the proofs count them).
  info: (message: string, meta?: unknown) => {
    if (message.includes("did not answer")) log("info", message, meta);
  },
  warn: (message: string, meta?: unknown) => log("warn", message, meta),
  error: (message: string, meta?: unknown) => log("error", message, meta),
};

/** One `outcome` line: what the test needs to account for every order. */
function report(outcome: Outcome | StatusOutcome): void {
  const line = {
    pid: process.pid,
    role,
    status: outcome.status,
    tenant: outcome.tenantId,
    orderId: outcome.orderId,
    ...(outcome.status === "sent" ? { messageId: outcome.messageId } : {}),
    ...(outcome.status === "skipped" ? { reason: outcome.reason } : {}),
    ...(outcome.status === "sent" || outcome.status === "undelivered"
      ? { channel: outcome.channel }
      : {}),
    ...(outcome.status === "undelivered" ? { code: outcome.code, fallback: outcome.fallback } : {}),
    ...(outcome.status === "failed"
      ? {
          code: outcome.error.code,
          category: outcome.error.category,
          unknownOutcome: outcome.unknownOutcome,
          willRetry: outcome.willRetry,
          attempt: outcome.attempt,
        }
      : {}),
  };
  process.stdout.write(`outcome ${JSON.stringify(line)}\n`);
}

const client = new Redis(redisUrl);
client.on("error", (error: Error) => log("error", "redis client", error.message));

const metaUrl = process.env.META_URL;
const whatsapp: ChannelSpec[] = metaUrl
  ? [
      {
        type: "whatsapp",
        client: createMetaWhatsappClient({
          accessToken: "proof-meta-token",
          phoneNumberId: "100000000000001",
          baseUrl: metaUrl,
          appSecret: env("META_APP_SECRET"),
          retry: false,
          logger,
        }),
      },
    ]
  : [];

const tenants = new Map<string, TenantSettings>(
  delays.map((delayMs, i) => [`${key}-${i}`, { id: `t${i}`, business, reviewUrl, delayMs }]),
);
const requester = createReviewRequester({
  ...(delays.length > 1
    ? { resolveTenant: (k: string) => tenants.get(k) ?? null }
    : { keys: key, business, reviewUrl, delayMs: delays[0] ?? 0 }),
  channels: [
    ...whatsapp,
    {
      type: "sms",
      // Retries are the requester's (through BullMQ), not the transport's.
      client: createSmsRuClient({
        apiKey: "proof-sms-key",
        baseUrl: env("SMSRU_URL"),
        retry: false,
        logger,
      }),
    },
  ],
  message: "{business}: order {orderId}, {reviewUrl}",
  store: redisStore({ client }),
  hashSecret: "proofs-hash-secret-0123456789",
  scheduler: bullmqScheduler({
    connection: { url: redisUrl },
    worker: role !== "web",
    concurrency: Number(env("CONCURRENCY", "10")),
    lockDurationMs: Number(env("LOCK_MS", "1000")),
    stalledIntervalMs: Number(env("STALLED_MS", "500")),
    logger,
  }),
  quietHours: false,
  // Every order has its own phone; the cap is not what these proofs are about.
  frequencyCapMs: false,
  retryDelaysMs: numbers(env("RETRY_DELAYS_MS", "")),
  logger,
  onSent: report,
  onScheduled: report,
  onSkipped: report,
  onFailed: report,
  onDelivered: report,
  onUndelivered: report,
});

const handler = webhookHandler(requester, { logger });
const statuses = statusHandler(requester, { logger });
const server =
  role === "worker"
    ? null
    : createServer((req, res) => {
        if (req.url?.startsWith("/api/webhook/")) return handler(req, res);
        if (req.url?.startsWith("/api/status/")) return statuses(req, res);
        res.statusCode = 404;
        res.end();
      });
if (server) {
  server.listen(Number(env("PORT", "0")), "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    console.log(`${role} process listening on http://localhost:${port}`);
  });
} else {
  console.log("worker ready");
}

let closing = false;
process.on("SIGTERM", () => {
  if (closing) return;
  closing = true;
  server?.close();
  server?.closeAllConnections();
  void requester
    .close({ timeoutMs: 8_000 })
    .then(() => client.quit())
    .then(
      () => {
        console.log("closed");
        process.exit(0);
      },
      (error: unknown) => {
        log("error", "closing failed", String(error));
        process.exit(1);
      },
    );
});
