export {
  createExolveClient,
  EXOLVE_BASE_URL,
  EXOLVE_DEFAULT_WHATSAPP_PATH,
  EXOLVE_SMS_PATH,
  type ExolveClient,
  type ExolveClientOptions,
  type ExolveWhatsappMessage,
} from "./exolve.js";
export {
  classifyMetaCode,
  createMetaWhatsappClient,
  META_DEFAULT_GRAPH_VERSION,
  META_GRAPH_BASE_URL,
  type MetaTemplateComponent,
  type MetaTemplateOptions,
  type MetaTemplateParameter,
  type MetaTextOptions,
  type MetaWhatsappClient,
  type MetaWhatsappClientOptions,
} from "./meta-whatsapp.js";
export {
  classifyResendName,
  createResendClient,
  RESEND_BASE_URL,
  RESEND_USER_AGENT,
  type ResendClient,
  type ResendClientOptions,
} from "./resend.js";
export {
  classifySmsRuCode,
  createSmsRuClient,
  SMS_RU_BASE_URL,
  type SmsBalance,
  type SmsRuClient,
  type SmsRuClientOptions,
  type SmsRuCost,
  type SmsRuMessageStatus,
  type SmsRuSendOptions,
} from "./sms-ru.js";
export type {
  Channel,
  ClientOptions,
  EmailMessage,
  EmailSender,
  EmailTag,
  PhoneClientOptions,
  ProviderName,
  RetryOptions,
  SendResult,
  SmsSender,
  WhatsappSender,
} from "./types.js";
