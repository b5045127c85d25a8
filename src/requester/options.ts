import * as z from "zod/mini";
import { ConfigError } from "../core/errors.js";
import { LOG_LEVELS } from "../core/logger.js";
import { parseOptions } from "../core/options.js";
import { countrySchema } from "../sources/options.js";
import { sources as builtInSources } from "../sources/registry.js";
import type { RequesterOptions } from "./types.js";

const DAY_MS = 86_400_000;
const sourceNames = Object.keys(builtInSources);

const fn = z.custom<(...args: never[]) => unknown>(
  (v) => typeof v === "function",
  "expected a function",
);
const hasMethod = (method: string) =>
  z.custom<object>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      typeof (v as Record<string, unknown>)[method] === "function",
    `expected a client with a ${method}() method`,
  );
const duration = (max: number) => z.number().check(z.int(), z.minimum(0), z.maximum(max));
const text = z.string().check(z.trim(), z.minLength(1));
const quietHours = z.union([
  z.literal(false),
  z.object({ start: z.string(), end: z.string(), timeZone: z.string() }),
]);

const channel = z.discriminatedUnion("type", [
  z.object({ type: z.literal("sms"), client: hasMethod("sendSms") }),
  z.object({
    type: z.literal("whatsapp"),
    client: hasMethod("sendWhatsapp"),
    template: z.optional(
      z.object({ name: text, language: text, parameters: z.optional(z.array(z.string())) }),
    ),
  }),
  z.object({
    type: z.literal("email"),
    client: hasMethod("sendEmail"),
    subject: z.optional(z.union([z.string(), fn])),
  }),
]);

const frequencyCap = z.union([z.literal(false), duration(3650 * DAY_MS).check(z.minimum(1))]);

/** What `resolveTenant` may return, checked on every use (settings come from your database). */
const tenantSchema = z.object({
  id: text,
  business: text,
  reviewUrl: text,
  message: z.optional(z.string()),
  channels: z.optional(z.array(z.enum(["sms", "whatsapp", "email"]))),
  quietHours: z.optional(quietHours),
  delayMs: z.optional(duration(30 * DAY_MS)),
  frequencyCapMs: z.optional(frequencyCap),
  lookups: z.optional(z.record(z.string(), z.unknown())),
  amocrm: z.optional(hasMethod("getLeadPhone")),
  accounts: z.optional(z.record(z.string(), text)),
});

/**
 * Checks a tenant's settings (from `resolveTenant`); throws a {@link ConfigError} naming the first
 * wrong setting as `tenant.<name>`.
 */
export function validateTenantSettings(tenant: unknown): void {
  if (typeof tenant !== "object" || tenant === null) {
    throw new ConfigError(
      "`resolveTenant` must resolve an object with `id`, `business` and `reviewUrl`, or null.",
    );
  }
  parseOptions(tenantSchema, tenant, { prefix: "tenant", label: "Invalid option" });
}

const schema = z.object({
  keys: z.optional(z.union([text, z.array(text).check(z.minLength(1))])),
  business: z.optional(text),
  reviewUrl: z.optional(text),
  tenantId: z.optional(text),
  resolveTenant: z.optional(fn),
  channels: z.array(channel).check(z.minLength(1)),
  message: z.optional(z.union([z.string(), fn])),
  store: z.optional(hasMethod("claim")),
  scheduler: z.optional(hasMethod("schedule")),
  delayMs: z.optional(duration(30 * DAY_MS)),
  quietHours: z.optional(quietHours),
  frequencyCapMs: z.optional(frequencyCap),
  retryDelaysMs: z.optional(
    z.union([
      z.literal(false),
      z.array(duration(7 * DAY_MS).check(z.minimum(1))).check(z.maxLength(10)),
    ]),
  ),
  dedupeTtlMs: z.optional(duration(3650 * DAY_MS).check(z.minimum(1))),
  amocrm: z.optional(hasMethod("getLeadPhone")),
  lookups: z.optional(z.record(z.string(), z.unknown())),
  pinTenantAccounts: z.optional(z.boolean()),
  sources: z.optional(
    z.array(
      z.object({
        name: text.check(
          z.regex(
            /^[a-z0-9][a-z0-9._-]{0,62}$/,
            "must be lower-case letters, digits, `.`, `_` or `-`",
          ),
        ),
        parse: fn,
        checkOptions: fn,
      }),
    ),
  ),
  parse: z.optional(z.record(z.string(), z.unknown())),
  hashSecret: z.optional(z.string().check(z.minLength(16, "must be at least 16 characters"))),
  defaultCountry: countrySchema,
  dryRun: z.optional(z.boolean()),
  logger: z.optional(z.record(z.string(), z.unknown())),
  logLevel: z.optional(z.enum(LOG_LEVELS)),
  onSent: z.optional(fn),
  onScheduled: z.optional(fn),
  onSkipped: z.optional(fn),
  onFailed: z.optional(fn),
  now: z.optional(fn),
});

/**
 * Validates {@link RequesterOptions}; throws a {@link ConfigError} naming the first wrong option.
 */
export function validateRequesterOptions(options: RequesterOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new ConfigError("createReviewRequester() needs an options object.");
  }
  parseOptions(schema, options, { label: "Invalid option" });
  if (!options.keys && !options.resolveTenant) {
    throw new ConfigError(
      "Set `keys` (your webhook key, or several for rotation) or `resolveTenant` (one deployment, many businesses): webhooks are never accepted without a key.",
    );
  }
  if (options.keys && options.resolveTenant) {
    throw new ConfigError("Set either `keys` or `resolveTenant`, not both.");
  }
  const shared = options.amocrm ? "amocrm" : Object.keys(options.lookups ?? {})[0];
  if (options.resolveTenant && shared !== undefined && options.pinTenantAccounts !== true) {
    throw new ConfigError(
      `With \`resolveTenant\`, a requester-level \`${shared === "amocrm" ? "amocrm" : `lookups.${shared}`}\` client would let any business's webhook key look up leads in that one account. Give each tenant its own client (\`TenantSettings.amocrm\`), or set \`pinTenantAccounts: true\` and name every tenant's account in \`TenantSettings.accounts\`.`,
    );
  }
  if (options.keys && (!options.business || !options.reviewUrl)) {
    throw new ConfigError(
      "With static `keys`, set `business` (your business's name) and `reviewUrl` (where customers leave reviews).",
    );
  }
  const names = new Set(sourceNames);
  for (const [i, source] of (options.sources ?? []).entries()) {
    if (names.has(source.name)) {
      throw new ConfigError(
        `Invalid option \`sources.${i}.name\`: ${JSON.stringify(source.name)} is already a source; give yours another name.`,
      );
    }
    names.add(source.name);
  }
  // Parser options are checked now, not by the first webhook (which would then answer 503 forever).
  for (const source of Object.keys(options.parse ?? {})) {
    if (!names.has(source) || source === "__proto__") {
      throw new ConfigError(
        `Invalid option \`parse.${source}\`: unknown source; use ${[...names].join(", ")}.`,
      );
    }
  }
  for (const [i, spec] of options.channels.entries()) {
    if (
      spec.type === "whatsapp" &&
      spec.template &&
      typeof (spec.client as { sendTemplate?: unknown }).sendTemplate !== "function"
    ) {
      throw new ConfigError(
        `Option \`channels.${i}.template\` needs a WhatsApp client with sendTemplate() (createMetaWhatsappClient).`,
      );
    }
  }
}
