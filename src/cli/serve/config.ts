import { LOG_LEVELS, type LogLevel } from "../../core/logger.js";
import type { ChannelSpec } from "../../requester/types.js";
import { type Env, envFlag, envValue } from "./env.js";

/** The webhook key in dev mode when WEBHOOK_KEY is not set: public, printed, never for production. */
export const DEV_KEY = "dev-key";
/** The demo business name in dev mode. */
export const DEV_BUSINESS = "Кофейня «Зерно»";
/** The demo review link in dev mode. */
export const DEV_REVIEW_URL = "https://example.com/review";
/** The demo hash secret in dev mode with REDIS_URL. */
export const DEV_HASH_SECRET = "dev-only-hash-secret-not-for-production";

/** Redis and BullMQ (REDIS_URL): several instances, sends that survive a restart. */
export interface RedisSettings {
  readonly url: string;
  readonly hashSecret: string;
  /** `false` (OTZOVIK_WORKER=false): this process only enqueues; a worker process sends. */
  readonly worker: boolean;
}

/** Everything `otzovik serve` takes from the environment, checked. */
export interface ServeConfig {
  /** No provider keys and not NODE_ENV=production: print instead of sending. */
  readonly devMode: boolean;
  /** DEV_WHATSAPP in dev mode: WhatsApp first, through a simulated Meta. */
  readonly devWhatsapp: boolean;
  readonly webhookKey: string;
  readonly business: string;
  readonly reviewUrl: string;
  readonly port: number;
  readonly host: string;
  readonly delayMs: number;
  readonly logLevel: LogLevel;
  readonly redis: RedisSettings | null;
  /** AMOCRM_SUBDOMAIN and AMOCRM_ACCESS_TOKEN, when both are set. */
  readonly amocrm: { readonly subdomain: string; readonly accessToken: string } | null;
}

/** What is wrong with the environment: one line per problem, for stderr (exit 1). */
export interface ServeConfigProblems {
  readonly heading: string;
  readonly problems: readonly string[];
}

const PROVIDER_KEYS =
  "the keys of at least one provider: SMSRU_API_KEY, or META_WHATSAPP_ACCESS_TOKEN and META_WHATSAPP_PHONE_NUMBER_ID, or EXOLVE_WHATSAPP_API_KEY and EXOLVE_WHATSAPP_SENDER_ID, or RESEND_API_KEY and RESEND_FROM";

/** A whole number in [min, max] from `name`, or a problem. */
function wholeNumber(
  env: Env,
  name: string,
  fallback: number,
  max: number,
  problems: string[],
): number {
  const text = envValue(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max) {
    problems.push(`${name} must be a whole number from 0 to ${max}`);
    return fallback;
  }
  return value;
}

/**
 * Reads the configuration from the environment, the same variables as the Express example
 * (examples/express/server.mjs), plus HOST (default 127.0.0.1) and OTZOVIK_LOG_LEVEL (or DEBUG=1
 * for debug).
 *
 * @param env - The environment.
 * @param providerChannels - How many provider channels the keys set up.
 */
export function readServeConfig(
  env: Env,
  providerChannels: readonly ChannelSpec[],
): ServeConfig | ServeConfigProblems {
  const value = (name: string) => envValue(env, name);
  const production = value("NODE_ENV") === "production";
  const devMode = providerChannels.length === 0 && !production;
  const problems: string[] = [];
  const webhookKey = value("WEBHOOK_KEY") ?? (devMode ? DEV_KEY : undefined);
  const business = value("BUSINESS_NAME") ?? (devMode ? DEV_BUSINESS : undefined);
  const reviewUrl = value("REVIEW_URL") ?? (devMode ? DEV_REVIEW_URL : undefined);
  const redisUrl = value("REDIS_URL");
  const hashSecret = redisUrl
    ? (value("HASH_SECRET") ?? (devMode ? DEV_HASH_SECRET : undefined))
    : undefined;
  if (!webhookKey) problems.push("WEBHOOK_KEY");
  if (!business) problems.push("BUSINESS_NAME");
  if (!reviewUrl) problems.push("REVIEW_URL");
  if (redisUrl && !hashSecret)
    problems.push(
      "HASH_SECRET (REDIS_URL is set: 16+ random characters, the same on every instance, e.g. `openssl rand -hex 32`)",
    );
  if (hashSecret !== undefined && hashSecret.length < 16)
    problems.push("HASH_SECRET must be at least 16 characters, the same on every instance");
  if (providerChannels.length === 0 && production) problems.push(PROVIDER_KEYS);
  const worker = value("OTZOVIK_WORKER")?.toLowerCase();
  if (worker !== undefined && !["true", "false", "1", "0"].includes(worker))
    problems.push("OTZOVIK_WORKER must be true or false");
  const level =
    value("OTZOVIK_LOG_LEVEL")?.toLowerCase() ?? (envFlag(env, "DEBUG") ? "debug" : "info");
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    problems.push(`OTZOVIK_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  const port = wholeNumber(env, "PORT", 3000, 65_535, problems);
  const delayMinutes = wholeNumber(env, "DELAY_MINUTES", 0, 60 * 24 * 30, problems);
  if (problems.length > 0)
    return {
      heading: production
        ? "NODE_ENV=production: not starting in dev mode (it would answer 200 and send nothing). Set:"
        : devMode
          ? "Set:"
          : "Provider keys are set, so this is not dev mode. Set:",
      problems,
    };
  const subdomain = value("AMOCRM_SUBDOMAIN");
  const accessToken = value("AMOCRM_ACCESS_TOKEN");
  return {
    devMode,
    devWhatsapp: devMode && envFlag(env, "DEV_WHATSAPP"),
    webhookKey: webhookKey as string,
    business: business as string,
    reviewUrl: reviewUrl as string,
    port,
    host: value("HOST") ?? "127.0.0.1",
    delayMs: delayMinutes * 60_000,
    logLevel: level as LogLevel,
    redis: redisUrl
      ? {
          url: redisUrl,
          hashSecret: hashSecret as string,
          worker: worker !== "false" && worker !== "0",
        }
      : null,
    amocrm: subdomain && accessToken ? { subdomain, accessToken } : null,
  };
}
