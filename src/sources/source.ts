// TEMPORARY STUB (replaced by the sources branch at merge).
import type { BaseParseOptions, ParsedEvent, ParseResult } from "./types.js";

export interface SourceLookup<Client> {
  readonly option: string;
  isClient(value: unknown): value is Client;
  phone(event: ParsedEvent, client: Client): Promise<string | null>;
  readonly missingClient: string;
}

export interface Source<
  Name extends string = string,
  Options extends BaseParseOptions = BaseParseOptions,
> {
  readonly name: Name;
  parse(body: unknown, options?: Options): ParseResult;
  checkOptions(options: unknown, path: string): void;
  // biome-ignore lint/suspicious/noExplicitAny: stub
  readonly lookup?: SourceLookup<any>;
}
