// otzovik in an Express app: one route turns iiko, R-Keeper, YCLIENTS and amoCRM webhooks into
// a "please leave a review" SMS / WhatsApp / email; another takes the providers' status webhooks
// (delivered, or not: then the next channel is tried once).
//
//   npm run build && node examples/express/server.mjs     (from the repository root: `npm start`,
//                                                          which builds only when dist/ is stale)
//
// With no provider keys it runs in dev mode: nothing is sent, each message is printed with the
// phone masked. With NODE_ENV=production it never does: missing keys stop it with a message.
// Configuration (all from the environment):
//   WEBHOOK_KEY           the key POS/CRMs put in `?key=` (dev default: dev-key; never printed)
//   BUSINESS_NAME         {business} in the message            (required outside dev mode)
//   REVIEW_URL            {reviewUrl} in the message           (required outside dev mode)
//   PORT                  default 3000 (0 picks a free port)
//   HOST                  the address to listen on: default 127.0.0.1 (this machine only); 0.0.0.0
//                         (or ::) takes connections from other machines too, e.g. a POS in the LAN
//   DELAY_MINUTES         wait this long after the order before asking (default 0)
//   NODE_ENV=production   never dev mode: without provider keys it exits instead of faking sends
//   SMSRU_API_KEY, SMSRU_SENDER                               SMS through SMS.ru
//   META_WHATSAPP_ACCESS_TOKEN, META_WHATSAPP_PHONE_NUMBER_ID  WhatsApp through Meta Cloud API
//   META_WHATSAPP_TEMPLATE (+ META_WHATSAPP_TEMPLATE_LANGUAGE, default ru)  an approved template
//   EXOLVE_WHATSAPP_API_KEY, EXOLVE_WHATSAPP_SENDER_ID        WhatsApp through Exolve (МТС)
//   RESEND_API_KEY, RESEND_FROM                               email through Resend
//   AMOCRM_SUBDOMAIN, AMOCRM_ACCESS_TOKEN                     phone lookup for amoCRM leads
// Status webhooks (delivery reports) at /api/status/meta, /api/status/sms.ru, /api/status/resend:
//   META_APP_SECRET, META_VERIFY_TOKEN   Meta: the app secret that signs them, the verify token
//   SMSRU_STATUS_CALLBACK=true           SMS.ru: the callback is set in SMS.ru (signed with the key)
//   RESEND_WEBHOOK_SECRET                Resend: the webhook's signing secret (whsec_…)
//   DEV_WHATSAPP=true                    dev mode: WhatsApp first, through a simulated Meta (printed,
//                                        not sent), so a fake Meta status can be tried; see README
// Short review links with click tracking (one SMS segment instead of two; see README):
//   LINKS_BASE_URL        e.g. https://cafe.ru/r: {reviewUrl} becomes https://cafe.ru/r/<token>, and
//                         this server answers /r/<token> (point that URL at it)
// Several instances (needs `npm i ioredis bullmq`; see docs/production.md):
//   REDIS_URL             share dedupe, caps and opt-outs in Redis (otzovik/redis) and queue the
//                         delayed sends in BullMQ (otzovik/bullmq), so they survive restarts
//   HASH_SECRET           with REDIS_URL: keys the phone hashes in Redis; 16+ random characters,
//                         the same on every instance (required outside dev mode; never printed)
//   OTZOVIK_WORKER        with REDIS_URL: `false` for a web process that only enqueues (a worker
//                         process sends); default `true`: this process also runs the queue's jobs
import { randomUUID } from "node:crypto";
import { createServer, STATUS_CODES } from "node:http";
import express from "express";
import {
  createAmocrmClient,
  createExolveClient,
  createMetaWhatsappClient,
  createResendClient,
  createReviewRequester,
  createSmsRuClient,
  maskPhone,
} from "otzovik";
import { linkHandler, statusHandler, webhookHandler } from "otzovik/express";

const env = (name) => process.env[name]?.trim() || undefined;
const flag = (name) => ["true", "1"].includes(env(name)?.toLowerCase());

