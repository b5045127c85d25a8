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
  configError,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  invalidArgument,
  optionalBoolean,
  optionalFunction,
  optionalString,
  phoneForLog,
  type ResolvedClientOptions,
  requireOptionsObject,
  requireSecret,
  requireString,
  resolveClientOptions,
  resolvePhoneClientOptions,
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
