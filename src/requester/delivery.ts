import { OtzovikError } from "../core/errors.js";
import type { SendResult } from "../providers/types.js";
import { compileTemplate, type TemplateVars } from "./template.js";
import type { ChannelSpec, WhatsappTemplateSender } from "./types.js";

/** Who to send to. */
export interface Recipient {
  readonly phone: string | null;
  readonly email: string | null;
}

/** How a delivery attempt over the channel chain ended. */
export type DeliveryResult =
  | { readonly kind: "sent"; readonly channel: ChannelSpec["type"]; readonly result: SendResult }
  | { readonly kind: "opted_out"; readonly error: OtzovikError }
  | { readonly kind: "unknown"; readonly error: OtzovikError }
  | { readonly kind: "failed"; readonly error: OtzovikError }
  | { readonly kind: "no_channel" };

const DEFAULT_SUBJECT = "{business}: оцените нас";

/**
 * A send failure as an {@link OtzovikError}. Built-in drivers throw nothing else; anything else
 * (a custom client throwing a plain `Error`) may have been thrown after the message went out, so
 * it is an `unknown_outcome`: never sent again, on any channel.
 */
function asOtzovikError(error: unknown, provider: string): OtzovikError {
  if (error instanceof OtzovikError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OtzovikError(
    `Sending failed: ${message}. The message may have been sent, so it is not sent again.`,
    { code: "send_failed", provider, category: "unknown_outcome", cause: error },
  );
}

/** Sends over one channel. */
async function sendOne(
  spec: ChannelSpec,
  to: Recipient,
  text: string,
  vars: TemplateVars,
): Promise<SendResult> {
  if (spec.type === "sms") return spec.client.sendSms(to.phone as string, text);
  if (spec.type === "whatsapp") {
    const template = spec.template;
    if (!template) return spec.client.sendWhatsapp(to.phone as string, text);
    const parameters = (template.parameters ?? []).map((p, i) => ({
      type: "text" as const,
      text: compileTemplate(p, `channels.whatsapp.template.parameters.${i}`)(vars),
    }));
    return (spec.client as WhatsappTemplateSender).sendTemplate(to.phone as string, template.name, {
      languageCode: template.language,
      components: parameters.length > 0 ? [{ type: "body", parameters }] : [],
    });
  }
  const subject = compileTemplate(spec.subject ?? DEFAULT_SUBJECT, "channels.email.subject")(vars);
  return spec.client.sendEmail({
    to: to.email as string,
    subject,
    text,
    html: `<p>${escapeHtml(text)}</p>`,
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Tries the channels in order, deciding by the error's category alone (no provider codes here).
 * `not_on_channel` ("not on WhatsApp", outside the 24-hour window), `permanent` and any failure
 * left after the client's own retries move on to the next channel. Two categories stop the chain:
 * `unknown_outcome` (the message may have arrived: never send it again elsewhere) and `opted_out`
 * (the person refused messages).
 */
export async function deliver(
  channels: readonly ChannelSpec[],
  to: Recipient,
  text: string,
  vars: TemplateVars,
): Promise<DeliveryResult> {
  let lastError: OtzovikError | null = null;
  for (const spec of channels) {
    const reachable = spec.type === "email" ? to.email !== null : to.phone !== null;
    if (!reachable) continue;
    try {
      return { kind: "sent", channel: spec.type, result: await sendOne(spec, to, text, vars) };
    } catch (error) {
      const failure = asOtzovikError(error, spec.client.provider);
      if (failure.category === "unknown_outcome") return { kind: "unknown", error: failure };
      if (failure.category === "opted_out") return { kind: "opted_out", error: failure };
      lastError = failure;
    }
  }
  return lastError ? { kind: "failed", error: lastError } : { kind: "no_channel" };
}
