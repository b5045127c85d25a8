import { ValidationError } from "../core/errors.js";
import { createResendClient, type ResendClientOptions } from "../providers/resend.js";
import type { EmailMessage, SendResult } from "../providers/types.js";
import { emailList, maskEmail } from "../transport/index.js";
import { type DevModeOptions, dryRunResult, logDryRun, missingOf, shouldDryRun } from "./dev.js";
import { readEnv } from "./env.js";

/**
 * Config of {@link sendEmail} and {@link sendVerificationEmail}: any {@link ResendClientOptions},
 * each defaulting to its environment variable (`RESEND_API_KEY`, `RESEND_FROM`), read at call time.
 */
export interface EmailConfig extends Partial<ResendClientOptions>, DevModeOptions {}

/**
 * Sends an email through Resend, configured from `RESEND_API_KEY` and `RESEND_FROM` (read at call
 * time) or from `config`. Without them (dev mode) it logs the email (address masked) and resolves
 * `{ dryRun: true }`.
 *
 * @example
 * await sendEmail({ to: "user@example.com", subject: "Hello", html: "<p>Content</p>" })
 */
export async function sendEmail(
  message: EmailMessage,
  config: EmailConfig = {},
): Promise<SendResult> {
  const apiKey = config.apiKey ?? readEnv("RESEND_API_KEY");
  const from = message?.from ?? config.from ?? readEnv("RESEND_FROM");
  const missing = missingOf({ RESEND_API_KEY: apiKey, RESEND_FROM: from });
  if (shouldDryRun("resend", config.dryRun, missing)) {
    const to = emailList("resend", "to", message?.to, 50);
    if (to === null)
      throw new ValidationError("'to' is required.", { code: "invalid_email", provider: "resend" });
    logDryRun(config.logger, "resend", "email", missing, {
      to: to.map(maskEmail).join(", "),
      subject: message.subject,
      text: message.text ?? message.html,
    });
    return dryRunResult("resend", "email", to.join(", "));
  }
  const client = createResendClient({ ...config, apiKey: apiKey as string, from: from as string });
  return client.sendEmail(message);
}

/** Options of {@link sendVerificationEmail}. */
export interface VerificationEmailOptions extends EmailConfig {
  /** Subject line. Default `"Подтверждение адреса электронной почты"`. */
  readonly subject?: string;
  /** Your product or business name, shown in the greeting. */
  readonly productName?: string;
  /** How long the link or code is valid, shown in the email. */
  readonly expiresInMinutes?: number;
  /** Deduplication key (see {@link EmailMessage.idempotencyKey}). */
  readonly idempotencyKey?: string;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/**
 * Sends an **email-address verification** message through Resend — not a review request: a helper
 * for sign-up and "confirm your email" flows in the same app, kept from the email module the
 * project started with. The review requests themselves go through `createReviewRequester` with an
 * email channel (`createResendClient`).
 *
 * The email is in Russian, HTML and plain text: a greeting (with `productName` when given), then a
 * "Подтвердить адрес" button with the link when `linkOrCode` is an `http(s)` URL, otherwise the
 * one-time code itself; the validity (`expiresInMinutes`) when given; and a line saying to ignore
 * the email if the address was not requested. The subject defaults to
 * `"Подтверждение адреса электронной почты"`. Configured like {@link sendEmail}: `RESEND_API_KEY`
 * and `RESEND_FROM` (read at call time) or `options`; without them (dev mode) it logs the email,
 * address masked, with the link or code, and resolves `{ dryRun: true }`.
 *
 * @param to - The address to verify.
 * @param linkOrCode - Verification URL, or a one-time code.
 * @param options - Subject, product name, validity, idempotency key, and any {@link EmailConfig}.
 * @throws {ValidationError} when `linkOrCode` is empty or not a string.
 *
 * @example
 * await sendVerificationEmail("anna@mail.ru", "https://kofe.ru/verify?token=…", { productName: "Кофейня" })
 */
export async function sendVerificationEmail(
  to: string,
  linkOrCode: string,
  options: VerificationEmailOptions = {},
): Promise<SendResult> {
  if (typeof linkOrCode !== "string" || linkOrCode.trim() === "") {
    throw new ValidationError("'linkOrCode' must be a verification URL or code.", {
      code: "invalid_message",
      provider: "resend",
    });
  }
  const { subject, productName, expiresInMinutes, idempotencyKey, ...config } = options;
  const value = linkOrCode.trim();
  const isLink = /^https?:\/\//i.test(value);
  const hello = productName ? `Здравствуйте! Это ${productName}.` : "Здравствуйте!";
  const expiry =
    typeof expiresInMinutes === "number" && expiresInMinutes > 0
      ? ` Действует ${Math.round(expiresInMinutes)} мин.`
      : "";
  const ignore = "Если вы не запрашивали подтверждение, просто проигнорируйте это письмо.";
  const text = isLink
    ? `${hello}\n\nЧтобы подтвердить адрес, откройте ссылку:${expiry}\n${value}\n\n${ignore}`
    : `${hello}\n\nВаш код подтверждения: ${value}.${expiry}\n\n${ignore}`;
  const action = isLink
    ? `<p>Чтобы подтвердить адрес, нажмите кнопку.${escapeHtml(expiry)}</p>` +
      `<p><a href="${escapeHtml(value)}" style="display:inline-block;padding:12px 20px;` +
      `background:#1a73e8;color:#fff;text-decoration:none;border-radius:6px">Подтвердить адрес</a></p>` +
      `<p style="font-size:12px;color:#666">Или откройте ссылку: ${escapeHtml(value)}</p>`
    : `<p>Ваш код подтверждения: <b style="font-size:20px">${escapeHtml(value)}</b>.${escapeHtml(expiry)}</p>`;
  const html = `<p>${escapeHtml(hello)}</p>${action}<p style="color:#666">${escapeHtml(ignore)}</p>`;
  return sendEmail(
    {
      to,
      subject: subject ?? "Подтверждение адреса электронной почты",
      html,
      text,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    },
    config,
  );
}
