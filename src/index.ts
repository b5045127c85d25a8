/**
 * otzovik: turn "order completed" webhooks from iiko, R-Keeper, YCLIENTS and amoCRM into one polite
 * review request by SMS, WhatsApp or email.
 *
 * @packageDocumentation
 */

export * from "./channels/index.js";
export {
  ConfigError,
  type ErrorCode,
  OtzovikError,
  type OtzovikErrorCode,
  type OtzovikErrorOptions,
} from "./core/errors.js";
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
  type AmocrmAccountRef,
  type AmocrmClient,
  type AmocrmClientOptions,
  type AmocrmContact,
  type AmocrmContactRef,
  type AmocrmLead,
  createAmocrmClient,
} from "./lookups/amocrm.js";
export { DEFAULT_QUIET_HOURS, type QuietHours } from "./requester/quiet-hours.js";
export { createReviewRequester } from "./requester/requester.js";
export { DEFAULT_MESSAGE, type TemplateVars, type TextTemplate } from "./requester/template.js";
export type {
  Accepted,
  AcceptedEvent,
  AmocrmPhoneLookup,
  ChannelSpec,
  ClosedRequester,
  DirectRequest,
  EmailChannel,
  FailedOutcome,
  Handled,
  HandleOptions,
  HandleResult,
  Outcome,
  ParserOptions,
  PendingSend,
  RequesterOptions,
  ReviewRequester,
  ScheduledOutcome,
  SentOutcome,
  SkippedOutcome,
  SkippedReason,
  SmsChannel,
  TenantSettings,
  Unauthorized,
  WhatsappChannel,
  WhatsappTemplate,
  WhatsappTemplateSender,
} from "./requester/types.js";
export { type InProcessSchedulerOptions, inProcessScheduler } from "./schedulers/in-process.js";
export type { JobData, JobHandler, ScheduledJob, Scheduler } from "./schedulers/types.js";
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
export {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_PERMANENT_ENTRIES,
  type MemoryStore,
  type MemoryStoreOptions,
  type MemoryStoreStats,
  memoryStore,
} from "./stores/memory.js";
export type { Store } from "./stores/types.js";
