export { ConfigError, OtzovikError, type OtzovikErrorOptions } from "./core/errors.js";
export { createLogger, type Logger, type LogMeta } from "./core/logger.js";
export {
  type CountryCode,
  maskPhone,
  type NormalizedPhone,
  normalizePhone,
  type PhoneProblem,
} from "./core/phone.js";
export { IIKO_FINAL_STATUSES, type IikoParseOptions, parseIiko } from "./sources/iiko.js";
export type {
  BaseParseOptions,
  ParsedEvent,
  ParseResult,
  PhoneLookup,
  SkipReason,
  SourceName,
} from "./sources/types.js";
