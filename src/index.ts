/**
 * otzovik: turn "order completed" webhooks from iiko, R-Keeper, YCLIENTS and amoCRM into one polite
 * review request.
 *
 * @packageDocumentation
 */
export { ConfigError, OtzovikError, type OtzovikErrorOptions } from "./core/errors.js";
export { createLogger, type Logger, type LogMeta } from "./core/logger.js";
export {
  type CountryCode,
  maskPhone,
  type NormalizedPhone,
  type NoValidPhone,
  normalizePhone,
  type PhoneProblem,
  type ValidPhone,
} from "./core/phone.js";
export {
  AMOCRM_FINAL_STATUSES,
  type AmocrmParseOptions,
  amocrmContactPhone,
  parseAmocrm,
} from "./sources/amocrm.js";
export { IIKO_FINAL_STATUSES, type IikoParseOptions, parseIiko } from "./sources/iiko.js";
export { isSourceName, type Parser, parsers } from "./sources/index.js";
export {
  parseRkeeper,
  RKEEPER_FINAL_STATUSES,
  type RkeeperParseOptions,
} from "./sources/rkeeper.js";
export type {
  BaseParseOptions,
  ParsedEvent,
  ParseResult,
  PhoneLookup,
  SkipReason,
  SourceName,
} from "./sources/types.js";
export {
  parseYclients,
  YCLIENTS_FINAL_STATUSES,
  type YclientsParseOptions,
} from "./sources/yclients.js";
