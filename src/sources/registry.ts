import { amocrmSource } from "./amocrm/index.js";
import { iikoSource } from "./iiko.js";
import { rkeeperSource } from "./rkeeper.js";
import type { OptionsOf, Source } from "./source.js";
import type { BaseParseOptions, ParseResult } from "./types.js";
import { yclientsSource } from "./yclients.js";

/**
 * The sources otzovik reads webhooks from, by name. A new POS is one file in `src/sources/`
 * (its parser and its {@link defineSource} definition) and one line here.
 */
export const sources = Object.freeze({
  /** iiko Cloud API (iikoTransport) webhooks: {@link parseIiko}, {@link IikoParseOptions}. */
  iiko: iikoSource,
  /** R-Keeper (r_k Delivery) push notifications: {@link parseRkeeper}, {@link RkeeperParseOptions}. */
  rkeeper: rkeeperSource,
  /** YCLIENTS (Altegio) webhooks: {@link parseYclients}, {@link YclientsParseOptions}. */
  yclients: yclientsSource,
  /** amoCRM (Kommo) webhooks: {@link parseAmocrm}, {@link AmocrmParseOptions}; phone lookup by `amocrm`. */
  amocrm: amocrmSource,
});

/** The POS and CRM systems otzovik reads webhooks from: the names in {@link sources}. */
export type SourceName = keyof typeof sources;

/** Sources by name, such as {@link sources}. */
export type SourceRegistry = { readonly [name: string]: Source };

/** Parser options per source of a registry: `{ iiko?: IikoParseOptions, … }`. */
export type ParserOptionsOf<Registry> = {
  readonly [Name in keyof Registry]?: OptionsOf<Registry[Name]>;
};

/**
 * Per-source parser options (the requester's `parse` option): `iiko` takes
 * `IikoParseOptions`, `rkeeper` `RkeeperParseOptions`, `yclients` `YclientsParseOptions`,
 * `amocrm` `AmocrmParseOptions`.
 */
export type ParserOptions = ParserOptionsOf<typeof sources>;

/** The names in {@link sources}, in order: for messages listing the sources. */
export const sourceNames: readonly SourceName[] = Object.freeze(
  Object.keys(sources) as SourceName[],
);

/**
 * The source called `name` in `registry`, or `undefined`. Only the registry's own entries count:
 * `"toString"` or `"__proto__"` (say, from a route parameter) give `undefined`.
 *
 * @param registry - Sources by name, such as {@link sources}.
 * @param name - The name to look up; any value.
 */
export function findSource(registry: SourceRegistry, name: unknown): Source | undefined {
  return typeof name === "string" && Object.hasOwn(registry, name) ? registry[name] : undefined;
}

/** `true` when `name` is one of the supported sources. */
export function isSourceName(name: unknown): name is SourceName {
  return findSource(sources, name) !== undefined;
}

/** A webhook parser: body in, {@link ParseResult} out; never throws for any body. */
export type Parser = (body: unknown, options?: BaseParseOptions) => ParseResult;

/**
 * Every parser by source name, for code that picks the parser from a route parameter
 * (`/webhook/:source`). Use {@link isSourceName} to check the name first.
 */
export const parsers: Readonly<Record<SourceName, Parser>> = Object.freeze(
  Object.fromEntries(sourceNames.map((name) => [name, sources[name].parse])) as Record<
    SourceName,
    Parser
  >,
);
