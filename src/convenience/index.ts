export type { DevModeOptions } from "./dev.js";
export {
  type EmailConfig,
  sendEmail,
  sendVerificationEmail,
  type VerificationEmailOptions,
} from "./email.js";
export { getSmsBalance, type SmsConfig, sendSms } from "./sms.js";
export {
  isWhatsappConfigured,
  sendWhatsapp,
  sendWhatsappTemplate,
  type WhatsappConfig,
  type WhatsappConfigured,
  type WhatsappProvider,
  type WhatsappTemplateOptions,
} from "./whatsapp.js";
