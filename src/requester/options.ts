import * as z from "zod/mini";
import { ConfigError } from "../core/errors.js";
import { LOG_LEVELS } from "../core/logger.js";
import { parseOptions } from "../core/options.js";
import { countrySchema } from "../sources/options.js";
import { sources as builtInSources } from "../sources/registry.js";
import type { EmailChannel, RequesterOptions, SmsChannel, WhatsappChannel } from "./types.js";

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
  reviewUrls: z.optional(z.array(text).check(z.maxLength(10))),
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
  reviewUrls: z.optional(z.array(text).check(z.maxLength(10))),
  links: z.optional(z.unknown()),
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
  lookupPhone: z.optional(fn),
  maxSmsSegments: z.optional(
    z.union([z.literal(false), z.number().check(z.int(), z.minimum(1, "must be at least 1"))]),
  ),
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
  onDelivered: z.optional(fn),
  onUndelivered: z.optional(fn),
  onClicked: z.optional(fn),
  now: z.optional(fn),
});

/** Every option of {@link RequesterOptions}: typed, so a new option cannot be forgotten here. */
const KNOWN_OPTIONS: Readonly<Record<keyof RequesterOptions, true>> = {
  keys: true,
  business: true,
  reviewUrl: true,
  reviewUrls: true,
  links: true,
  tenantId: true,
  resolveTenant: true,
  channels: true,
  message: true,
  maxSmsSegments: true,
  store: true,
  hashSecret: true,
  scheduler: true,
  delayMs: true,
  quietHours: true,
  frequencyCapMs: true,
  retryDelaysMs: true,
  dedupeTtlMs: true,
  amocrm: true,
  lookups: true,
  lookupPhone: true,
  pinTenantAccounts: true,
  sources: true,
  parse: true,
  defaultCountry: true,
  dryRun: true,
  logger: true,
  logLevel: true,
  onSent: true,
  onScheduled: true,
  onSkipped: true,
  onFailed: true,
  onDelivered: true,
  onUndelivered: true,
  onClicked: true,
  now: true,
};

/** The options of each channel type, typed like {@link KNOWN_OPTIONS}. */
const KNOWN_CHANNEL_OPTIONS = {
  sms: { type: true, client: true } satisfies Record<keyof SmsChannel, true>,
  whatsapp: { type: true, client: true, template: true } satisfies Record<
    keyof WhatsappChannel,
    true
  >,
  email: { type: true, client: true, subject: true } satisfies Record<keyof EmailChannel, true>,
} as const;

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[x.length] as number[])[y.length] as number;
}

/**
 * The known name nearest to `name`: the shortest one it begins (`delay` → `delayMs`), else the
 * closest within a third of its length (at least 2 edits), or `null`.
 */
export function nearestName(name: string, known: readonly string[]): string | null {
  const lower = name.toLowerCase();
  if (lower.length >= 3) {
    const extended = known.filter((k) => k.toLowerCase().startsWith(lower));
    if (extended.length > 0) return extended.reduce((a, b) => (a.length <= b.length ? a : b));
  }
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Refuses keys of `value` that are not in `known`, so a misspelt option (`delay: "2h"`) fails at
 * start-up instead of silently doing nothing.
 *
 * @throws ConfigError ``Unknown option `delay`: did you mean `delayMs`?``
 */
function rejectUnknownKeys(value: object, known: readonly string[], prefix = ""): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    // Option names are ours to quote; a key as long as a secret is cut (it is only a name).
    const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
    const near = nearestName(key, known);
    const hint =
      near === null
        ? `the options are ${known.map((k) => `\`${k}\``).join(", ")}.`
        : `did you mean \`${prefix}${near}\`?`;
    throw new ConfigError(`Unknown option \`${prefix}${shown}\`: ${hint}`);
  }
}

/**
 * Validates {@link RequesterOptions}; throws a {@link ConfigError} naming the first wrong option.
 */
export function validateRequesterOptions(options: RequesterOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new ConfigError("createReviewRequester() needs an options object.");
  }
  rejectUnknownKeys(options, Object.keys(KNOWN_OPTIONS));
  if (Array.isArray(options.channels)) {
    for (const [i, spec] of options.channels.entries()) {
      const known =
        typeof spec === "object" && spec !== null
          ? KNOWN_CHANNEL_OPTIONS[spec.type as keyof typeof KNOWN_CHANNEL_OPTIONS]
          : undefined;
      if (known && Object.hasOwn(KNOWN_CHANNEL_OPTIONS, spec.type)) {
        rejectUnknownKeys(spec, Object.keys(known), `channels.${i}.`);
      }
    }
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
