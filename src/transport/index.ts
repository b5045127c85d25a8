/**
 * The HTTP transport every provider driver and the amoCRM client sit on: option validation,
 * recipients, lossless JSON, timeouts and safe retries, redaction. It knows no provider.
 *
 * @module
 */
export {
  createTransport,
  type HttpRequest,
  type HttpResponse,
  redactedDetails,
  type Transport,
  unexpectedResponse,
} from "./http.js";
export { idString, isRecord, parseJsonLossless } from "./json.js";
export {
  type ClientOptionValues,
  clientOptionFields,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  invalidArgument,
  optionalFlagArgument,
  optionalSecretOption,
  optionalStringArgument,
  optionalText,
  type PhoneClientOptionValues,
  phoneClientOptionFields,
  phoneForLog,
  type ResolvedClientOptions,
  requiredText,
  resolveClientOptions,
  resolvePhoneClientOptions,
  retryOption,
  retryPolicy,
  secretOption,
} from "./options.js";
export {
  emailList,
  isEmailAddress,
  type Recipient,
  requireText,
  toRecipient,
} from "./recipient.js";
export { maskEmail, redact } from "./redact.js";
export { parseRetryAfter } from "./retry.js";
export type { ClientOptions, PhoneClientOptions, RetryOptions } from "./types.js";
