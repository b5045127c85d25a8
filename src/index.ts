/**
 * otzovik: turn "order completed" webhooks from iiko, R-Keeper, YCLIENTS and amoCRM into one polite
 * review request by SMS, WhatsApp or email.
 *
 * @packageDocumentation
 */

export {
  type DevModeOptions,
  type EmailConfig,
  getSmsBalance,
  isWhatsappConfigured,
  type SmsConfig,
  sendEmail,
  sendSms,
  sendVerificationEmail,
  sendWhatsapp,
  sendWhatsappTemplate,
  type VerificationEmailOptions,
  type WhatsappConfig,
  type WhatsappConfigured,
  type WhatsappProvider,
  type WhatsappTemplateOptions,
} from "./convenience/index.js";
export {
  ConfigError,
  DeliveryUnknownError,
  type DeliveryUnknownErrorOptions,
  type ErrorCategory,
  type ErrorCode,
  NetworkError,
  type NetworkErrorOptions,
  OtzovikError,
  type OtzovikErrorCode,
  type OtzovikErrorOptions,
  ProviderError,
  type ProviderErrorOptions,
  type UnknownOutcomeReason,
  ValidationError,
} from "./core/errors.js";
export {
  consoleLogger,
  createLogger,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  type LogMeta,
} from "./core/logger.js";
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
  describeSkip,
  SKIP_REASONS,
  type SkippedReason,
  type SkipReason,
} from "./core/skip-reasons.js";
export { type SmsSegments, smsSegments } from "./core/sms-segments.js";
export { destinationName, type LinkDestination } from "./links/destinations.js";
export { DEFAULT_LINK_TTL_MS, type LinksOptions } from "./links/options.js";
export { type UserAgentClass, userAgentClass } from "./links/user-agent.js";
export {
  type Channel,
  type ClientOptions,
  classifyMetaCode,
  classifyResendName,
  classifySmsRuCode,
  createExolveClient,
  createMetaWhatsappClient,
  createResendClient,
  createSmsRuClient,
  type EmailMessage,
  type EmailSender,
  type EmailTag,
  EXOLVE_BASE_URL,
  EXOLVE_DEFAULT_WHATSAPP_PATH,
  EXOLVE_SMS_PATH,
  type ExolveClient,
  type ExolveClientOptions,
  type ExolveWhatsappMessage,
  META_DEFAULT_GRAPH_VERSION,
  META_GRAPH_BASE_URL,
  type MetaTemplateComponent,
  type MetaTemplateOptions,
  type MetaTemplateParameter,
  type MetaTextOptions,
  type MetaWhatsappClient,
  type MetaWhatsappClientOptions,
  type PhoneClientOptions,
  type ProviderName,
  RESEND_BASE_URL,
  RESEND_USER_AGENT,
  type ResendClient,
  type ResendClientOptions,
  type RetryOptions,
  type SendResult,
  SMS_RU_BASE_URL,
  type SmsBalance,
  type SmsRuClient,
  type SmsRuClientOptions,
  type SmsRuCost,
  type SmsRuMessageStatus,
  type SmsRuSendOptions,
  type SmsSender,
  type WhatsappSender,
} from "./providers/index.js";
export { DEFAULT_QUIET_HOURS, type QuietHours } from "./requester/quiet-hours.js";
export { createReviewRequester } from "./requester/requester.js";
export {
  DEFAULT_LINK_MESSAGE,
  DEFAULT_MESSAGE,
  type TemplateVars,
  type TextTemplate,
} from "./requester/template.js";
export type {
  AbortFlag,
  Accepted,
  AcceptedEvent,
  AmocrmPhoneLookup,
  ChannelSpec,
  ClickedOutcome,
  ClosedRequester,
  DeliveredOutcome,
  DirectRequest,
  EmailChannel,
  FailedOutcome,
  FollowedLink,
  FunnelStats,
  Handled,
  HandleOptions,
  HandleResult,
  LinkFound,
  LinkNotFound,
  LinkVisit,
  Outcome,
  ParserOptions,
  PendingSend,
  RequesterOptions,
  ReviewRequester,
  ScheduledOutcome,
  SentOutcome,
  SkippedOutcome,
  SmsChannel,
  SourceId,
  StatsQuery,
  StatusHandled,
  StatusOutcome,
  TenantContext,
  TenantSettings,
  Unauthorized,
  UndeliveredOutcome,
  WhatsappChannel,
  WhatsappTemplate,
  WhatsappTemplateSender,
} from "./requester/types.js";
export { type InProcessSchedulerOptions, inProcessScheduler } from "./schedulers/in-process.js";
export type { JobData, JobHandler, ScheduledJob, Scheduler } from "./schedulers/types.js";
export {
  AMOCRM_FINAL_STATUSES,
  type AmocrmAccountRef,
  type AmocrmClient,
  type AmocrmClientOptions,
  type AmocrmContact,
  type AmocrmContactRef,
  type AmocrmLead,
  type AmocrmParseOptions,
  amocrmContactPhone,
  amocrmPhoneLookup,
  createAmocrmClient,
  parseAmocrm,
} from "./sources/amocrm/index.js";
export { IIKO_FINAL_STATUSES, type IikoParseOptions, parseIiko } from "./sources/iiko.js";
export {
  findSource,
  isSourceName,
  type Parser,
  type ParserOptionsOf,
  parsers,
  type SourceName,
  type SourceRegistry,
  sources,
} from "./sources/registry.js";
export {
  parseRkeeper,
  RKEEPER_FINAL_STATUSES,
  type RkeeperParseOptions,
} from "./sources/rkeeper.js";
export { defineSource, type OptionsOf, type Source, type SourceLookup } from "./sources/source.js";
export type {
  BaseParseOptions,
  LookupPhone,
  LookupPhoneContext,
  ParsedEvent,
  ParseResult,
  PhoneLookup,
} from "./sources/types.js";
export {
  parseYclients,
  YCLIENTS_FINAL_STATUSES,
  type YclientsParseOptions,
} from "./sources/yclients.js";
export type {
  DeliveryMeaning,
  StatusAnswer,
  StatusReading,
  StatusRefusal,
  StatusRequest,
  StatusUpdate,
  StatusWebhooks,
} from "./status/types.js";
export { runBatch } from "./stores/batch.js";
export {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_PERMANENT_ENTRIES,
  type MemoryStore,
  type MemoryStoreOptions,
  type MemoryStoreStats,
  memoryStore,
} from "./stores/memory.js";
export type {
  AbsentStep,
  BatchReceipt,
  BatchResult,
  ClaimStep,
  DeleteStep,
  ExpectStep,
  GetStep,
  IncrStep,
  SetStep,
  Store,
  StoreStep,
} from "./stores/types.js";
export { DEFAULT_RETRY, DEFAULT_TIMEOUT_MS } from "./transport/index.js";
