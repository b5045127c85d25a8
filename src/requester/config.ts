import { atLevel, consoleLogger, createLogger, type Logger } from "../core/logger.js";
import type { CountryCode } from "../core/phone.js";
import { checkReviewTargets, type ResolvedLinks, resolveLinks } from "../links/options.js";
import { inProcessScheduler } from "../schedulers/in-process.js";
import type { Scheduler } from "../schedulers/types.js";
import { sources as builtInSources } from "../sources/registry.js";
import type { Source } from "../sources/source.js";
import { memoryStore } from "../stores/memory.js";
import type { Store } from "../stores/types.js";
import { validateRequesterOptions } from "./options.js";
import { DEFAULT_QUIET_HOURS, type QuietWindow, quietWindow } from "./quiet-hours.js";
import { compileTemplate, DEFAULT_LINK_MESSAGE, DEFAULT_MESSAGE, type Render } from "./template.js";
import type { ChannelSpec, RequesterOptions, WhatsappTemplate } from "./types.js";

const DAY_MS = 86_400_000;
/** Default {@link RequesterOptions.frequencyCapMs}: 30 days. */
export const DEFAULT_FREQUENCY_CAP_MS = 30 * DAY_MS;
/** Default {@link RequesterOptions.dedupeTtlMs}: 90 days. */
export const DEFAULT_DEDUPE_TTL_MS = 90 * DAY_MS;
/** Default {@link RequesterOptions.retryDelaysMs}: 1 minute, 10 minutes, 1 hour. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  60_000, 600_000, 3_600_000,
]);
/** Default {@link RequesterOptions.maxSmsSegments}: one segment. */
export const DEFAULT_MAX_SMS_SEGMENTS = 1;
/** Default email subject. */
export const DEFAULT_SUBJECT = "{business}: оцените нас";

/** A channel with its templates compiled. */
export interface Channel {
  /** The channel as configured. */
  readonly spec: ChannelSpec;
  /** The email subject renderer (email channels). */
  readonly subject: Render | null;
  /** The WhatsApp template and its parameter renderers (WhatsApp template channels). */
  readonly template: {
    readonly spec: WhatsappTemplate;
    readonly parameters: readonly Render[];
  } | null;
}

/** Timing and limits of a tenant (the requester's defaults, or a tenant's overrides). */
export interface Timing {
  /** Delay after the event, ms. */
  readonly delayMs: number;
  /** Frequency cap per phone, ms, or `false`. */
  readonly frequencyCapMs: number | false;
  /** Quiet hours, or `null` for none. */
  readonly quiet: QuietWindow | null;
}

/** {@link RequesterOptions} validated once, with every default filled in and every template compiled. */
export interface RequesterConfig {
  readonly options: RequesterOptions;
  readonly logger: Logger;
  readonly store: Store;
  readonly scheduler: Scheduler;
  readonly now: () => number;
  readonly defaultCountry: CountryCode;
  readonly dedupeTtlMs: number;
  /** Waits before each retry, ms (empty: no retries). */
  readonly retryDelaysMs: readonly number[];
  readonly dryRun: boolean;
  /** The requester's own timing, used where a tenant sets none. */
  readonly timing: Timing;
  /** The requester's message. */
  readonly message: Render;
  /** The most SMS segments a message should take before a warning, or `null` for no check. */
  readonly maxSmsSegments: number | null;
  /** Channels in fallback order. */
  readonly channels: readonly Channel[];
  /** Sources by name: the built-in ones and `options.sources`. */
  readonly sources: Readonly<Record<string, Source>>;
  /** Lookup clients by the option name their source reads (`amocrm`). */
  readonly lookups: Readonly<Record<string, unknown>>;
  /** Webhook keys (static-key mode). */
  readonly keys: readonly string[];
  /** Short links (the `links` option), or `null`. */
  readonly links: ResolvedLinks | null;
}

