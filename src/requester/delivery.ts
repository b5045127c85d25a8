import { errorMessage, OtzovikError } from "../core/errors.js";
import type { SendResult } from "../providers/types.js";
import type { Channel } from "./config.js";
import type { TemplateVars } from "./template.js";
import type { WhatsappTemplateSender } from "./types.js";

/** Who to send to. */
export interface Recipient {
  readonly phone: string | null;
  readonly email: string | null;
}

/** How a delivery attempt over the channel chain ended. */
export type DeliveryResult =
  | {
      readonly kind: "sent";
      readonly channel: Channel["spec"]["type"];
      /** The channel's position in the tenant's chain. */
      readonly index: number;
      readonly result: SendResult;
    }
  | { readonly kind: "opted_out"; readonly error: OtzovikError }
  | { readonly kind: "unknown"; readonly error: OtzovikError }
  | { readonly kind: "failed"; readonly error: OtzovikError }
  | { readonly kind: "no_channel" };

/**
 * A failure as an {@link OtzovikError} with a category. Anything else a client throws (a user's
 * own client's plain `Error`) may have happened after the message left: an unknown outcome.
 */
function classified(error: unknown, provider: string): OtzovikError {
  if (error instanceof OtzovikError) return error;
  const message = errorMessage(error);
  return new OtzovikError(
    `Sending failed with an error that is not an OtzovikError (${message}); the message may have been sent, so it is not sent again. Throw a ProviderError with a category from your client to say otherwise.`,
    { code: "send_failed", provider, category: "unknown_outcome", cause: error },
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Sends over one channel. */
async function sendOne(
  channel: Channel,
  to: Recipient,
  text: string,
  vars: TemplateVars,
  idempotencyKey: () => Promise<string>,
): Promise<SendResult> {
  const spec = channel.spec;
  if (spec.type === "sms") return spec.client.sendSms(to.phone as string, text);
  if (spec.type === "whatsapp") {
    if (!channel.template) return spec.client.sendWhatsapp(to.phone as string, text);
    const parameters = channel.template.parameters.map((render) => ({
      type: "text" as const,
      text: render(vars),
    }));
    return (spec.client as WhatsappTemplateSender).sendTemplate(
      to.phone as string,
      channel.template.spec.name,
      {
        languageCode: channel.template.spec.language,
        components: parameters.length > 0 ? [{ type: "body", parameters }] : [],
      },
    );
  }
  const key = await idempotencyKey();
  return spec.client.sendEmail({
    to: to.email as string,
    subject: (channel.subject as (vars: TemplateVars) => string)(vars),
    text,
    html: `<p>${escapeHtml(text)}</p>`,
    idempotencyKey: key,
  });
}

/** `true` when the channel can reach the recipient (email needs an address, the rest a phone). */
export function reaches(channel: Channel, to: Recipient): boolean {
  return channel.spec.type === "email" ? to.email !== null : to.phone !== null;
}

/**
 * Tries the channels in order, deciding by each error's category alone. An unknown outcome (the
 * message may have arrived) and an opt-out stop the chain; any other failure moves on to the next
 * channel. When every channel failed, the error reported is the first retryable one (so the order
 * is retried later), else the last one.
 *
 * `from` skips the channels before it: a fallback after a status webhook reported the message
 * sent on channel `from - 1` undelivered.
 *
 * `idempotencyKey` goes to providers that take one (Resend): derived from the order, it is the
 * same on every process and every retry, so the provider itself refuses a second copy. It is
 * worked out (a keyed hash) only when such a channel is tried.
 */
export async function deliver(
  channels: readonly Channel[],
  to: Recipient,
  text: string,
  vars: TemplateVars,
  idempotencyKey: () => Promise<string>,
  from = 0,
): Promise<DeliveryResult> {
  let lastError: OtzovikError | null = null;
  let retryable: OtzovikError | null = null;
  for (const [index, channel] of channels.entries()) {
    if (index < from || !reaches(channel, to)) continue;
    try {
      const result = await sendOne(channel, to, text, vars, idempotencyKey);
      return { kind: "sent", channel: channel.spec.type, index, result };
    } catch (error) {
      const failure = classified(error, channel.spec.client.provider);
      if (failure.category === "unknown_outcome") return { kind: "unknown", error: failure };
      if (failure.category === "opted_out") return { kind: "opted_out", error: failure };
      lastError = failure;
      retryable ??= failure.retryable ? failure : null;
    }
  }
  // A chain where some channel may work later is reported with that channel's error: retryable.
  const error = retryable ?? lastError;
  return error ? { kind: "failed", error } : { kind: "no_channel" };
}
