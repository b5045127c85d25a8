import { parseAmocrm } from "./amocrm.js";
import { parseIiko } from "./iiko.js";
import { parseRkeeper } from "./rkeeper.js";
import type { BaseParseOptions, ParseResult, SourceName } from "./types.js";
import { parseYclients } from "./yclients.js";

/** A webhook parser: body in, {@link ParseResult} out; never throws for any body. */
export type Parser = (body: unknown, options?: BaseParseOptions) => ParseResult;

/**
 * Every parser by source name, for code that picks the parser from a route parameter
 * (`/webhook/:source`). Use {@link isSourceName} to check the name first.
 */
export const parsers: Readonly<Record<SourceName, Parser>> = Object.freeze({
  iiko: parseIiko,
  rkeeper: parseRkeeper,
  yclients: parseYclients,
  amocrm: parseAmocrm,
});

/** `true` when `name` is one of the supported sources. */
export function isSourceName(name: unknown): name is SourceName {
  return typeof name === "string" && Object.hasOwn(parsers, name);
}
