import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OtzovikError } from "../../core/errors.js";
import { consoleLogger, LOG_LEVELS, type Logger, type LogLevel } from "../../core/logger.js";
import { maskPhone } from "../../core/phone.js";
import { createReviewRequester } from "../../requester/requester.js";
import type { AmocrmPhoneLookup, ReviewRequester } from "../../requester/types.js";
import { createAmocrmClient } from "../../sources/amocrm/client.js";
import { DEV_APP_SECRET, devChannels, type Print, providerChannels } from "./channels.js";
import { DEV_KEY, readServeConfig, type ServeConfig } from "./config.js";
import { type Env, envFlag, envValue } from "./env.js";
import { connectRedis, redisHost, type SharedState } from "./redis.js";
import { createDemoServer } from "./server.js";
import { closeOnSignals } from "./shutdown.js";

const print: Print = (line) => void process.stdout.write(`${line}\n`);
const fail = (line: string) => void process.stderr.write(`${line}\n`);

/** The log level the environment asks for (checked again, with a message, by the config). */
function logLevelOf(env: Env): LogLevel {
  const level = envValue(env, "OTZOVIK_LOG_LEVEL")?.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level ?? "")) return level as LogLevel;
  return envFlag(env, "DEBUG") ? "debug" : "info";
}

/** amoCRM's phone lookup: the API with AMOCRM_* set, a demo phone in dev mode, else none. */
function amocrmLookup(config: ServeConfig, logger: Logger): AmocrmPhoneLookup | undefined {
  if (config.amocrm) return createAmocrmClient({ ...config.amocrm, logger });
  if (!config.devMode) return undefined;
  const DEMO_PHONE = "+79001234567";
  return {
    async getLeadPhone(leadId, account) {
      logger.info("amoCRM lookup is a DEMO: AMOCRM_SUBDOMAIN and AMOCRM_ACCESS_TOKEN not set", {
        lead: leadId,
        account: account?.subdomain,
        demoPhone: maskPhone(DEMO_PHONE),
      });
      return DEMO_PHONE;
    },
  };
}

/** Listens on `port` and `host`; rejects with the server's error (a port in use). */
function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** What serve prints once it listens: where, how it sends, and in dev mode a request to try. */
function banner(config: ServeConfig, address: AddressInfo, describe: string[]): string[] {
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}`;
  const lines = [`otzovik listening on ${base}`, ...describe];
  if (!config.devMode) return lines;
  lines.push("dev mode: nothing is sent; each message is printed, the phone masked");
  if (config.devWhatsapp)
    lines.push(
      `dev mode: WhatsApp first through a simulated Meta (DEV_WHATSAPP), then SMS; status webhooks at ${base}/api/status/meta signed with the app secret "${DEV_APP_SECRET}" unless META_APP_SECRET is set`,
    );
  lines.push("dev mode: quiet hours and the per-phone frequency cap are off, sends go out now");
  // Only the public dev key is ever printed; a WEBHOOK_KEY you set stays out of the output.
  const key = config.webhookKey === DEV_KEY ? DEV_KEY : "$WEBHOOK_KEY";
  if (key === DEV_KEY) lines.push(`dev mode: webhook key "${DEV_KEY}" (set WEBHOOK_KEY)`);
  lines.push(
    "try:",
    `  curl -X POST "${base}/api/webhook/iiko?key=${key}" -H "Content-Type: application/json" -d '[{"eventType":"DeliveryOrderUpdate","eventInfo":{"id":"demo-1","order":{"status":"Closed","phone":"+79991234567"}}}]'`,
    "  npx otzovik explain iiko body.json    (why a body would or would not send)",
  );
  return lines;
}

/**
 * `otzovik serve`: the dev demo server from the installed package. Reads the environment (the
 * Express example's variables, plus HOST), listens, prints where, and runs until SIGINT or
 * SIGTERM. Resolves with `null` once listening, or with exit code 1 when the environment or the
 * port is wrong (the reason on stderr).
 *
 * @param env - The environment (process.env).
 */
export async function serve(env: Env): Promise<number | null> {
  const logger = consoleLogger(logLevelOf(env));
  let shared: SharedState | null = null;
  let requester: ReviewRequester | null = null;
  try {
    const providers = providerChannels(env, logger);
    const config = readServeConfig(env, providers);
    if ("problems" in config) {
      fail(config.heading);
      fail(config.problems.map((problem) => `  ${problem}`).join("\n"));
      return 1;
    }
    const channels = config.devMode
      ? devChannels(env, config.devWhatsapp, logger, print)
      : providers;
    const describe: string[] = [];
    if (config.redis) {
      shared = await connectRedis(config.redis, logger);
      // Where Redis is, never the URL itself: it may hold a password.
      describe.push(`store: Redis (otzovik/redis) at ${redisHost(config.redis.url)}`);
      describe.push(
        config.redis.worker
          ? 'scheduler: BullMQ (otzovik/bullmq), queue "otzovik"; this process also runs its jobs'
          : 'scheduler: BullMQ (otzovik/bullmq), queue "otzovik"; enqueue only (OTZOVIK_WORKER=false)',
      );
    }
    if (!config.devMode)
      describe.push(
        `sending through: ${channels.map((c) => `${c.type}/${c.client.provider}`).join(", ")}`,
      );
    requester = createReviewRequester({
      keys: config.webhookKey,
      business: config.business,
      reviewUrl: config.reviewUrl,
      channels,
      amocrm: amocrmLookup(config, logger),
      delayMs: config.delayMs,
      ...(shared
        ? { store: shared.store, scheduler: shared.scheduler, hashSecret: shared.hashSecret }
        : {}),
      // Dev mode sends at once, whatever the time, and lets the demo requests (one phone) all go out.
      ...(config.devMode ? { quietHours: false as const, frequencyCapMs: false as const } : {}),
      logger,
    });
    const server = createDemoServer(requester, logger);
    const address = await listen(server, config.port, config.host);
    for (const line of banner(config, address, describe)) print(line);
    closeOnSignals({ server, requester, closeShared: shared?.close ?? null, print });
    return null;
  } catch (error) {
    await requester?.close({ timeoutMs: 1_000 }).catch(() => {});
    await shared?.close().catch(() => {});
    if (error instanceof OtzovikError || error instanceof Error) {
      fail(`otzovik serve: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
