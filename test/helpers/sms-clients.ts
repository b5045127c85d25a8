import type { SmsSender } from "../../src/providers/types.js";

/**
 * An in-memory SMS client that accepts every message at once and records the recipients (`sent`)
 * and the messages (`messages`).
 */
export function recordingSmsClient() {
  const sent: string[] = [];
  const messages: { to: string; text: string }[] = [];
  const client: SmsSender = {
    provider: "sms.ru",
    async sendSms(to, text) {
      sent.push(to);
      messages.push({ to, text });
      return {
        provider: "sms.ru",
        channel: "sms",
        messageId: `m${sent.length}`,
        to,
        dryRun: false,
      };
    },
  };
  return { client, sent, messages };
}

/**
 * An in-memory SMS client whose sends wait until `open()` is called, for tests of what happens
 * while a send is still running. Recipients are recorded once their send completes.
 */
export function gatedSmsClient() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const sent: string[] = [];
  const client: SmsSender = {
    provider: "sms.ru",
    async sendSms(to) {
      await gate;
      sent.push(to);
      return {
        provider: "sms.ru",
        channel: "sms",
        messageId: `m${sent.length}`,
        to,
        dryRun: false,
      };
    },
  };
  return { client, sent, open };
}
