import * as z from "zod/mini";
import { ConfigError } from "../core/errors.js";
import { countrySchema, describeIssue } from "../sources/options.js";
import { findSource, sourceNames, sources } from "../sources/registry.js";
import type { RequesterOptions } from "./types.js";

const DAY_MS = 86_400_000;

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
  frequencyCapMs: z.optional(
    z.union([z.literal(false), duration(3650 * DAY_MS).check(z.minimum(1))]),
  ),
  dedupeTtlMs: z.optional(duration(3650 * DAY_MS).check(z.minimum(1))),
  amocrm: z.optional(hasMethod("getLeadPhone")),
  parse: z.optional(z.record(z.string(), z.unknown())),
  defaultCountry: countrySchema,
  dryRun: z.optional(z.boolean()),
  logger: z.optional(z.record(z.string(), z.unknown())),
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
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw new ConfigError(`Invalid option ${describeIssue(parsed.error)}.`);
  if (!options.keys && !options.resolveTenant) {
    throw new ConfigError(
      "Set `keys` (your webhook key, or several for rotation) or `resolveTenant` (one deployment, many businesses): webhooks are never accepted without a key.",
    );
  }
  if (options.keys && options.resolveTenant) {
    throw new ConfigError("Set either `keys` or `resolveTenant`, not both.");
  }
  if (options.keys && (!options.business || !options.reviewUrl)) {
    throw new ConfigError(
      "With static `keys`, set `business` (your business's name) and `reviewUrl` (where customers leave reviews).",
    );
  }
  // Parser options are checked now, not by the first webhook (which would then answer 503 forever).
  for (const [name, parseOptions] of Object.entries(options.parse ?? {})) {
    const source = findSource(sources, name);
    if (!source) {
      throw new ConfigError(
        `Invalid option \`parse.${name}\`: unknown source; use ${sourceNames.join(", ")}.`,
      );
    }
    source.checkOptions(parseOptions, `parse.${name}`);
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