// --- logging: one readable line per event; otzovik masks phones and never logs keys ---------------
function line(level, message, meta = {}) {
  const details = Object.entries(meta)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  const write = level === "error" ? console.error : console.log;
  write(`${level.padEnd(5)} ${message}${details ? `  ${details}` : ""}`);
}
const logger = {
  info: (message, meta) => line("info", message, meta),
  warn: (message, meta) => line("warn", message, meta),
  error: (message, meta) => line("error", message, meta),
  ...(env("DEBUG") ? { debug: (message, meta) => line("debug", message, meta) } : {}),
};

// --- channels: the ones whose keys are set, in fallback order -------------------------------------
const channels = [];
if (env("META_WHATSAPP_ACCESS_TOKEN") && env("META_WHATSAPP_PHONE_NUMBER_ID")) {
  const template = env("META_WHATSAPP_TEMPLATE");
  channels.push({
    type: "whatsapp",
    client: createMetaWhatsappClient({
      accessToken: env("META_WHATSAPP_ACCESS_TOKEN"),
      phoneNumberId: env("META_WHATSAPP_PHONE_NUMBER_ID"),
      // Status webhooks: without the app secret they are refused (401), never taken unsigned.
      appSecret: env("META_APP_SECRET"),
      verifyToken: env("META_VERIFY_TOKEN"),
      logger,
    }),
    // Outside the 24-hour window Meta only delivers approved templates.
    ...(template
      ? {
          template: {
            name: template,
            language: env("META_WHATSAPP_TEMPLATE_LANGUAGE") ?? "ru",
            parameters: ["{business}", "{reviewUrl}"],
          },
        }
      : {}),
  });
}
if (env("EXOLVE_WHATSAPP_API_KEY") && env("EXOLVE_WHATSAPP_SENDER_ID")) {
  channels.push({
    type: "whatsapp",
    client: createExolveClient({
      apiKey: env("EXOLVE_WHATSAPP_API_KEY"),
      senderId: env("EXOLVE_WHATSAPP_SENDER_ID"),
      logger,
    }),
  });
}
if (env("SMSRU_API_KEY")) {
  channels.push({
    type: "sms",
    client: createSmsRuClient({
      apiKey: env("SMSRU_API_KEY"),
      sender: env("SMSRU_SENDER"),
      // Only when the callback URL is set in SMS.ru: otherwise tracking each SMS only takes room.
      statusCallback: flag("SMSRU_STATUS_CALLBACK"),
      logger,
    }),
  });
}
if (env("RESEND_API_KEY") && env("RESEND_FROM")) {
  channels.push({
    type: "email",
    client: createResendClient({
      apiKey: env("RESEND_API_KEY"),
      from: env("RESEND_FROM"),
      webhookSecret: env("RESEND_WEBHOOK_SECRET"),
      logger,
    }),
  });
}

