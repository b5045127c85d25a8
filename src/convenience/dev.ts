import { ConfigError } from "../core/errors.js";
import type { Logger, LogMeta } from "../core/logger.js";
import { createLogger } from "../core/logger.js";
import type { Channel, ProviderName, SendResult } from "../providers/types.js";

/** Options shared by the convenience functions (`sendSms`, `sendWhatsapp`, `sendEmail`, …). */
export interface DevModeOptions {
  /**
   * `undefined` (default): send when the provider is configured, else log the message and resolve
   * with `dryRun: true` (dev mode). `true`: never send, always log. `false`: never fall back; a
   * missing key throws a {@link ConfigError}.
   */
  readonly dryRun?: boolean;
  /** Where dry-run lines and client logs go. Default: `console` for warnings. */
  readonly logger?: Partial<Logger>;
}

/**
 * Decides whether a convenience call runs dry. Throws a {@link ConfigError} naming the missing
 * variables when `dryRun` is `false` and the provider is not configured.
 */
export function shouldDryRun(
  provider: ProviderName,
  dryRun: boolean | undefined,
  missing: readonly string[],
): boolean {
  if (dryRun === true) return true;
  if (missing.length === 0) return false;
  if (dryRun === false) {
    throw new ConfigError(`Not configured: set ${missing.join(" and ")} or pass them explicitly.`, {
      provider,
      code: "config_missing",
    });
  }
  return true;
}

/** Logs a dry-run line at `warn` (so it shows in the console by default). */
export function logDryRun(
  logger: Partial<Logger> | undefined,
  provider: ProviderName,
  what: string,
  missing: readonly string[],
  meta: LogMeta,
): void {
  const why = missing.length > 0 ? `${missing.join(", ")} not set` : "dryRun: true";
  createLogger(logger).warn(`${provider}: dry run (${why}), ${what} not sent`, {
    provider,
    dryRun: true,
    ...meta,
  });
}

/** The result of a dry-run send. */
export function dryRunResult(provider: ProviderName, channel: Channel, to: string): SendResult {
  return {
    provider,
    channel,
    messageId: `dry-run-${globalThis.crypto.randomUUID()}`,
    to,
    dryRun: true,
  };
}

/** Names of the variables whose values are missing. */
export function missingOf(entries: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(entries)
    .filter(([, value]) => value === undefined || value === null || value === "")
    .map(([name]) => name);
}
