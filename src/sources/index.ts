/** The sources: the registry, and how to define a source. */
export {
  findSource,
  isSourceName,
  type Parser,
  type ParserOptions,
  type ParserOptionsOf,
  parsers,
  type SourceName,
  type SourceRegistry,
  sourceNames,
  sources,
} from "./registry.js";
export { defineSource, type OptionsOf, type Source, type SourceLookup } from "./source.js";