// --- dev mode: no provider keys, so print instead of sending (never with NODE_ENV=production) -----
const production = process.env.NODE_ENV === "production";
const devMode = channels.length === 0 && !production;
// DEV_WHATSAPP: WhatsApp first through the real Meta client, whose API calls a local function
// answers as Meta would (printed, never sent), so its status webhooks can be tried with a fake
// status signed with the dev app secret; SMS is the fallback.
const DEV_APP_SECRET = "dev-app-secret";
const DEV_VERIFY_TOKEN = "dev-verify-token";
const devWhatsapp = devMode && flag("DEV_WHATSAPP");
if (devWhatsapp) {
  let sent = 0;
  channels.push({
    type: "whatsapp",
    client: createMetaWhatsappClient({
      accessToken: "dev-access-token",
      phoneNumberId: "100000000000000",
      appSecret: env("META_APP_SECRET") ?? DEV_APP_SECRET,
      verifyToken: env("META_VERIFY_TOKEN") ?? DEV_VERIFY_TOKEN,
      retry: false,
      logger,
      fetch: async (_url, init) => {
        const message = JSON.parse(init.body);
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
  });
}
if (devMode) {
  channels.push({
    type: "sms",
    client: {
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
    },
  });
}

const DEV_KEY = "dev-key";
const webhookKey = env("WEBHOOK_KEY") ?? (devMode ? DEV_KEY : undefined);
const business = env("BUSINESS_NAME") ?? (devMode ? "Кофейня «Зерно»" : undefined);
const reviewUrl = env("REVIEW_URL") ?? (devMode ? "https://example.com/review" : undefined);
// With REDIS_URL: phones are written into Redis keys only as hashes keyed with HASH_SECRET.
const redisUrl = env("REDIS_URL");
const DEV_HASH_SECRET = "dev-only-hash-secret-not-for-production";
const hashSecret = redisUrl
  ? (env("HASH_SECRET") ?? (devMode ? DEV_HASH_SECRET : undefined))
  : undefined;
const missing = Object.entries({
  WEBHOOK_KEY: webhookKey,
  BUSINESS_NAME: business,
  REVIEW_URL: reviewUrl,
  ...(redisUrl ? { HASH_SECRET: hashSecret } : {}),
})
  .filter(([, value]) => !value)
  .map(([name]) =>
    name === "HASH_SECRET"
      ? "  HASH_SECRET (REDIS_URL is set: 16+ random characters, the same on every instance, e.g. `openssl rand -hex 32`)"
      : `  ${name}`,
  );
if (channels.length === 0) {
  missing.push(
    "  the keys of at least one provider: SMSRU_API_KEY, or META_WHATSAPP_ACCESS_TOKEN and META_WHATSAPP_PHONE_NUMBER_ID, or EXOLVE_WHATSAPP_API_KEY and EXOLVE_WHATSAPP_SENDER_ID, or RESEND_API_KEY and RESEND_FROM",
  );
}
if (missing.length > 0) {
  console.error(
    production
      ? "NODE_ENV=production: not starting in dev mode (it would answer 200 and send nothing). Set:"
      : "Provider keys are set, so this is not dev mode. Set:",
  );
  console.error(missing.join("\n"));
  process.exit(1);
}

// --- Redis and BullMQ: several instances, and sends that survive a restart (REDIS_URL) -------------
// Without REDIS_URL: the defaults, memoryStore() and the in-process scheduler (one instance; what
// is scheduled is lost when it stops).
let redis; // the store's ioredis client: ours to close, after the requester
let shared = {};
let runsWorker = true;
if (redisUrl) {
  if (hashSecret.length < 16) {
    console.error(
      "HASH_SECRET must be at least 16 characters: a random string, the same on every instance.",
    );
    process.exit(1);
  }
  const worker = env("OTZOVIK_WORKER")?.toLowerCase();
  if (worker !== undefined && !["true", "false", "1", "0"].includes(worker)) {
    console.error("OTZOVIK_WORKER must be true or false.");
    process.exit(1);
  }
  runsWorker = worker !== "false" && worker !== "0";
  let modules;
  try {
    modules = await Promise.all([
      import("ioredis"),
      import("otzovik/redis"),
      import("otzovik/bullmq"),
    ]);
  } catch (error) {
    console.error(
      `REDIS_URL is set, so this example needs ioredis and bullmq: npm i ioredis bullmq (${error.message})`,
    );
    process.exit(1);
  }
  const [{ Redis }, { redisStore }, { bullmqScheduler }] = modules;
  redis = new Redis(redisUrl);
  // Connection trouble is logged, not thrown (an `error` event with no listener would crash).
  redis.on("error", (error) => line("error", "Redis connection error", { error: error.message }));
  shared = {
    store: redisStore({ client: redis }),
    hashSecret,
    // BullMQ opens (and closes) its own connections from the URL.
    scheduler: bullmqScheduler({ connection: { url: redisUrl }, worker: runsWorker, logger }),
  };
}

// --- amoCRM: its status webhooks carry no phone; look it up through the API ------------------------
let amocrm;
if (env("AMOCRM_SUBDOMAIN") && env("AMOCRM_ACCESS_TOKEN")) {
  amocrm = createAmocrmClient({
    subdomain: env("AMOCRM_SUBDOMAIN"),
    accessToken: env("AMOCRM_ACCESS_TOKEN"),
    logger,
  });
} else if (devMode) {
  const DEMO_PHONE = "+79001234567";
  amocrm = {
    async getLeadPhone(leadId, account) {
      line("demo", "amoCRM lookup is a DEMO: AMOCRM_SUBDOMAIN and AMOCRM_ACCESS_TOKEN not set", {
        lead: leadId,
        account: account?.subdomain,
        demoPhone: maskPhone(DEMO_PHONE),
      });
      return DEMO_PHONE;
    },
  };
}

const delayMinutes = Number(env("DELAY_MINUTES") ?? 0);
const linksBaseUrl = env("LINKS_BASE_URL");
const requester = createReviewRequester({
  keys: webhookKey,
  business,
  reviewUrl,
  channels,
  amocrm,
  delayMs: delayMinutes * 60_000,
  ...(linksBaseUrl ? { links: { baseUrl: linksBaseUrl } } : {}),
  ...shared,
  // Dev mode sends at once, whatever the time, and lets the demo curls (one phone) all go out.
  ...(devMode ? { quietHours: false, frequencyCapMs: false } : {}),
  // One line per outcome (a skipped one with its reason); DEBUG=1 adds the parser's detail.
  logger,
});

const app = express();
app.disable("x-powered-by");
app.get("/", (_req, res) => {
  res
    .type("text")
    .send(
      "otzovik example: POST /api/webhook/:source?key=…, status webhooks /api/status/:provider\n",
    );
});
// `all`, not `post`: the handler itself answers other methods with 405 and `Allow: POST`.
app.all("/api/webhook/:source", webhookHandler(requester, { logger }));
// Providers' status webhooks: /api/status/meta (also Meta's GET check), /api/status/sms.ru,
// /api/status/resend. Before any body parser: signatures are over the raw body. Each status
// that changes a message prints one line (`review request delivered` / `undelivered`, the phone
// masked); onDelivered / onUndelivered on the requester are where your own code would go.
app.all("/api/status/:provider", statusHandler(requester, { logger }));
// Short links (LINKS_BASE_URL): a GET redirects to REVIEW_URL and counts the click (the first one
// per order prints `review link clicked`); link-preview bots and HEAD are answered, not counted.
if (linksBaseUrl) {
  const path = new URL(linksBaseUrl).pathname.replace(/\/+$/, "");
  app.get(`${path}/:token`, linkHandler(requester, { logger }));
}
// Anything else, and every error Express itself raises (a malformed %-escape in the path is a
// URIError with status 400), is answered in JSON: never Express's HTML page with a stack trace.
app.use((_req, res) => {
  res.status(404).json({ ok: false, error: "not found" });
});
app.use((error, _req, res, next) => {
  if (res.headersSent) return next(error);
  const { status: given } = error ?? {};
  const status = Number.isInteger(given) && given >= 400 && given < 600 ? given : 500;
  if (status >= 500) {
    // The name and message only (no stack, control characters escaped): enough to find it.
    line("error", "request failed", { error: JSON.stringify(`${error?.name}: ${error?.message}`) });
    return res.status(500).json({ ok: false, error: "internal error" });
  }
  const reason = error instanceof URIError ? "malformed URL" : STATUS_CODES[status]?.toLowerCase();
  res.status(status).json({ ok: false, error: reason ?? "bad request" });
});

// Timeouts: a client that trickles its headers or body cannot hold a connection for Node's
// defaults (60 s for the headers, 300 s for the request); checked every second.
const server = createServer(
  { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 },
  app,
);
server.listen(Number(env("PORT") ?? 3000), env("HOST") ?? "127.0.0.1", () => {
  const { address, port } = server.address();
  const base = `http://${urlHost(address)}:${port}`;
  console.log(
    `otzovik example listening on ${base}${wildcard(address) ? ` (all interfaces, HOST=${address})` : ""}`,
  );
  if (redis) {
    // Where Redis is, never the URL itself: it may hold a password.
    console.log(`store: Redis (otzovik/redis) at ${redisHost(redisUrl)}`);
    console.log(
      runsWorker
        ? 'scheduler: BullMQ (otzovik/bullmq), queue "otzovik"; this process also runs its jobs'
        : 'scheduler: BullMQ (otzovik/bullmq), queue "otzovik"; enqueue only (OTZOVIK_WORKER=false): a worker process sends',
    );
  }
  if (devMode) {
    console.log("dev mode: no provider keys set, so messages are printed, not sent");
    if (devWhatsapp)
      console.log(
        `dev mode: WhatsApp first through a simulated Meta (DEV_WHATSAPP), then SMS; status webhooks at ${base}/api/status/meta${env("META_APP_SECRET") ? "" : ` signed with the app secret "${DEV_APP_SECRET}"`}`,
      );
    console.log("dev mode: quiet hours and the per-phone frequency cap are off, sends go out now");
    if (!env("WEBHOOK_KEY")) console.log(`dev mode: webhook key "${DEV_KEY}" (set WEBHOOK_KEY)`);
    if (!env("BUSINESS_NAME"))
      console.log(`dev mode: demo business "${business}" (set BUSINESS_NAME)`);
    if (redis && !env("HASH_SECRET")) console.log("dev mode: demo hash secret (set HASH_SECRET)");
    // Only the public dev key is ever printed; a WEBHOOK_KEY you set stays out of the output.
    const key = env("WEBHOOK_KEY") ? "$WEBHOOK_KEY" : DEV_KEY;
    console.log("try:");
    console.log(
      `  curl -X POST "${base}/api/webhook/rkeeper?key=${key}" -H "Content-Type: application/json" -d '{"order":{"status":"Выполнен","customer":{"phone":"+79991234567"}}}'`,
    );
  } else {
    console.log(
      `sending through: ${channels.map((c) => `${c.type}/${c.client.provider}`).join(", ")}`,
    );
  }
});

/** `0.0.0.0` or `::`: every interface, not an address to connect to. */
function wildcard(address) {
  return address === "0.0.0.0" || address === "::";
}

/** The host part of a URL for the address the server listens on (`localhost` for a wildcard). */
function urlHost(address) {
  if (wildcard(address)) return "localhost";
  return address.includes(":") ? `[${address}]` : address;
}

/** `host:port` of a Redis URL, without the user name or password it may hold. */
function redisHost(url) {
  try {
    return new URL(url).host || "REDIS_URL";
  } catch {
    return "REDIS_URL";
  }
}

// --- shutdown: SIGTERM (docker stop, Kubernetes) or Ctrl+C ----------------------------------------
// 1. stop taking webhooks; requests already in flight still get their answer (up to 5 s);
// 2. close the requester: sends already answered with 200 finish (up to 3 s), the scheduler stops
//    (BullMQ: after the jobs this process is running); then the Redis client, if any;
// 3. say which scheduled sends could not be kept (ids only: no phones), exit 0. With BullMQ none
//    is lost: they wait in Redis for a worker.
// Under 10 s in all, docker's default before it kills.
let closing = false;
async function shutdown(signal) {
  if (closing) return;
  closing = true;
  console.log(`${signal}: closing (no new webhooks; requests in flight get their answer)`);
  const forced = setTimeout(() => {
    console.error("shutdown took over 9 s: exiting");
    process.exit(1);
  }, 9_000);
  forced.unref();
  const closed = new Promise((resolve) => server.close(resolve));
  // A keep-alive connection stays open after its answer; close each one as soon as it is idle.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const grace = setTimeout(() => {
    console.error("requests still in flight after 5 s: closing their connections");
    server.closeAllConnections();
  }, 5_000);
  await closed;
  clearInterval(sweep);
  clearTimeout(grace);
  const { pending } = await requester.close({ timeoutMs: 3_000 });
  if (redis) {
    // quit() waits for the replies still due; a client that is not connected just disconnects.
    if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
    console.log("scheduled review requests stay queued in Redis for a worker");
  } else if (pending.length === 0) console.log("no scheduled review requests pending");
  else {
    console.log(`${pending.length} scheduled review request(s) not sent (in-process scheduler):`);
    for (const job of pending) console.log(`  ${job.id} due ${job.runAt}`);
  }
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