function compileChannel(spec: ChannelSpec, index: number): Channel {
  if (spec.type === "email") {
    return {
      spec,
      subject: compileTemplate(spec.subject ?? DEFAULT_SUBJECT, `channels.${index}.subject`),
      template: null,
    };
  }
  if (spec.type === "whatsapp" && spec.template) {
    const parameters = (spec.template.parameters ?? []).map((p, i) =>
      compileTemplate(p, `channels.${index}.template.parameters.${i}`),
    );
    return { spec, subject: null, template: { spec: spec.template, parameters } };
  }
  return { spec, subject: null, template: null };
}

/** Builds the source registry a requester reads: built-in sources plus the user's own. */
function sourceRegistry(extra: readonly Source[] | undefined): Readonly<Record<string, Source>> {
  const registry: Record<string, Source> = Object.create(null);
  for (const source of [...Object.values(builtInSources), ...(extra ?? [])]) {
    registry[source.name] = source;
  }
  return Object.freeze(registry);
}

/**
 * The requester's logger: the given one (every level, or from `logLevel` up), or without one the
 * console from `logLevel` up (default `"info"`).
 */
function requesterLogger(options: RequesterOptions): Logger {
  if (options.logger == null) return consoleLogger(options.logLevel ?? "info");
  const logger = createLogger(options.logger);
  return options.logLevel === undefined ? logger : atLevel(logger, options.logLevel);
}

/**
 * Validates {@link RequesterOptions} and resolves them into one {@link RequesterConfig}: defaults
 * filled in, quiet hours checked, every template compiled (so a `{typo}` fails here, not in every
 * message), parser options checked by their source.
 *
 * @throws ConfigError naming the option.
 */
export function resolveConfig(options: RequesterOptions): RequesterConfig {
  validateRequesterOptions(options);
  const links = resolveLinks(options.links);
  if (links && options.keys) {
    checkReviewTargets([
      { url: options.reviewUrl, option: "reviewUrl" },
      ...(options.reviewUrls ?? []).map((url, i) => ({ url, option: `reviewUrls.${i}` })),
    ]);
  }
  const sources = sourceRegistry(options.sources);
  for (const [name, parseOptions] of Object.entries(options.parse ?? {})) {
    sources[name]?.checkOptions(parseOptions, `parse.${name}`);
  }
  const lookups: Record<string, unknown> = { ...options.lookups };
  if (options.amocrm) lookups.amocrm = options.amocrm;
  return {
    options,
    logger: requesterLogger(options),
    store: options.store ?? memoryStore({ logger: options.logger }),
    scheduler: options.scheduler ?? inProcessScheduler({ logger: options.logger }),
    now: options.now ?? Date.now,
    defaultCountry: options.defaultCountry ?? "RU",
    dedupeTtlMs: options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS,
    retryDelaysMs:
      options.retryDelaysMs === false ? [] : (options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS),
    dryRun: options.dryRun ?? false,
    timing: {
      delayMs: options.delayMs ?? 0,
      frequencyCapMs: options.frequencyCapMs ?? DEFAULT_FREQUENCY_CAP_MS,
      quiet:
        options.quietHours === false
          ? null
          : quietWindow(options.quietHours ?? DEFAULT_QUIET_HOURS),
    },
    // With links, a shorter default: one SMS segment with a 25-character name (see DEFAULT_LINK_MESSAGE).
    message: compileTemplate(
      options.message ?? (links ? DEFAULT_LINK_MESSAGE : DEFAULT_MESSAGE),
      "message",
    ),
    maxSmsSegments:
      options.maxSmsSegments === false
        ? null
        : (options.maxSmsSegments ?? DEFAULT_MAX_SMS_SEGMENTS),
    channels: options.channels.map(compileChannel),
    sources,
    lookups,
    keys:
      options.keys === undefined
        ? []
        : typeof options.keys === "string"
          ? [options.keys]
          : [...options.keys],
    links,
  };
}
