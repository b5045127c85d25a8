import type { BaseParseOptions, ParsedEvent, ParseResult } from "./types.js";

/**
 * A POS/CRM the requester can read webhooks from: its name, its parser, the check of its parser
 * options and, for sources whose webhooks may not carry the phone, how to look the phone up.
 *
 * Make one with {@link defineSource}; the built-in ones are in {@link sources}.
 *
 * @typeParam Name - The source's name: the `:source` route parameter and the `parse` option key.
 * @typeParam Options - What its parser takes.
 * @typeParam Client - The API client its {@link SourceLookup} uses (`unknown` when it has none).
 */
export interface Source<
  Name extends string = string,
  Options extends BaseParseOptions = BaseParseOptions,
  Client = unknown,
> {
  /** The source's name (`"iiko"`): route parameter, `parse` option key, `ParsedEvent.source`. */
  readonly name: Name;
  /**
   * Reads a webhook body. Never throws for any body; invalid options throw a `ConfigError`.
   *
   * @param body - The request body: text, bytes, or a value a body parser produced.
   * @param options - The source's parser options.
   */
  parse(body: unknown, options?: Options): ParseResult;
  /**
   * Validates parser options once (at requester creation), so a wrong option fails at start-up
   * rather than on every webhook. Throws a `ConfigError` naming `` `${path}.<option>` ``, e.g.
   * ``Invalid option `parse.iiko.finalStatuses.delivery`: expected array.``; accepts `undefined`.
   *
   * @param options - The options as the user gave them (unchecked).
   * @param path - Where they were given, e.g. `"parse.iiko"`.
   */
  checkOptions(options: unknown, path: string): void;
  /** For sources whose webhooks may not carry the phone (amoCRM): how to look it up. */
  readonly lookup?: SourceLookup<Client>;
}

/**
 * How a source looks up a phone its webhooks do not carry: an event that should send with
 * `phone: null` has {@link ParsedEvent.lookup} set, and the requester asks the configured client.
 *
 * @typeParam Client - The API client (amoCRM: anything with `getLeadPhone`).
 */
export interface SourceLookup<Client> {
  /** The requester option / tenant setting that holds the client, e.g. `"amocrm"`. */
  readonly option: string;
  /**
   * `true` when `value` is a usable client (checked at creation).
   *
   * @param value - The option's value as the user gave it.
   */
  isClient(value: unknown): value is Client;
  /**
   * Finds the phone for an event with `event.lookup` set.
   *
   * @param event - An event with `shouldSend: true`, `phone: null` and a `lookup`.
   * @param client - The configured client.
   * @returns The E.164 phone, or `null` when there is none; rejects with an `OtzovikError`.
   */
  phone(event: ParsedEvent, client: Client): Promise<string | null>;
  /** The `ConfigError` text for an event that needs a lookup when no client is configured. */
  readonly missingClient: string;
}

/** The parser options type of a {@link Source} (`IikoParseOptions` for `sources.iiko`). */
export type OptionsOf<S> = S extends Source<string, infer Options, infer _Client> ? Options : never;

/**
 * Defines a source. A typed helper that returns its argument: the name keeps its literal type and
 * the options type is taken from `parse`, so a registry built from sources derives its names and
 * its `parse` option types.
 *
 * @param source - The source.
 * @returns `source` itself.
 *
 * @example
 * export const posterSource = defineSource({
 *   name: "poster",
 *   parse: parsePoster,
 *   checkOptions: posterOptions.check,
 * })
 */
export function defineSource<
  const Name extends string,
  Options extends BaseParseOptions = BaseParseOptions,
  Client = unknown,
>(source: Source<Name, Options, Client>): Source<Name, Options, Client> {
  return source;
}
