import type { SmsSender } from "../../src/providers/types.js";

/** An in-memory SMS client that accepts every message at once and records the recipients. */
export function recordingSmsClient() {
  const sent: string[] = [];
  const client: SmsSender = {
    provider: "sms.ru",
    async sendSms(to) {
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
  return { client, sent };
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
